/**
 * poli end to end: the real CLI process, real tmux (a private socket per test), the mock TUIs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliWorld, createWorld, runPoli, startPoli } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

interface PublicMessage {
  from: string;
  to: string;
  type: string;
  id: string;
  body: string;
  at: string;
}
interface PublicTask {
  id: string;
  task: string;
  status: string;
  rounds: number;
  startedAt: string;
  endedAt: string | null;
  messages: PublicMessage[];
}

/**
 * Replaces the random parts (message ids, times) by stable names so a whole state can be compared
 * exactly: ids become T1-R<round>-#<n> in order of first appearance; times are checked to be ISO
 * and ordered, then replaced.
 */
function normalize(state: { tasks: PublicTask[] }) {
  const ids = new Map<string, string>();
  return {
    tasks: state.tasks.map((t) => {
      expect(Date.parse(t.startedAt)).not.toBeNaN();
      if (t.endedAt !== null) expect(Date.parse(t.endedAt)).toBeGreaterThanOrEqual(Date.parse(t.startedAt));
      let previous = Date.parse(t.startedAt);
      return {
        ...t,
        startedAt: '<time>',
        endedAt: t.endedAt === null ? null : '<time>',
        messages: t.messages.map((m) => {
          const at = Date.parse(m.at);
          expect(at).toBeGreaterThanOrEqual(previous);
          previous = at;
          const match = /^(T\d+-R\d+)-[0-9a-z]{6}$/.exec(m.id);
          expect(match, `message id ${m.id}`).not.toBeNull();
          if (!ids.has(m.id)) ids.set(m.id, `${match?.[1]}-#${ids.size + 1}`);
          return { ...m, id: ids.get(m.id), at: '<time>' };
        }),
      };
    }),
  };
}

/** A CLI's message carries the optional key `channel` (how it reached poli); the mocks print theirs on the screen. */
const msg = (from: string, to: string, type: string, id: string, body: string) => ({
  from, to, type, id, body, at: '<time>', ...(from === 'PLANNER' || from === 'EXECUTER' ? { channel: 'screen' } : {}),
});

/** The exact dialogue of the mock CLIs for "Create hello.txt containing Hello" over three rounds. */
function threeRoundMessages(task: number) {
  const T = `T${task}`;
  return [
    msg('ORCHESTRATOR', 'PLANNER', 'task', `${T}-R0-#1`, 'Create hello.txt containing Hello'),
    msg('PLANNER', 'EXECUTER', 'plan', `${T}-R0-#1`, '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>'),
    msg('EXECUTER', 'PLANNER', 'status', `${T}-R1-#2`, 'Working on step 1: Create hello.txt containing Hello'),
    msg('EXECUTER', 'PLANNER', 'result', `${T}-R1-#2`, 'Created hello.txt (6 bytes)'),
    msg('ORCHESTRATOR', 'PLANNER', 'review', `${T}-R1-#3`, 'Created hello.txt (6 bytes)'),
    msg('PLANNER', 'EXECUTER', 'continue', `${T}-R1-#3`, 'Continue: step 2 — append a line to hello.txt\n<PLAN>\n2. Append round 2 to hello.txt\n</PLAN>'),
    msg('EXECUTER', 'PLANNER', 'status', `${T}-R2-#4`, 'Working on step 2: Append round 2 to hello.txt'),
    msg('EXECUTER', 'PLANNER', 'result', `${T}-R2-#4`, 'Appended 8 bytes to hello.txt (now 14 bytes)'),
    msg('ORCHESTRATOR', 'PLANNER', 'review', `${T}-R2-#5`, 'Appended 8 bytes to hello.txt (now 14 bytes)'),
    msg('PLANNER', 'EXECUTER', 'continue', `${T}-R2-#5`, 'Continue: step 3 — append a line to hello.txt\n<PLAN>\n3. Append round 3 to hello.txt\n</PLAN>'),
    msg('EXECUTER', 'PLANNER', 'status', `${T}-R3-#6`, 'Working on step 3: Append round 3 to hello.txt'),
    msg('EXECUTER', 'PLANNER', 'result', `${T}-R3-#6`, 'Appended 8 bytes to hello.txt (now 22 bytes)'),
    msg('ORCHESTRATOR', 'PLANNER', 'review', `${T}-R3-#7`, 'Appended 8 bytes to hello.txt (now 22 bytes)'),
    msg(
      'PLANNER',
      'ORCHESTRATOR',
      'complete',
      `${T}-R3-#7`,
      'Task complete after 3 rounds: Create hello.txt containing Hello\nLast report:\nAppended 8 bytes to hello.txt (now 22 bytes)',
    ),
  ];
}

async function stateJson(w: PoliWorld): Promise<{ tasks: PublicTask[] }> {
  const r = await runPoli(['--state', '--json', '--state-dir', w.stateDir]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { tasks: PublicTask[] };
}

describe('poli end to end with the mock CLIs', () => {
  it('runs a three-round task to completion; the file exists and --state --json matches exactly', async () => {
    world = await createWorld();
    const r = await runPoli(['--mock', '--task', 'Create hello.txt containing Hello', '--kill-on-exit', ...world.flags]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('poli: task T1 completed in 3 round(s).');
    expect(await readFile(path.join(world.projectDir, 'hello.txt'), 'utf8')).toBe('Hello\nround 2\nround 3\n');

    const state = normalize(await stateJson(world));
    expect(state).toEqual({
      tasks: [
        {
          id: 'T1',
          task: 'Create hello.txt containing Hello',
          status: 'completed',
          rounds: 3,
          startedAt: '<time>',
          endedAt: '<time>',
          messages: threeRoundMessages(1),
          projectDir: world.projectDir,
          socket: world.socket,
        },
      ],
    });
    // The transcript and the log are on disk too.
    const transcript = await readFile(path.join(world.stateDir, 'transcripts', 'T1.md'), 'utf8');
    expect(transcript.split('\n')[0]).toBe('# T1: Create hello.txt containing Hello');
    const log = await readFile(path.join(world.stateDir, 'poli_orchestrator.log'), 'utf8');
    expect(log.split('\n').filter((l) => l.includes('"event":"complete"'))).toHaveLength(1);
  });

  it('runs two tasks in one interactive session', async () => {
    world = await createWorld();
    const run = startPoli(['--mock', '--kill-on-exit', ...world.flags], { env: { MOCK_ROUNDS: '1' } });
    await run.waitFor('poli> ');
    run.child.stdin?.write('Create a.txt containing A\n');
    await run.waitFor('poli: task T1 completed in 1 round(s).');
    run.child.stdin?.write(':state\n');
    await run.waitFor(/T1 +completed +1 /);
    run.child.stdin?.write('Create b.txt containing B\n');
    await run.waitFor('poli: task T2 completed in 1 round(s).');
    run.child.stdin?.end(':quit\n');
    expect(await run.exited).toBe(0);
    expect(await readFile(path.join(world.projectDir, 'a.txt'), 'utf8')).toBe('A\n');
    expect(await readFile(path.join(world.projectDir, 'b.txt'), 'utf8')).toBe('B\n');
    const state = await stateJson(world);
    expect(state.tasks.map((t) => [t.id, t.status, t.rounds, t.task])).toEqual([
      ['T1', 'completed', 1, 'Create a.txt containing A'],
      ['T2', 'completed', 1, 'Create b.txt containing B'],
    ]);
    // Both CLIs were primed once: the second task went to the same PLANNER process.
    expect(run.stdout().match(/priming the PLANNER/g) ?? run.stderr().match(/priming the PLANNER/g)).toHaveLength(1);
  });

  it('Ctrl+C (SIGINT) stops the running task as interrupted, with its messages saved', async () => {
    world = await createWorld();
    const run = startPoli(['--mock', '--task', 'Create slow.txt containing S', '--kill-on-exit', ...world.flags], {
      env: { MOCK_SILENT_AT: '1' },
    });
    await run.waitFor('ORCHESTRATOR → PLANNER task');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('poli: task T1 ended interrupted: interrupted by Ctrl+C (SIGINT)');
    const state = normalize(await stateJson(world));
    expect(state.tasks).toEqual([
      {
        id: 'T1',
        task: 'Create slow.txt containing S',
        status: 'interrupted',
        rounds: 0,
        startedAt: '<time>',
        endedAt: '<time>',
        messages: [msg('ORCHESTRATOR', 'PLANNER', 'task', 'T1-R0-#1', 'Create slow.txt containing S')],
        projectDir: world.projectDir,
        socket: world.socket,
        error: 'interrupted by Ctrl+C (SIGINT)',
      },
    ]);
  });

  it('a planner command that is not installed is an error before anything starts', async () => {
    world = await createWorld();
    const r = await runPoli(['--task', 'x', '--planner-cmd', 'no-such-cli-4f2a --flag', '--executer-cmd', 'sh', ...world.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'poli: the PLANNER command "no-such-cli-4f2a --flag" is not installed (not found on PATH). Install it, set a ' +
        'different command with --planner-cmd/--executer-cmd, or run the bundled mock CLIs with --mock.\n',
    );
    expect(r.stdout).toBe('');
    // Nothing was started: no server on the socket, no task recorded.
    const state = await stateJson(world);
    expect(state).toEqual({ tasks: [] });
  });
});
