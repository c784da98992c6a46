/**
 * The command line, declared with yargs (the only module that imports it). Parsing is pure:
 * argv in, a typed command out. Settings flags are passed on only when given, so that
 * resolveSettings can apply flags > environment > .env > shared_workspace.env > defaults.
 */
import yargs from 'yargs';
import { SETTINGS, type FlagValues } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { ControlCommand } from '../human/control.ts';
import type { Role } from '../protocol/types.ts';

export type SettingFlags = FlagValues;

export type Command =
  | { kind: 'run'; task: string | undefined; resume: string | undefined; flags: SettingFlags }
  | { kind: 'state'; id: string | undefined; format: 'text' | 'json' | 'md'; flags: SettingFlags }
  | { kind: 'start'; flags: SettingFlags }
  /** say / pause / resume / stop: a command for the poli process running on the socket. */
  | { kind: 'control'; command: ControlCommand; flags: SettingFlags }
  | { kind: 'status'; short: boolean; flags: SettingFlags }
  | { kind: 'attach'; flags: SettingFlags }
  | { kind: 'watch'; all: boolean; flags: SettingFlags }
  | { kind: 'help'; text: string };

const SUBCOMMANDS = ['start', 'say', 'pause', 'resume', 'stop', 'status', 'attach', 'watch'] as const;

const USAGE = `poli — a PLANNER and an EXECUTER AI coding CLI working on one task, in tmux

Usage:
  poli --task "TEXT" [options]     run one task; exit 0 when it completed
  poli [options]                   interactive mode: a poli> prompt takes task after task
  poli --state [ID] [--json]       list tasks, or show one task's messages
  poli --resume ID                 continue an interrupted, failed or timed-out task
  poli start                       start and prime the tmux session, then exit

From another terminal, while a task runs:
  poli say --to planner|executer "TEXT"   a note for that CLI, delivered with its next message
  poli pause | poli resume | poli stop     hold, release, or end the running task
  poli status --short                      one line: poli T3 r2 EXECUTER 01:12
  poli watch [--all]                       follow the event stream (--all: from the start)
  poli attach                              attach to the tmux session (watch or step in)`;

/** Parses poli's arguments. Throws ConfigError on unknown options or bad forms. */
export async function parseArgs(argv: readonly string[]): Promise<Command> {
  const parser = yargs([...argv])
    .scriptName('poli')
    .help(false)
    .version(false)
    .usage(USAGE)
    .command('start', 'start and prime the tmux session with both CLIs, then exit')
    .command('say <text..>', 'deliver a note from you to the PLANNER or EXECUTER at its next message')
    .command('pause', 'hold the running task')
    .command('resume', 'release a paused task')
    .command('stop', 'end the running task as interrupted')
    .command('status', 'print the running task\'s status (--short: one line for a status bar)')
    .command('attach', 'attach to poli\'s tmux session')
    .command('watch', 'follow the event stream (logs/events.jsonl)')
    .option('to', { choices: ['planner', 'executer', 'PLANNER', 'EXECUTER'] as const, describe: 'With say: who gets the note' })
    .option('short', { type: 'boolean', describe: 'With status: one line' })
    .option('all', { type: 'boolean', describe: 'With watch: from the start of the stream' })
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
  const sub = positional[0] as (typeof SUBCOMMANDS)[number] | undefined;
  if (sub !== undefined && SUBCOMMANDS.includes(sub)) {
    if (positional.length > 1) throw new ConfigError(`unexpected arguments after "${sub}": ${positional.slice(1).join(' ')}`);
    return subcommand(sub, parsed, flags);
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

function subcommand(sub: (typeof SUBCOMMANDS)[number], parsed: Record<string, unknown>, flags: SettingFlags): Command {
  switch (sub) {
    case 'start':
      return { kind: 'start', flags };
    case 'say': {
      const to = parsed['to'] as string | undefined;
      const text = ((parsed['text'] as (string | number)[] | undefined) ?? []).map(String).join(' ');
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
  }
}
