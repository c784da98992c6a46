/**
 * The command line, declared with yargs (the only module that imports it). Parsing is pure:
 * argv in, a typed command out. Settings flags are passed on only when given, so that
 * resolveSettings can apply flags > environment > .env > shared_workspace.env > defaults.
 */
import yargs from 'yargs';
import { SETTINGS, type FlagValues } from '../config.ts';
import { ConfigError } from '../errors.ts';

export type SettingFlags = FlagValues;

export type Command =
  | { kind: 'run'; task: string | undefined; resume: string | undefined; flags: SettingFlags }
  | { kind: 'state'; id: string | undefined; format: 'text' | 'json' | 'md'; flags: SettingFlags }
  | { kind: 'start'; flags: SettingFlags }
  | { kind: 'help'; text: string };

const USAGE = `poli — a PLANNER and an EXECUTER AI coding CLI working on one task, in tmux

Usage:
  poli --task "TEXT" [options]     run one task; exit 0 when it completed
  poli [options]                   interactive mode: a poli> prompt takes task after task
  poli --state [ID] [--json]       list tasks, or show one task's messages
  poli --resume ID                 continue an interrupted, failed or timed-out task
  poli start                       start and prime the tmux session, then exit

Watch or step in: tmux -L poli attach`;

/** Parses poli's arguments. Throws ConfigError on unknown options or bad forms. */
export async function parseArgs(argv: readonly string[]): Promise<Command> {
  const parser = yargs([...argv])
    .scriptName('poli')
    .help(false)
    .version(false)
    .usage(USAGE)
    .command('start', 'start and prime the tmux session with both CLIs, then exit')
    .option('task', { type: 'string', describe: 'Run this task and exit' })
    .option('state', { type: 'string', describe: 'Show tasks (all, or the one with this id)' })
    .option('json', { type: 'boolean', describe: 'With --state: print JSON' })
    .option('format', { choices: ['text', 'json', 'md'] as const, describe: 'With --state ID: output format' })
    .option('resume', { type: 'string', describe: 'Continue the task with this id' })
    .option('help', { alias: 'h', type: 'boolean', describe: 'Show this help' });
  for (const s of SETTINGS) {
    const type = s.kind.type === 'boolean' ? 'boolean' : 'string';
    const def = s.default === undefined ? '' : ` (default: ${String(s.default)})`;
    parser.option(s.flag, { type, describe: `${s.description}${def} [env ${s.env}]` });
  }
  parser
    .strict()
    .wrap(110)
    .exitProcess(false)
    .fail((message, error) => {
      const hint = /Unknown argument/.test(message ?? '') ? ' To run a task, quote it after --task: poli --task "your task".' : '';
      throw new ConfigError(`${message ?? error?.message ?? 'invalid arguments'}.${hint} Run \`poli --help\` for the options.`);
    });
  const parsed = parser.parse() as Record<string, unknown>;
  if (parsed['help']) return { kind: 'help', text: await parser.getHelp() };

  const flags: SettingFlags = {};
  for (const s of SETTINGS) {
    const value = parsed[s.flag];
    if (value !== undefined) flags[s.name] = value as string | boolean;
  }
  const positional = (parsed['_'] as (string | number)[]).map(String);
  if (positional[0] === 'start') {
    if (positional.length > 1) throw new ConfigError(`unexpected arguments after "start": ${positional.slice(1).join(' ')}`);
    return { kind: 'start', flags };
  }
  const state = parsed['state'] as string | undefined;
  if (state !== undefined) {
    const json = parsed['json'] === true;
    const format = (parsed['format'] as 'text' | 'json' | 'md' | undefined) ?? (json ? 'json' : 'text');
    return { kind: 'state', id: state === '' ? undefined : state, format, flags };
  }
  const task = parsed['task'] as string | undefined;
  if (task !== undefined && task.trim() === '') throw new ConfigError('--task needs a non-empty task text');
  const resume = parsed['resume'] as string | undefined;
  if (resume !== undefined && task !== undefined) throw new ConfigError('use either --task or --resume, not both');
  if (resume === '') throw new ConfigError('--resume needs a task id, e.g. --resume T3 (see poli --state)');
  return { kind: 'run', task, resume, flags };
}
