/**
 * poli's command line as data: the commands, the options that are not settings (and which command each belongs
 * to), and the settings of settings.ts as options. The parser (args.ts) checks against it; help.ts renders it.
 */
import { SETTINGS, type SettingSpec } from '../config.ts';
import type { CommandSpec, OptionSpec } from './option-types.ts';
import { QUEUE_COMMANDS, QUEUE_OPTIONS, QUEUE_OPTION_OWNER, QUEUE_SUBCOMMANDS } from './queue-options.ts';
import { SERVE_COMMAND, SERVE_OPTIONS, SERVE_OPTION_OWNER } from './serve-options.ts';

export const SUBCOMMANDS = ['start', 'say', 'pause', 'resume', 'stop', 'status', 'attach', 'watch', 'reply', 'mcp', ...QUEUE_SUBCOMMANDS, 'serve'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];
export type { CommandSpec, OptionSpec } from './option-types.ts';



/** The options that are not settings; each belongs to the main command or to one subcommand. */
export const OPTIONS: readonly OptionSpec[] = [
  { flag: 'task', type: 'string', describe: 'Run this task and exit (- reads it from stdin)' },
  { flag: 'task-file', type: 'string', describe: 'Run the task written in this file and exit (- for stdin)' },
  { flag: 'state', type: 'string', describe: 'Show tasks (all, or the one with this id)' },
  { flag: 'json', type: 'boolean', describe: 'With --state: print JSON' },
  { flag: 'format', type: 'string', choices: ['text', 'json', 'md'], describe: 'With --state ID: output format' },
  { flag: 'resume', type: 'string', describe: 'Continue the task with this id' },
  { flag: 'to', type: 'string', choices: ['planner', 'executer', 'PLANNER', 'EXECUTER'], describe: 'With say: who gets the note' },
  { flag: 'id', type: 'string', describe: 'With reply: the id of the message answered' },
  { flag: 'type', type: 'string', describe: 'With reply: the reply\'s type (plan, continue, revision, complete, error, status, result)' },
  { flag: 'extra', type: 'string', describe: 'With reply: further header fields, as a JSON object' },
  { flag: 'short', type: 'boolean', describe: 'With status: one line' },
  { flag: 'all', type: 'boolean', describe: 'With watch: from the start of the stream' },
  {
    flag: 'budget',
    type: 'string',
    describe: 'USD the task may spend (the CLIs\' cost): at 80 % poli warns, at 100 % the task waits after its turn until poli resume T7 --budget N (with work: for each task without its own)',
  },
  { flag: 'queue-budget', type: 'string', describe: 'With work: USD the whole run may spend; reached, the pairs wait and no task starts until poli resume --queue-budget N' },
  { flag: 'help', short: 'h', type: 'boolean', describe: 'Show this help (poli help COMMAND: a command\'s help)' },
  { flag: 'version', short: 'V', type: 'boolean', describe: 'Print poli\'s version' },
  ...QUEUE_OPTIONS,
  ...SERVE_OPTIONS,
];

/** Which command an option belongs to (settings belong to every command). */
export const OPTION_OWNER: Record<string, Subcommand | readonly (Subcommand | 'main')[] | 'main' | 'any'> = {
  task: 'main',
  'task-file': ['main', 'add'],
  state: 'main',
  json: ['main', 'queue', 'ps'],
  format: 'main',
  resume: 'main',
  to: ['say', 'reply'],
  id: 'reply',
  type: ['reply', 'add'],
  extra: 'reply',
  short: 'status',
  budget: ['main', 'add', 'work', 'resume'],
  'queue-budget': ['work', 'resume'],
  all: ['watch', 'queue'],
  help: 'any',
  version: 'any',
  ...QUEUE_OPTION_OWNER,
  ...SERVE_OPTION_OWNER,
};


export const COMMANDS: Record<Subcommand, CommandSpec> = {
  start: { usage: 'poli start [options]', describe: 'start and prime the tmux session with both CLIs, then exit', settings: 'all' },
  say: {
    usage: 'poli say [TASK] --to planner|executer "TEXT"',
    describe: 'deliver a note from you to the PLANNER or EXECUTER at its next message (TASK, e.g. T7: to that task\'s pair, its --session)',
    settings: ['socket', 'session'],
  },
  pause: { usage: 'poli pause [TASK]', describe: 'hold the running task (TASK: that one): nothing is forwarded, timeouts stop', settings: ['socket', 'session'] },
  resume: {
    usage: 'poli resume [TASK] [--budget USD] | poli resume --queue-budget USD',
    describe:
      'release a paused task (TASK: that one), or end a wait for a usage limit or a login now; --budget raises its budget (a task waiting for it goes on); --queue-budget raises the budget of the poli work run',
    settings: ['socket', 'session'],
  },
  stop: {
    usage: 'poli stop [TASK]',
    describe: 'end the running task (TASK: that one) as interrupted (continue it later with --resume ID)',
    settings: ['socket', 'session'],
  },
  status: {
    usage: 'poli status [TASK] [--short]',
    describe: "print the running task's status (TASK: of that task's session; --short: one line for a status bar)",
    settings: ['socket', 'session', 'state-dir'],
  },
  attach: { usage: 'poli attach [TASK]', describe: "attach to poli's tmux session (TASK: that task's session; watch or step in)", settings: ['socket', 'session'] },
  watch: { usage: 'poli watch [--all]', describe: 'follow the event stream (events.jsonl in the state directory)', settings: ['socket', 'state-dir'] },
  reply: {
    usage: 'poli reply --id ID --to PLANNER|EXECUTER|ORCHESTRATOR --type TYPE [--extra JSON] < body',
    describe:
      'hand the running poli a reply from inside a CLI it started (body on stdin, byte for byte); exits 0 once delivered, ' +
      'otherwise prints the reason and exits 1 (correct it: unknown id, wrong addressee, type not allowed now), 3 (closed: ' +
      'poli no longer waits for it, not recorded), 4 (no poli reached) or 5 (not this pane\'s to send)',
    // The pane's environment (POLI_ROLE, POLI_SOCKET_PATH) says where to deliver; no setting is read.
    settings: [],
  },
  mcp: {
    usage: 'poli mcp',
    describe: 'the stdio MCP server (tools poli_reply, poli_status, poli_read) that poli registers with each CLI it starts',
    settings: [],
  },
  ...QUEUE_COMMANDS,
  serve: SERVE_COMMAND,
};

function settingType(s: SettingSpec): OptionSpec['type'] {
  if (s.kind.type === 'boolean') return 'boolean';
  if (s.kind.type === 'integer' || s.kind.type === 'seconds' || s.kind.type === 'hours') return 'number';
  return 'string';
}

/** A setting of settings.ts as a command-line option, its default and environment variable in its description. */
export function settingOption(s: SettingSpec): OptionSpec {
  const def = s.default === undefined ? '' : ` (default: ${String(s.default)})`;
  return {
    flag: s.flag,
    type: settingType(s),
    choices: s.kind.type === 'choice' ? s.kind.choices : undefined,
    describe: `${s.description}${def} [env\u00a0${s.env}]`,
  };
}

/** Every option poli takes: its own, then the settings. */
export const ALL_OPTIONS: readonly OptionSpec[] = [...OPTIONS, ...SETTINGS.map(settingOption)];
export const KNOWN_FLAGS = new Set(ALL_OPTIONS.map((o) => o.flag));
export const KNOWN_SHORT = new Map(ALL_OPTIONS.filter((o) => o.short !== undefined).map((o) => [o.short as string, o.flag]));
