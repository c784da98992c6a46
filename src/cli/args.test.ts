import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { SETTINGS } from '../settings.ts';
import { editDistance, parseArgs, SUBCOMMANDS } from './args.ts';

async function usageError(argv: string[]): Promise<string> {
  const error = await parseArgs(argv).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `poli ${argv.join(' ')} is a usage error`).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

async function helpText(argv: string[]): Promise<string> {
  const command = await parseArgs(argv);
  if (command.kind !== 'help') throw new Error(`poli ${argv.join(' ')} gave ${command.kind}, not help`);
  return command.text;
}

describe('parseArgs: commands', () => {
  it('reads a task, a resume, and settings flags as text (config.ts validates them)', async () => {
    expect(await parseArgs(['--task', 'do it', '--max-rounds', '5', '--mock'])).toEqual({
      kind: 'run',
      task: 'do it',
      resume: undefined,
      flags: { maxRounds: '5', mock: true },
    });
    expect(await parseArgs(['--resume', 'T3'])).toMatchObject({ kind: 'run', resume: 'T3' });
    expect(await parseArgs([])).toEqual({ kind: 'run', task: undefined, resume: undefined, flags: {} });
    expect(await parseArgs(['--no-kill-on-exit'])).toMatchObject({ flags: { killOnExit: false } });
  });

  it('reads --state with and without an id and its formats', async () => {
    expect(await parseArgs(['--state'])).toEqual({ kind: 'state', id: undefined, format: 'text', flags: {} });
    expect(await parseArgs(['--state', '--json', '--state-dir', '/s'])).toEqual({ kind: 'state', id: undefined, format: 'json', flags: { stateDir: '/s' } });
    expect(await parseArgs(['--state', 'T3', '--format', 'md'])).toMatchObject({ kind: 'state', id: 'T3', format: 'md' });
    expect(await parseArgs(['--state', 'T3', '--json'])).toMatchObject({ kind: 'state', id: 'T3', format: 'json' });
  });

  it('reads every subcommand, with settings flags', async () => {
    expect(await parseArgs(['say', '--to', 'planner', 'check', 'the tests'])).toEqual({
      kind: 'control',
      command: { kind: 'say', to: 'PLANNER', text: 'check the tests' },
      flags: {},
    });
    expect(await parseArgs(['status', '--short', '--socket', 's1'])).toEqual({ kind: 'status', short: true, flags: { socket: 's1' } });
    expect(await parseArgs(['watch', '--all'])).toMatchObject({ kind: 'watch', all: true });
    expect(await parseArgs(['pause'])).toMatchObject({ kind: 'control', command: { kind: 'pause' } });
    expect(await parseArgs(['start', '--mock'])).toEqual({ kind: 'start', flags: { mock: true } });
    expect(await parseArgs(['attach'])).toMatchObject({ kind: 'attach' });
  });

  it('reads a task first as the session of that task\'s pair (poli say T7 …, poli stop T7)', async () => {
    expect(await parseArgs(['say', 'T7', '--to', 'executer', 'use the fixture'])).toEqual({
      kind: 'control',
      command: { kind: 'say', to: 'EXECUTER', text: 'use the fixture' },
      flags: { session: 'T7' },
    });
    for (const kind of ['pause', 'resume', 'stop'] as const) {
      expect(await parseArgs([kind, 'T12'])).toEqual({ kind: 'control', command: { kind }, flags: { session: 'T12' } });
    }
    expect(await parseArgs(['attach', 'T7'])).toEqual({ kind: 'attach', flags: { session: 'T7' } });
    expect(await parseArgs(['status', 'T7', '--short'])).toEqual({ kind: 'status', short: true, flags: { session: 'T7' } });
    expect(await parseArgs(['stop', 'T7', '--session', 'T7', '--socket', 's1'])).toEqual({ kind: 'control', command: { kind: 'stop' }, flags: { session: 'T7', socket: 's1' } });
    expect(await parseArgs(['pause', '--session', 'A'])).toEqual({ kind: 'control', command: { kind: 'pause' }, flags: { session: 'A' } });
  });

  it('keeps a lone task-like word after say as the note, and the forms without a task as they were', async () => {
    expect(await parseArgs(['say', '--to', 'executer', 'T7'])).toEqual({ kind: 'control', command: { kind: 'say', to: 'EXECUTER', text: 'T7' }, flags: {} });
    expect(await parseArgs(['say', '--to', 'planner', 'T7x', 'is', 'done'])).toEqual({
      kind: 'control',
      command: { kind: 'say', to: 'PLANNER', text: 'T7x is done' },
      flags: {},
    });
    expect(await parseArgs(['stop'])).toEqual({ kind: 'control', command: { kind: 'stop' }, flags: {} });
  });

  it('refuses a task that contradicts --session, and anything else after a task', async () => {
    expect(await usageError(['stop', 'T7', '--session', 'T8'])).toBe('poli stop T7 goes to the session of task T7, but --session says T8: give one of them');
    expect(await usageError(['pause', 'T7', 'now'])).toBe('unexpected arguments after "pause": now');
    expect(await usageError(['watch', 'T7'])).toBe('unexpected arguments after "watch": T7');
    expect(await usageError(['pause', 't7'])).toBe('unexpected arguments after "pause": t7');
  });

  it('prints the version with --version and -V', async () => {
    expect(await parseArgs(['--version'])).toEqual({ kind: 'version' });
    expect(await parseArgs(['-V'])).toEqual({ kind: 'version' });
  });
});

describe('parseArgs: help', () => {
  it('--help, -h and `help` give the main help with the Usage block as written (indentation kept)', async () => {
    const text = await helpText(['--help']);
    expect(await helpText(['-h'])).toBe(text);
    expect(await helpText(['help'])).toBe(text);
    expect(text).toContain('\nUsage:\n  poli --task "TEXT" [options]     run one task; exit 0 when it completed\n');
    expect(text).toContain('\n  poli say             deliver a note from you to the PLANNER or EXECUTER at its\n');
    for (const sub of SUBCOMMANDS) expect(text).toMatch(new RegExp(`^  poli ${sub} `, 'm'));
    expect(text).toMatch(/^ {2}poli help \[command\]/m);
  });

  it('fits an 80-column terminal and lists each command once', async () => {
    for (const argv of [['--help'], ...SUBCOMMANDS.map((sub) => [sub, '--help'])]) {
      const text = await helpText(argv);
      expect(text.split('\n').filter((line) => [...line].length > 80), argv.join(' ')).toEqual([]);
    }
    const text = await helpText(['--help']);
    for (const sub of SUBCOMMANDS) expect(text.match(new RegExp(`^ +poli ${sub}\\b`, 'gm')), sub).toHaveLength(1);
  });

  it('types numeric settings as numbers, booleans as booleans, and shows every setting', async () => {
    const text = await helpText(['--help']);
    // An option's row with its wrapped continuation lines, up to the next option or section.
    const rows = text.split(/\n(?=\S|\s*(?:-\w, )?--)/);
    const row = (flag: string) => rows.find((r) => r.trimStart().startsWith(`--${flag} `)) ?? '';
    for (const flag of ['max-rounds', 'plan-timeout', 'exec-timeout', 'restarts', 'poll-ms', 'file-threshold']) expect(row(flag)).toContain('[number]');
    expect(row('mock')).toContain('[boolean]');
    expect(row('socket')).toContain('[string]');
    expect(row('max-rounds')).not.toContain('[string]');
    for (const s of SETTINGS) expect(text).toContain(`--${s.flag}`);
  });

  it.each(SUBCOMMANDS)('`poli %s --help` and `poli help %s` give that command\'s help', async (sub) => {
    const text = await helpText([sub, '--help']);
    expect(await helpText(['help', sub])).toBe(text);
    expect(text).toMatch(new RegExp(`^Usage: poli ${sub}`));
  });

  it('`poli say --help` needs neither --to nor a text', async () => {
    const text = await helpText(['say', '--help']);
    expect(text).toContain('--to');
    expect(text).toContain('[choices: planner, executer');
  });

  it('help for an unknown command is an error that suggests the closest one', async () => {
    expect(await usageError(['help', 'stauts'])).toMatch(/no such command: stauts \(did you mean status\?\)/);
  });
});

describe('parseArgs: usage errors', () => {
  it('names an unknown option with its dashes and suggests the closest known one', async () => {
    expect(await usageError(['--bogus'])).toMatch(/^unknown option --bogus\. Run `poli --help`/);
    expect(await usageError(['--max-round', '3'])).toMatch(/^unknown option --max-round \(did you mean --max-rounds\?\)/);
    expect(await usageError(['--stat'])).toMatch(/unknown option --stat \(did you mean --state\?\)/);
    expect(await usageError(['--sokcet=x', 'status'])).toMatch(/unknown option --sokcet \(did you mean --socket\?\)/);
    expect(await usageError(['-x'])).toMatch(/^unknown option -x\./);
  });

  it('an unknown command suggests the closest one and how to run a task', async () => {
    const message = await usageError(['stauts']);
    expect(message).toContain('unknown command "stauts" (did you mean status?)');
    expect(message).toContain('poli --task "your task"');
  });

  it('--json (or --format) without --state is an error, not a session start', async () => {
    expect(await usageError(['--json'])).toMatch(/--json goes with --state/);
    expect(await usageError(['--format', 'json'])).toMatch(/--format goes with --state/);
  });

  it('--state --format md without an id says an id is needed', async () => {
    expect(await usageError(['--state', '--format', 'md'])).toMatch(/--format md needs a task id: poli --state ID --format md/);
  });

  it('checks choices and where command options go', async () => {
    expect(await usageError(['say', '--to', 'bob', 'hi'])).toMatch(/invalid value for --to: "bob"; expected one of planner, executer/);
    expect(await usageError(['--state', '--format', 'xml'])).toMatch(/invalid value for --format/);
    expect(await usageError(['--to', 'planner'])).toMatch(/--to goes with poli say/);
    expect(await usageError(['status', '--all'])).toMatch(/--all goes with poli watch or with poli queue, not with poli status/);
    expect(await usageError(['watch', '--task', 'x'])).toMatch(/--task goes without a command/);
  });

  it('keeps the old checks', async () => {
    expect(await usageError(['--task', ''])).toMatch(/--task needs a non-empty task text/);
    expect(await usageError(['--task', 'a', '--resume', 'T1'])).toMatch(/either --task or --resume/);
    expect(await usageError(['--resume'])).toMatch(/--resume needs a task id/);
    expect(await usageError(['say', '--to', 'planner'])).toMatch(/say needs the text/);
    expect(await usageError(['say', 'hi'])).toMatch(/say needs --to/);
    expect(await usageError(['pause', 'now'])).toMatch(/unexpected arguments after "pause": now/);
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps', () => {
    expect(editDistance('state', 'state')).toBe(0);
    expect(editDistance('stat', 'state')).toBe(1);
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('bogus', 'mock')).toBeGreaterThan(2);
  });
});

describe('poli reply and poli mcp', () => {
  it('reply takes --id, --to (any addressee: the running poli checks it), --type and --extra', async () => {
    expect(await parseArgs(['reply', '--id', 'T3-R2-k9x2m4', '--to', 'ORCHESTRATOR', '--type', 'complete', '--extra', '{"n":1}'])).toEqual({
      kind: 'reply', id: 'T3-R2-k9x2m4', to: 'ORCHESTRATOR', type: 'complete', extra: { n: 1 }, flags: {},
    });
    await expect(parseArgs(['reply', '--id', 'x', '--to', 'PLANNER'])).rejects.toThrow(/reply needs --id, --to and --type/);
    await expect(parseArgs(['reply', '--id', 'x', '--to', 'PLANNER', '--type', 'result', '--extra', '[1]'])).rejects.toThrow(/--extra must be a JSON object/);
    await expect(parseArgs(['--id', 'x'])).rejects.toThrow(/--id goes with poli reply/);
    expect((await parseArgs(['reply', '--help'])) as { text: string }).toMatchObject({ text: expect.stringContaining('The addressee: PLANNER, EXECUTER or ORCHESTRATOR') });
  });

  it('mcp takes no arguments', async () => {
    expect(await parseArgs(['mcp'])).toEqual({ kind: 'mcp', flags: {} });
    await expect(parseArgs(['mcp', 'x'])).rejects.toThrow(/unexpected arguments after "mcp"/);
  });
});

describe('budgets (issue 22)', () => {
  it('takes --budget on a task, a resume and the prompt, and on poli resume T7', async () => {
    expect(await parseArgs(['--task', 'do it', '--budget', '5.00'])).toEqual({ kind: 'run', task: 'do it', resume: undefined, flags: {}, budget: 5 });
    expect(await parseArgs(['--resume', 'T3', '--budget', '$8'])).toMatchObject({ kind: 'run', resume: 'T3', budget: 8 });
    expect(await parseArgs(['--budget', '2'])).toEqual({ kind: 'run', task: undefined, resume: undefined, flags: {}, budget: 2 });
    expect(await parseArgs(['resume', 'T7', '--budget', '8'])).toEqual({ kind: 'control', command: { kind: 'resume', budget: 8 }, flags: { session: 'T7' } });
    expect(await parseArgs(['resume', '--queue-budget', '50'])).toEqual({ kind: 'queue-budget', limit: 50, flags: {} });
  });

  it('takes --budget and --queue-budget on poli work, --budget on poli add', async () => {
    expect(await parseArgs(['work', '--budget', '3', '--queue-budget', '30'])).toMatchObject({ kind: 'queue', action: { verb: 'work', budget: 3, queueBudget: 30 } });
    expect(await parseArgs(['add', 'a task', '--budget', '1.5'])).toMatchObject({ kind: 'queue', action: { verb: 'add', budget: 1.5 } });
  });

  it('refuses a budget that is no amount, and one where it means nothing', async () => {
    expect(await usageError(['--task', 'x', '--budget', 'lots'])).toBe('--budget: a budget is an amount of US dollars above 0, e.g. 5 or 5.00; got "lots"');
    expect(await usageError(['add', 'x', '--queue-budget', '5'])).toBe(
      '--queue-budget goes with poli work or with poli resume, not with poli add. Run `poli --help` for the options.',
    );
    expect(await usageError(['resume', 'T7', '--queue-budget', '5'])).toBe('--queue-budget raises the budget of the poli work run: give it alone, poli resume --queue-budget 30');
  });
});
