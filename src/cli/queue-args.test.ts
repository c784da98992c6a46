import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { parseArgs } from './args.ts';

async function action(argv: string[]): Promise<unknown> {
  const command = await parseArgs(argv);
  if (command.kind !== 'queue') throw new Error(`poli ${argv.join(' ')} gave ${command.kind}, not a queue command`);
  return command.action;
}

async function usageError(argv: string[]): Promise<string> {
  const error = await parseArgs(argv).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `poli ${argv.join(' ')} is a usage error`).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('queue commands: the forms', () => {
  it('reads poli add with its options, ids of --after trimmed and once each', async () => {
    expect(await action(['add', 'do', 'it', '--priority', 'high', '--after', 'T1, T2,T1', '--type', 'docs', '--retries', '3'])).toEqual({
      verb: 'add', text: 'do it', taskFile: undefined, priority: 'high', after: ['T1', 'T2'], type: 'docs', retries: 3,
    });
    expect(await action(['add', 'x'])).toEqual({ verb: 'add', text: 'x', taskFile: undefined, priority: 'normal', after: [], type: undefined, retries: 1 });
    expect(await action(['add', '-'])).toMatchObject({ text: undefined, taskFile: '-' });
    expect(await action(['add', '--task-file', 'f.md'])).toMatchObject({ text: undefined, taskFile: 'f.md' });
    expect(await parseArgs(['add', 'x', '--planner-cmd', 'claude'])).toMatchObject({ kind: 'queue', flags: { plannerCmd: 'claude' } });
  });

  it('reads poli queue, ps, work, logs, merge and retry', async () => {
    expect(await action(['queue'])).toEqual({ verb: 'queue', all: false, json: false });
    expect(await action(['queue', '--all', '--json'])).toEqual({ verb: 'queue', all: true, json: true });
    expect(await action(['ps', '--json'])).toEqual({ verb: 'ps', json: true });
    expect(await action(['work'])).toEqual({ verb: 'work', parallel: 2, check: undefined, strategy: 'merge', mergeRetries: 2, watch: false });
    expect(await action(['work', '--parallel', 'auto', '--check', 'npm test', '--strategy', 'rebase', '--merge-retries', '0', '--watch'])).toEqual({
      verb: 'work', parallel: 'auto', check: 'npm test', strategy: 'rebase', mergeRetries: 0, watch: true,
    });
    expect(await action(['work', '--parallel', '4'])).toMatchObject({ parallel: 4 });
    expect(await parseArgs(['work', '--approve', 'plans'])).toMatchObject({ kind: 'queue', action: { verb: 'work' }, flags: { approve: 'plans' } });
    expect(await action(['logs', 'T3', '-f'])).toEqual({ verb: 'logs', id: 'T3', follow: true });
    expect(await action(['logs', 'T3'])).toEqual({ verb: 'logs', id: 'T3', follow: false });
    expect(await action(['merge', 'T3'])).toEqual({ verb: 'merge', id: 'T3' });
    expect(await action(['retry', 'T4'])).toEqual({ verb: 'retry', id: 'T4' });
  });
});

describe('queue commands: usage errors say what would be right', () => {
  it.each([
    [['add', 'x', '--task-file', 'f'], 'poli add takes the task as text or with --task-file, not both'],
    [['add', ' '], 'poli add needs a non-empty task text, e.g. poli add "Add a --verbose flag"'],
    [['add', 'x', '--after', 'T1,x3'], '--after takes task ids separated by commas, e.g. --after T3,T4; "x3" is not one'],
    [['add', 'x', '--retries', '-1'], '--retries needs a whole number from 0 to 1000; got "-1"'],
    [['add', 'x', '--priority', 'urgent'], 'invalid value for --priority: "urgent"; expected one of high, normal, low'],
    [['work', '--parallel', '0'], '--parallel needs at least 1 (or auto)'],
    [['work', '--parallel', 'many'], '--parallel needs a whole number from 0 to 1000 (or auto); got "many"'],
    [['work', '--check', ' '], '--check needs a command, e.g. --check "npm test"'],
    [['work', '--merge-retries', '1001'], '--merge-retries needs a whole number from 0 to 1000; got "1001"'],
    [['work', '--strategy', 'squash'], 'invalid value for --strategy: "squash"; expected one of merge, rebase'],
    [['queue', 'extra'], 'unexpected arguments after "queue": extra'],
    [['work', 'now'], 'unexpected arguments after "work": now'],
    [['logs'], 'poli logs needs one task id, e.g. poli logs T7 (see poli queue)'],
    [['merge', 'T3', 'T4'], 'poli merge needs one task id, e.g. poli merge T7 (see poli queue)'],
    [['retry', '7'], 'poli retry needs one task id, e.g. poli retry T7 (see poli queue)'],
    [['add', 'x', '--parallel', '2'], '--parallel goes with poli work, not with poli add. Run `poli --help` for the options.'],
    [['work', '--priority', 'high'], '--priority goes with poli add, not with poli work. Run `poli --help` for the options.'],
  ])('poli %j', async (argv, message) => {
    expect(await usageError(argv)).toBe(message);
  });
});
