/**
 * The command line: one declarative table of commands and options (options.ts, plus the settings table of
 * settings.ts), parsed with yargs-parser here and rendered as help by help.ts. Parsing is pure: argv in, a
 * typed command out. Settings flags are passed on only when given, so that resolveSettings can
 * apply flags > environment > .env > shared_workspace.env > defaults.
 *
 * Not yargs itself: loading it (cliui, string-width, y18n) took longer than everything else
 * `poli status --short` does, and a tmux status bar runs that every few seconds.
 */
import parse from 'yargs-parser';
import { SETTINGS, type FlagValues } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { ControlCommand } from '../human/control.ts';
import type { Role } from '../protocol/types.ts';
import { commandHelp, mainHelp } from './help.ts';
import { ALL_OPTIONS, KNOWN_FLAGS, KNOWN_SHORT, OPTION_OWNER, SUBCOMMANDS, type Subcommand } from './options.ts';
import { queueAction, type QueueAction } from './queue-args.ts';
import { QUEUE_SUBCOMMANDS } from './queue-options.ts';
import { serveAddress, type ServeAddress } from './serve-options.ts';
import { suggest } from './suggest.ts';
import { budgetOption } from './budget-option.ts';

export { SUBCOMMANDS, type Subcommand } from './options.ts';
export { editDistance } from './suggest.ts';

export type SettingFlags = FlagValues;

export type Command =
  /** `taskFile`: where to read the task (`-` for stdin) with --task-file FILE or --task -; `task` is then undefined. */
  | { kind: 'run'; task: string | undefined; resume: string | undefined; flags: SettingFlags; taskFile?: string; budget?: number }
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
  /** `poli serve` (issue 21): the dashboard. */
  | { kind: 'serve'; address: ServeAddress; flags: SettingFlags }
  /** `poli resume --queue-budget N`: the running `poli work`'s --queue-budget raised (src/queue/queue-budget.ts). */
  | { kind: 'queue-budget'; limit: number; flags: SettingFlags }
  /** The queue's commands (issue 20): add, queue, work, ps, logs, merge, retry. */
  | { kind: 'queue'; action: QueueAction; flags: SettingFlags }
  | { kind: 'help'; text: string }
  | { kind: 'version' };

/** What yargs-parser makes of argv: each option by its long name, the positional arguments in `_`. */
type Parsed = Record<string, unknown> & { _: (string | number)[] };

/** Parses poli's arguments. Throws ConfigError (a usage error, exit 2) on unknown options or bad forms. */
export async function parseArgs(argv: readonly string[]): Promise<Command> {
  const parsed = parseArgv(argv);
  const positional = parsed._.map(String);
  const first = positional[0];
  const sub = SUBCOMMANDS.find((c) => c === first);

  // `poli help [command]`
  if (first === 'help') return helpCommand(positional[1]);

  checkKnownOptions(parsed, argv);
  if (parsed['help'] === true) return { kind: 'help', text: sub === undefined ? mainHelp() : commandHelp(sub) };
  if (parsed['version'] === true) return { kind: 'version' };
  checkChoices(parsed, sub);
  checkOwners(parsed, sub);

  const queueSub = QUEUE_SUBCOMMANDS.find((c) => c === sub);
  if (queueSub !== undefined) return { kind: 'queue', action: queueAction(queueSub, parsed, positional.slice(1)), flags: settingFlags(parsed) };
  if (sub === 'serve') {
    if (positional.length > 1) throw new ConfigError(`unexpected arguments after "serve": ${positional.slice(1).join(' ')}`);
    return { kind: 'serve', address: serveAddress(parsed), flags: settingFlags(parsed) };
  }
  if (sub !== undefined) {
    const { rest, flags } = taskSession(sub, positional.slice(1), settingFlags(parsed));
    if (sub !== 'say' && rest.length > 0) throw new ConfigError(`unexpected arguments after "${sub}": ${rest.join(' ')}`);
    return subcommand(sub as Exclude<Subcommand, (typeof QUEUE_SUBCOMMANDS)[number] | 'serve'>, parsed, rest, flags);
  }
  const flags = settingFlags(parsed);
  if (first !== undefined) {
    throw new ConfigError(
      `unknown command "${first}"${suggest(first, SUBCOMMANDS, '')}. To run a task, quote it after --task: poli --task "your task". ` +
        'Run `poli --help` for the commands.',
    );
  }
  return parsed['state'] === undefined ? runCommand(parsed, flags) : stateCommand(parsed, flags);
}

function parseArgv(argv: readonly string[]): Parsed {
  return parse(joinStdinDash(argv), {
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
  }) as Parsed;
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

/** `poli help [command]`. */
function helpCommand(topic: string | undefined): Command {
  if (topic === undefined) return { kind: 'help', text: mainHelp() };
  const topicSub = SUBCOMMANDS.find((c) => c === topic);
  if (topicSub === undefined) throw new ConfigError(`no such command: ${topic}${suggest(topic, SUBCOMMANDS, '')}. Commands: ${SUBCOMMANDS.join(', ')}`);
  return { kind: 'help', text: commandHelp(topicSub) };
}

/** Every option given is one poli knows (a close known name is suggested). */
function checkKnownOptions(parsed: Parsed, argv: readonly string[]): void {
  for (const key of Object.keys(parsed)) {
    if (key === '_' || KNOWN_FLAGS.has(key)) continue;
    const written = writtenOption(argv, key);
    const hint = key.length > 1 ? suggest(key, [...KNOWN_FLAGS], '--') : '';
    throw new ConfigError(`unknown option ${written}${hint}. Run \`poli --help\` for the options.`);
  }
}

/** An option with choices has one of them. */
function checkChoices(parsed: Parsed, sub: Subcommand | undefined): void {
  for (const option of ALL_OPTIONS) {
    const value = parsed[option.flag];
    if (option.choices === undefined || typeof value !== 'string' || option.choices.includes(value)) continue;
    if (option.flag === 'to' && sub === 'reply') continue; // reply's addressee is checked by the running poli
    throw new ConfigError(`invalid value for --${option.flag}: ${JSON.stringify(value)}; expected one of ${option.choices.join(', ')}`);
  }
}

/** Each option goes with the command it belongs to (OPTION_OWNER). */
function checkOwners(parsed: Parsed, sub: Subcommand | undefined): void {
  const context = sub ?? 'main';
  for (const [flag, owner] of Object.entries(OPTION_OWNER)) {
    if (parsed[flag] === undefined || owner === 'any' || owner === context) continue;
    if (typeof owner !== 'string' && owner.includes(context)) continue;
    const owners = typeof owner === 'string' ? [owner] : owner;
    const where = owners.map((o) => (o === 'main' ? 'without a command (poli --state …, poli --task …)' : `with poli ${o}`)).join(' or ');
    const not = sub === undefined ? '' : `, not with poli ${sub}`;
    throw new ConfigError(`--${flag} goes ${where}${not}. Run \`poli --help\` for the options.`);
  }
}

/** The settings given as flags, and only those (flags > environment > files > defaults is resolveSettings' to apply). */
function settingFlags(parsed: Parsed): SettingFlags {
  const flags: SettingFlags = {};
  for (const s of SETTINGS) {
    const value = parsed[s.flag];
    if (value !== undefined) flags[s.name] = value as string | boolean;
  }
  return flags;
}

/** A task's id as the queue names it, and the tmux session its pair runs in: `T7`. */
const TASK_ID = /^T\d+$/;

/** The commands that take a task first (`poli stop T7`): the task names the session of the poli they go to. */
export const TASK_COMMANDS: readonly Subcommand[] = ['say', 'pause', 'resume', 'stop', 'status', 'attach'];

/**
 * `poli say T7 --to executer "…"`, `poli stop T7`: a first argument that is a task id means `--session T7`. `poli say
 * --to executer T7` keeps T7 as the note (a note needs a text after the task).
 */
function taskSession(sub: Subcommand, args: string[], flags: SettingFlags): { rest: string[]; flags: SettingFlags } {
  const [first, ...rest] = args;
  if (!TASK_COMMANDS.includes(sub) || first === undefined || !TASK_ID.test(first) || (sub === 'say' && rest.length === 0)) return { rest: args, flags };
  if (flags.session !== undefined && flags.session !== first) {
    throw new ConfigError(`poli ${sub} ${first} goes to the session of task ${first}, but --session says ${String(flags.session)}: give one of them`);
  }
  return { rest, flags: { ...flags, session: first } };
}

/** `poli --state [ID] [--json | --format text|json|md]`. */
function stateCommand(parsed: Parsed, flags: SettingFlags): Command {
  const state = parsed['state'] as string;
  const json = parsed['json'] === true;
  const format = parsed['format'] as 'text' | 'json' | 'md' | undefined;
  const id = state === '' ? undefined : state;
  if (id === undefined && format === 'md') throw new ConfigError('--format md needs a task id: poli --state ID --format md (list the ids with poli --state)');
  if (parsed['task'] !== undefined || parsed['task-file'] !== undefined || parsed['resume'] !== undefined) {
    throw new ConfigError('--state shows tasks; it does not go with --task, --task-file or --resume');
  }
  return { kind: 'state', id, format: format ?? (json ? 'json' : 'text'), flags };
}

/** `poli --task TEXT`, `poli --task-file FILE`, `poli --resume ID`, or `poli` alone (the prompt). */
function runCommand(parsed: Parsed, flags: SettingFlags): Command {
  const json = parsed['json'] === true;
  if (json || parsed['format'] !== undefined) {
    throw new ConfigError(`--${json ? 'json' : 'format'} goes with --state: poli --state --json (all tasks) or poli --state ID --format md`);
  }
  const taskArg = parsed['task'] as string | undefined;
  const taskFile = parsed['task-file'] as string | undefined;
  if (taskArg !== undefined && taskArg.trim() === '') throw new ConfigError('--task needs a non-empty task text');
  if (taskFile === '') throw new ConfigError('--task-file needs a file name, or - for stdin: poli --task-file task.md');
  if (taskArg !== undefined && taskFile !== undefined) throw new ConfigError('use either --task or --task-file, not both');
  const resume = parsed['resume'] as string | undefined;
  if (resume !== undefined && (taskArg !== undefined || taskFile !== undefined)) throw new ConfigError('use either --task or --resume, not both');
  if (resume === '') throw new ConfigError('--resume needs a task id, e.g. --resume T3 (see poli --state)');
  const budget = budgetOption(parsed, 'budget');
  const withBudget = budget === undefined ? {} : { budget };
  // `--task -` reads stdin, as `--task-file -` does (a task text of a lone dash means nothing else).
  const source = taskArg === '-' ? '-' : taskFile;
  if (source !== undefined) return { kind: 'run', task: undefined, resume, flags, taskFile: source, ...withBudget };
  return { kind: 'run', task: taskArg, resume, flags, ...withBudget };
}


function subcommand(sub: Exclude<Subcommand, (typeof QUEUE_SUBCOMMANDS)[number] | 'serve'>, parsed: Parsed, rest: string[], flags: SettingFlags): Command {
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
    case 'resume': {
      const queueBudget = budgetOption(parsed, 'queue-budget');
      const budget = budgetOption(parsed, 'budget');
      if (queueBudget !== undefined) {
        if (budget !== undefined || flags.session !== undefined) throw new ConfigError('--queue-budget raises the budget of the poli work run: give it alone, poli resume --queue-budget 30');
        return { kind: 'queue-budget', limit: queueBudget, flags };
      }
      return { kind: 'control', command: budget === undefined ? { kind: 'resume' } : { kind: 'resume', budget }, flags };
    }
    case 'pause':
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
    case 'reply':
      return replyCommand(parsed, flags);
  }
}

/** `poli reply --id ID --to ROLE --type TYPE [--extra JSON]` (the body comes on stdin, read by the reply command). */
function replyCommand(parsed: Parsed, flags: SettingFlags): Command {
  const [id, to, type] = (['id', 'to', 'type'] as const).map((name) => parsed[name] as string | undefined);
  const example = 'e.g. poli reply --id T3-R2-k9x2m4 --to PLANNER --type result < body.md';
  if (!id || !to || !type) throw new ConfigError(`reply needs --id, --to and --type (the body comes on stdin), ${example}`);
  const extraText = parsed['extra'] as string | undefined;
  return { kind: 'reply', id, to, type, extra: extraText === undefined ? undefined : parseExtra(extraText), flags };
}

function parseExtra(extraText: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(extraText);
  } catch (error) {
    throw new ConfigError(`--extra must be a JSON object: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError('--extra must be a JSON object, e.g. {"progress":0.5}');
  return value as Record<string, unknown>;
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
