/**
 * The command line: one declarative table of commands and options (plus the settings table of
 * settings.ts), parsed with yargs-parser and rendered as help here. Parsing is pure: argv in, a
 * typed command out. Settings flags are passed on only when given, so that resolveSettings can
 * apply flags > environment > .env > shared_workspace.env > defaults.
 *
 * Not yargs itself: loading it (cliui, string-width, y18n) took longer than everything else
 * `poli status --short` does, and a tmux status bar runs that every few seconds.
 */
import parse from 'yargs-parser';
import { SETTINGS, type FlagValues, type SettingSpec } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { ControlCommand } from '../human/control.ts';
import type { Role } from '../protocol/types.ts';

export type SettingFlags = FlagValues;

export type Command =
  /** `taskFile`: where to read the task (`-` for stdin) with --task-file FILE or --task -; `task` is then undefined. */
  | { kind: 'run'; task: string | undefined; resume: string | undefined; flags: SettingFlags; taskFile?: string }
  | { kind: 'state'; id: string | undefined; format: 'text' | 'json' | 'md'; flags: SettingFlags }
  | { kind: 'start'; flags: SettingFlags }
  /** say / pause / resume / stop: a command for the poli process running on the socket. */
  | { kind: 'control'; command: ControlCommand; flags: SettingFlags }
  | { kind: 'status'; short: boolean; flags: SettingFlags }
  | { kind: 'attach'; flags: SettingFlags }
  | { kind: 'watch'; all: boolean; flags: SettingFlags }
  /** `poli reply`: a reply for the running poli, body on stdin (src/mcp/reply-command.ts). */
  | { kind: 'reply'; id: string; to: string; type: string; extra: Record<string, unknown> | undefined; flags: SettingFlags }
  /** `poli mcp`: the stdio MCP server poli registers with the CLIs it starts (src/mcp/server.ts). */
  | { kind: 'mcp'; flags: SettingFlags }
  | { kind: 'help'; text: string }
  | { kind: 'version' };

export const SUBCOMMANDS = ['start', 'say', 'pause', 'resume', 'stop', 'status', 'attach', 'watch', 'reply', 'mcp'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

const USAGE = `poli — a PLANNER and an EXECUTER AI coding CLI working on one task, in tmux

Usage:
  poli --task "TEXT" [options]     run one task; exit 0 when it completed
  poli --task-file FILE            the same, the task read from FILE (-: stdin)
  poli [options]                   a poli> prompt that takes task after task
  poli --state [ID] [--json]       list tasks, or show one task's messages
  poli --resume ID                 continue a task that stopped before the end
  poli COMMAND [options]           one of the commands below

From another terminal, while a task runs: say, pause, resume, stop, status,
watch and attach. Inside a CLI that poli started: reply and mcp.`;

interface OptionSpec {
  flag: string;
  short?: string;
  type: 'string' | 'boolean' | 'number';
  choices?: readonly string[];
  describe: string;
}

/** The options that are not settings; each belongs to the main command or to one subcommand. */
const OPTIONS: readonly OptionSpec[] = [
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
  { flag: 'help', short: 'h', type: 'boolean', describe: 'Show this help (poli help COMMAND: a command\'s help)' },
  { flag: 'version', short: 'V', type: 'boolean', describe: 'Print poli\'s version' },
];

/** Which command an option belongs to (settings belong to every command). */
const OPTION_OWNER: Record<string, Subcommand | readonly Subcommand[] | 'main' | 'any'> = {
  task: 'main',
  'task-file': 'main',
  state: 'main',
  json: 'main',
  format: 'main',
  resume: 'main',
  to: ['say', 'reply'],
  id: 'reply',
  type: 'reply',
  extra: 'reply',
  short: 'status',
  all: 'watch',
  help: 'any',
  version: 'any',
};

interface CommandSpec {
  usage: string;
  describe: string;
  /** Settings that matter to this command (all of them are accepted). */
  settings: 'all' | readonly string[];
}

const COMMANDS: Record<Subcommand, CommandSpec> = {
  start: { usage: 'poli start [options]', describe: 'start and prime the tmux session with both CLIs, then exit', settings: 'all' },
  say: {
    usage: 'poli say --to planner|executer "TEXT"',
    describe: 'deliver a note from you to the PLANNER or EXECUTER at its next message',
    settings: ['socket'],
  },
  pause: { usage: 'poli pause', describe: 'hold the running task: nothing is forwarded, timeouts stop', settings: ['socket'] },
  resume: { usage: 'poli resume', describe: 'release a paused task, or end a wait for a usage limit or a login now', settings: ['socket'] },
  stop: { usage: 'poli stop', describe: 'end the running task as interrupted (continue it later with --resume ID)', settings: ['socket'] },
  status: { usage: 'poli status [--short]', describe: "print the running task's status (--short: one line for a status bar)", settings: ['socket', 'state-dir'] },
  attach: { usage: 'poli attach', describe: "attach to poli's tmux session (watch or step in)", settings: ['socket'] },
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
};

/** The help fits a terminal of 80 columns. */
const HELP_WIDTH = 80;

function settingType(s: SettingSpec): OptionSpec['type'] {
  if (s.kind.type === 'boolean') return 'boolean';
  if (s.kind.type === 'integer' || s.kind.type === 'seconds' || s.kind.type === 'hours') return 'number';
  return 'string';
}

function settingOption(s: SettingSpec): OptionSpec {
  const def = s.default === undefined ? '' : ` (default: ${String(s.default)})`;
  return {
    flag: s.flag,
    type: settingType(s),
    choices: s.kind.type === 'choice' ? s.kind.choices : undefined,
    describe: `${s.description}${def} [env\u00a0${s.env}]`,
  };
}

const ALL_OPTIONS: readonly OptionSpec[] = [...OPTIONS, ...SETTINGS.map(settingOption)];
const KNOWN_FLAGS = new Set(ALL_OPTIONS.map((o) => o.flag));
const KNOWN_SHORT = new Map(ALL_OPTIONS.filter((o) => o.short !== undefined).map((o) => [o.short as string, o.flag]));

/** Parses poli's arguments. Throws ConfigError (a usage error, exit 2) on unknown options or bad forms. */
export async function parseArgs(argv: readonly string[]): Promise<Command> {
  const parsed = parse(joinStdinDash(argv), {
    // Every value stays text (settings are validated by config.ts, which shows the text as typed).
    string: ALL_OPTIONS.filter((o) => o.type !== 'boolean').map((o) => o.flag),
    boolean: ALL_OPTIONS.filter((o) => o.type === 'boolean').map((o) => o.flag),
    alias: Object.fromEntries([...KNOWN_SHORT].map(([short, flag]) => [flag, [short]])),
    configuration: {
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'duplicate-arguments-array': false,
      'strip-aliased': true,
    },
  }) as Record<string, unknown> & { _: (string | number)[] };

  const positional = parsed._.map(String);
  const first = positional[0];
  const sub = SUBCOMMANDS.find((c) => c === first);

  // `poli help [command]`
  if (first === 'help') {
    const topic = positional[1];
    if (topic === undefined) return { kind: 'help', text: mainHelp() };
    const topicSub = SUBCOMMANDS.find((c) => c === topic);
    if (topicSub === undefined) throw new ConfigError(`no such command: ${topic}${suggest(topic, SUBCOMMANDS, '')}. Commands: ${SUBCOMMANDS.join(', ')}`);
    return { kind: 'help', text: commandHelp(topicSub) };
  }

  for (const key of Object.keys(parsed)) {
    if (key === '_' || KNOWN_FLAGS.has(key)) continue;
    const written = writtenOption(argv, key);
    const hint = key.length > 1 ? suggest(key, [...KNOWN_FLAGS], '--') : '';
    throw new ConfigError(`unknown option ${written}${hint}. Run \`poli --help\` for the options.`);
  }
  if (parsed['help'] === true) return { kind: 'help', text: sub === undefined ? mainHelp() : commandHelp(sub) };
  if (parsed['version'] === true) return { kind: 'version' };

  for (const option of ALL_OPTIONS) {
    const value = parsed[option.flag];
    if (option.choices === undefined || typeof value !== 'string' || option.choices.includes(value)) continue;
    if (option.flag === 'to' && sub === 'reply') continue; // reply's addressee is checked by the running poli
    throw new ConfigError(`invalid value for --${option.flag}: ${JSON.stringify(value)}; expected one of ${option.choices.join(', ')}`);
  }
  const context = sub ?? 'main';
  for (const [flag, owner] of Object.entries(OPTION_OWNER)) {
    if (parsed[flag] === undefined || owner === 'any' || owner === context) continue;
    if (typeof owner !== 'string' && sub !== undefined && owner.includes(sub)) continue;
    const where =
      owner === 'main' ? 'without a command (poli --state …, poli --task …)' : `with poli ${typeof owner === 'string' ? owner : owner.join(' or poli ')}`;
    const not = sub === undefined ? '' : `, not with poli ${sub}`;
    throw new ConfigError(`--${flag} goes ${where}${not}. Run \`poli --help\` for the options.`);
  }

  const flags: SettingFlags = {};
  for (const s of SETTINGS) {
    const value = parsed[s.flag];
    if (value !== undefined) flags[s.name] = value as string | boolean;
  }
  if (sub !== undefined) {
    if (sub !== 'say' && positional.length > 1) throw new ConfigError(`unexpected arguments after "${sub}": ${positional.slice(1).join(' ')}`);
    return subcommand(sub, parsed, positional.slice(1), flags);
  }
  if (first !== undefined) {
    throw new ConfigError(
      `unknown command "${first}"${suggest(first, SUBCOMMANDS, '')}. To run a task, quote it after --task: poli --task "your task". ` +
        'Run `poli --help` for the commands.',
    );
  }

  const state = parsed['state'] as string | undefined;
  const json = parsed['json'] === true;
  const format = parsed['format'] as 'text' | 'json' | 'md' | undefined;
  if (state === undefined) {
    if (json || format !== undefined) {
      throw new ConfigError(`--${json ? 'json' : 'format'} goes with --state: poli --state --json (all tasks) or poli --state ID --format md`);
    }
  } else {
    const id = state === '' ? undefined : state;
    if (id === undefined && format === 'md') throw new ConfigError('--format md needs a task id: poli --state ID --format md (list the ids with poli --state)');
    if (parsed['task'] !== undefined || parsed['task-file'] !== undefined || parsed['resume'] !== undefined) {
      throw new ConfigError('--state shows tasks; it does not go with --task, --task-file or --resume');
    }
    return { kind: 'state', id, format: format ?? (json ? 'json' : 'text'), flags };
  }
  const taskArg = parsed['task'] as string | undefined;
  const taskFile = parsed['task-file'] as string | undefined;
  if (taskArg !== undefined && taskArg.trim() === '') throw new ConfigError('--task needs a non-empty task text');
  if (taskFile === '') throw new ConfigError('--task-file needs a file name, or - for stdin: poli --task-file task.md');
  if (taskArg !== undefined && taskFile !== undefined) throw new ConfigError('use either --task or --task-file, not both');
  const resume = parsed['resume'] as string | undefined;
  if (resume !== undefined && (taskArg !== undefined || taskFile !== undefined)) throw new ConfigError('use either --task or --resume, not both');
  if (resume === '') throw new ConfigError('--resume needs a task id, e.g. --resume T3 (see poli --state)');
  // `--task -` reads stdin, as `--task-file -` does (a task text of a lone dash means nothing else).
  const source = taskArg === '-' ? '-' : taskFile;
  if (source !== undefined) return { kind: 'run', task: undefined, resume, flags, taskFile: source };
  return { kind: 'run', task: taskArg, resume, flags };
}

/** yargs-parser takes a lone `-` after an option for a positional argument: `--task -` becomes `--task=-`. */
function joinStdinDash(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if ((arg === '--task' || arg === '--task-file') && argv[i + 1] === '-') {
      out.push(`${arg}=-`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

function subcommand(sub: Subcommand, parsed: Record<string, unknown>, rest: string[], flags: SettingFlags): Command {
  switch (sub) {
    case 'start':
      return { kind: 'start', flags };
    case 'say': {
      const to = parsed['to'] as string | undefined;
      const text = rest.join(' ');
      if (!to) throw new ConfigError('say needs --to planner or --to executer, e.g. poli say --to planner "check the tests"');
      if (text.trim() === '') throw new ConfigError('say needs the text of the note, e.g. poli say --to planner "check the tests"');
      return { kind: 'control', command: { kind: 'say', to: to.toUpperCase() as Role, text }, flags };
    }
    case 'pause':
    case 'resume':
    case 'stop':
      return { kind: 'control', command: { kind: sub }, flags };
    case 'status':
      return { kind: 'status', short: parsed['short'] === true, flags };
    case 'attach':
      return { kind: 'attach', flags };
    case 'watch':
      return { kind: 'watch', all: parsed['all'] === true, flags };
    case 'mcp':
      return { kind: 'mcp', flags };
    case 'reply': {
      const [id, to, type] = (['id', 'to', 'type'] as const).map((name) => parsed[name] as string | undefined);
      const example = 'e.g. poli reply --id T3-R2-k9x2m4 --to PLANNER --type result < body.md';
      if (!id || !to || !type) throw new ConfigError(`reply needs --id, --to and --type (the body comes on stdin), ${example}`);
      const extraText = parsed['extra'] as string | undefined;
      let extra: Record<string, unknown> | undefined;
      if (extraText !== undefined) {
        let value: unknown;
        try {
          value = JSON.parse(extraText);
        } catch (error) {
          throw new ConfigError(`--extra must be a JSON object: ${(error as Error).message}`);
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError('--extra must be a JSON object, e.g. {"progress":0.5}');
        extra = value as Record<string, unknown>;
      }
      return { kind: 'reply', id, to, type, extra, flags };
    }
  }
}

/** The option as the user wrote it (`--bogus`, `-x`, `--no-bogus`), for error messages. */
function writtenOption(argv: readonly string[], key: string): string {
  for (const arg of argv) {
    if (arg === '--') break;
    const name = arg.replace(/=.*$/s, '');
    if (name === `--${key}` || name === `-${key}` || name === `--no-${key}`) return name;
  }
  return key.length === 1 ? `-${key}` : `--${key}`;
}

/** ` (did you mean --state?)` when a known name is close to `word`, else ''. */
function suggest(word: string, known: readonly string[], prefix: string): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = candidate.startsWith(word) && word.length >= 3 ? 1 : editDistance(word, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? ` (did you mean ${prefix}${best}?)` : '';
}

/** Levenshtein distance, counting a swap of two neighbours as one edit. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}

// ---- help ------------------------------------------------------------------------------------

function mainHelp(): string {
  const commands: [string, string][] = [
    ...SUBCOMMANDS.map((c): [string, string] => [`poli ${c}`, COMMANDS[c].describe]),
    ['poli help [command]', 'show this help, or a command\'s (also: poli COMMAND --help)'],
  ];
  const own = OPTIONS.filter((o) => OPTION_OWNER[o.flag] === 'main' || OPTION_OWNER[o.flag] === 'any');
  return [
    USAGE,
    '',
    'Commands:',
    ...columns(commands),
    '',
    'Options:',
    ...columns(own.map(optionRow)),
    '',
    'Settings (every command takes them; the first found wins: flag, environment,',
    '.env, config/shared_workspace.env, default):',
    ...columns(SETTINGS.map(settingOption).map(optionRow)),
  ].join('\n');
}

function commandHelp(sub: Subcommand): string {
  const spec = COMMANDS[sub];
  const own = OPTIONS.filter((o) => {
    const owner = OPTION_OWNER[o.flag];
    return owner === sub || (Array.isArray(owner) && owner.includes(sub)) || o.flag === 'help';
  });
  const settings = SETTINGS.filter((s) => spec.settings === 'all' || spec.settings.includes(s.flag)).map(settingOption);
  const shown = sub === 'reply' ? own.map((o) => (o.flag === 'to' ? { ...o, choices: undefined, describe: 'The addressee: PLANNER, EXECUTER or ORCHESTRATOR' } : o)) : own;
  const usage = wrap(spec.usage, HELP_WIDTH - 'Usage: '.length).map((line, i) => `${i === 0 ? 'Usage: ' : '       '}${line}`);
  const about = wrap(`${spec.describe[0]!.toUpperCase()}${spec.describe.slice(1)}.`, HELP_WIDTH);
  const lines = [...usage, '', ...about, '', 'Options:', ...columns(shown.map(optionRow))];
  if (settings.length > 0) lines.push('', 'Settings:', ...columns(settings.map(optionRow)));
  if (spec.settings !== 'all') lines.push('', 'Every setting of `poli --help` is accepted too.');
  return lines.join('\n');
}

function optionRow(o: OptionSpec): [string, string] {
  const name = o.short === undefined ? `    --${o.flag}` : `-${o.short}, --${o.flag}`;
  const type = o.choices !== undefined ? `[choices:\u00a0${o.choices.join(',\u00a0')}]` : `[${o.type}]`;
  return [name, `${o.describe} ${type}`];
}

/** Two columns, indented by two spaces, the right one word-wrapped to HELP_WIDTH. */
function columns(rows: readonly [string, string][]): string[] {
  const left = Math.min(Math.max(...rows.map(([l]) => l.length)) + 2, 40);
  const right = HELP_WIDTH - 2 - left;
  const out: string[] = [];
  for (const [l, r] of rows) {
    const wrapped = wrap(r, right);
    out.push(l.length + 2 > left ? `  ${l}` : `  ${l.padEnd(left)}${wrapped.shift() ?? ''}`);
    for (const line of wrapped) out.push(`  ${' '.repeat(left)}${line}`);
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  // A no-break space keeps `[env POLI_X]` and `[choices: a, b]` on one line.
  return lines.map((l) => l.replace(/\u00a0/g, ' '));
}
