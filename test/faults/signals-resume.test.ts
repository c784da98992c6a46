/**
 * SIGINT / SIGTERM to poli leave the task `interrupted`, saved. `poli --resume ID` continues an interrupted, failed
 * or timed-out task from its last complete message, re-sending the pending message, in the running session or a
 * fresh one: the task keeps its id and ends `completed`, its messages continue after the ones already recorded, and
 * no message is recorded twice.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaultWorld,
  FAST_MOCKS,
  ONE_ROUND_SHAPE,
  type TaskFile,
  FAULT_TEST_TIMEOUT_MS,
  createFaultWorld,
  dialogueOf,
  expectWellFormedDialogue,
  oneRoundDialogue,
  shapeOf,
  waitForReceivedBlock,
} from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('signals', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s while the EXECUTER works: the task is interrupted and saved with its messages', async (signal) => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create s.txt containing S', '--kill-on-exit'], { MOCK_EXECUTER_SILENT_AT: '1' });
    await waitForReceivedBlock(world, 'EXECUTER');
    run.child.kill(signal);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(new RegExp(`poli: task T1 ended interrupted: .*${signal}`));
    const task = await world.task('T1');
    expect(task.status).toBe('interrupted');
    expect(task.endedAt).not.toBeNull();
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('s.txt', 'S').slice(0, 2));
    // The next poli agrees (the task is not taken for one of a dead process).
    const state = await world.publicState();
    expect(state.tasks.map((t) => [t.id, t.status, t.messages.length])).toEqual([['T1', 'interrupted', 2]]);
  });
});

/** Checks the contract of a resumed task against what was recorded before it was resumed. */
async function expectResumed(w: FaultWorld, before: TaskFile, file: string, text: string): Promise<void> {
  const after = await w.task('T1');
  expect(after.id).toBe('T1');
  expect(after.task).toBe(before.task);
  expect(after.status).toBe('completed');
  // The messages recorded before stay exactly as they were, and the dialogue goes on after them.
  expect(after.messages.slice(0, before.messages.length)).toEqual(before.messages);
  expect(shapeOf(after.messages)).toEqual(ONE_ROUND_SHAPE);
  const expected = oneRoundDialogue(file, text);
  expect(dialogueOf(after.messages).slice(0, 5)).toEqual(expected.slice(0, 5));
  expectWellFormedDialogue(after.messages);
  for (let i = 1; i < after.messages.length; i++) {
    expect(Date.parse(after.messages[i]?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(after.messages[i - 1]?.at ?? ''));
  }
  // No second task: the resumed one kept its id.
  expect((await readdir(path.join(w.stateDir, 'tasks'))).filter((f) => /^T\d+\.json$/.test(f))).toEqual(['T1.json']);
  expect(await readFile(path.join(w.projectDir, file), 'utf8')).toBe(`${text}\n`);
  // The EXECUTER got the pending plan again under the same id, its body followed by the task and a summary of the
  // dialogue so far (a CLI that lost its context can pick the task up).
  const plans = (await w.received('EXECUTER')).flatMap((r) => r.blocks).filter((b) => b.header.type === 'plan');
  expect(plans.length).toBeGreaterThanOrEqual(2);
  expect(new Set(plans.map((p) => p.header.id)).size).toBe(1);
  const plan = `<PLAN>\n1. Create ${file} containing ${text}\n</PLAN>`;
  expect(plans[0]?.body).toBe(plan);
  for (const again of plans.slice(1)) {
    expect(again.body.startsWith(`${plan}\n\n[poli: task T1 is being resumed after poli stopped.`)).toBe(true);
    expect(again.body).toContain(`The task: Create ${file} containing ${text}`);
    expect(again.body).toContain('- ORCHESTRATOR → PLANNER task: Create');
  }
}

describe('--resume', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('continues an interrupted task in the running session', async () => {
    world = await createFaultWorld();
    // No --kill-on-exit: the session (and its CLIs) outlive the first poli.
    const first = world.start(['--mock', '--task', 'Create r.txt containing R'], { MOCK_EXECUTER_SILENT_AT: '1' });
    await waitForReceivedBlock(world, 'EXECUTER');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(1);
    const before = await world.task('T1');
    expect(before.status).toBe('interrupted');
    expect(shapeOf(before.messages)).toEqual(ONE_ROUND_SHAPE.slice(0, 2));

    // Resumed with the same settings, so the running session and its CLIs are reused (other settings would start the
    // CLIs again: see test/e2e/person.test.ts). The executer took the plan before: poli waits for its reply, and as
    // the silent mock never gives one, sends the plan once more under the same id.
    const second = world.start(['--mock', '--resume', 'T1', '--kill-on-exit'], { MOCK_EXECUTER_SILENT_AT: '1' });
    expect(await second.exited, second.stderr()).toBe(0);
    expect(second.stdout()).toContain('poli: task T1 completed in 1 round(s).');
    // The running session was reused: nobody was primed again.
    expect(second.stdout() + second.stderr()).not.toContain('priming the');
    await expectResumed(world, before, 'r.txt', 'R');
  });

  it('continues a timed-out task in a fresh session', async () => {
    world = await createFaultWorld();
    const first = world.start(['--mock', '--task', 'Create t.txt containing T', '--kill-on-exit', '--exec-timeout', '2'], {
      MOCK_EXECUTER_SILENT_AT: '1',
    });
    expect(await first.exited).toBe(1);
    const before = await world.task('T1');
    expect(before.status).toBe('timeout');
    expect(shapeOf(before.messages)).toEqual(ONE_ROUND_SHAPE.slice(0, 2));

    const second = world.start(['--mock', '--resume', 'T1', '--kill-on-exit']);
    expect(await second.exited, second.stderr()).toBe(0);
    expect(second.stdout()).toContain('poli: task T1 completed in 1 round(s).');
    await expectResumed(world, before, 't.txt', 'T');
  });

  it('continues a failed task (its EXECUTER kept crashing) in a fresh session', async () => {
    world = await createFaultWorld();
    const first = world.start(['--mock', '--task', 'Create f.txt containing F', '--kill-on-exit', '--restarts', '0'], {
      MOCK_EXECUTER_CRASH_AT: '1',
    });
    expect(await first.exited).toBe(1);
    const before = await world.task('T1');
    expect(before.status).toBe('failed');
    expect(shapeOf(before.messages)).toEqual(ONE_ROUND_SHAPE.slice(0, 2));

    const second = world.start(['--mock', '--resume', 'T1', '--kill-on-exit']);
    expect(await second.exited, second.stderr()).toBe(0);
    expect(second.stdout()).toContain('poli: task T1 completed in 1 round(s).');
    await expectResumed(world, before, 'f.txt', 'F');
  });
});

/** No tmux server on `socket` any more. */
function serverGone(w: FaultWorld): boolean {
  try {
    w.tmux(['has-session']);
    return false;
  } catch {
    return true;
  }
}

/** poli's lock on the socket is gone (released, not left for the next poli to find stale). */
async function lockGone(w: FaultWorld): Promise<boolean> {
  const { runtimeDir } = await import('../../src/host.ts');
  const lock = path.join(runtimeDir(process.env, process.getuid?.() ?? 0), 'locks', `${w.socket}.lock`);
  return readFile(lock, 'utf8').then(
    () => false,
    () => true,
  );
}

describe('signals at any time (issue 18, item 25)', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('SIGHUP while the EXECUTER works: the task is interrupted and saved, the session killed under --kill-on-exit', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create h.txt containing H', '--kill-on-exit'], { MOCK_EXECUTER_SILENT_AT: '1' });
    await waitForReceivedBlock(world, 'EXECUTER');
    run.child.kill('SIGHUP');
    expect(await run.exited, run.stderr()).toBe(1);
    expect(run.stderr()).toContain('poli: task T1 ended interrupted: the terminal hung up (SIGHUP)');
    expect((await world.task('T1')).status).toBe('interrupted');
    expect(serverGone(world)).toBe(true);
    expect(await lockGone(world)).toBe(true);
  });

  // A PLANNER that never shows a prompt holds poli in start-up (priming) as long as the test needs. A one-shot task
  // exists before its CLIs are primed (a usage limit at start-up makes it wait), so it ends interrupted; interactive
  // mode primes before any task, so none is started.
  it.each([
    ['SIGINT', 'interrupted by Ctrl+C (SIGINT)'],
    ['SIGTERM', 'terminated (SIGTERM)'],
    ['SIGHUP', 'the terminal hung up (SIGHUP)'],
  ] as const)('%s while a one-shot task primes its CLIs: the task ends interrupted, exit 1, no session or lock left', async (signal, reason) => {
    world = await createFaultWorld();
    const run = world.start(['--planner-cmd', 'sleep 600', '--executer-cmd', 'sleep 600', '--task', 'Create p.txt containing P', '--kill-on-exit']);
    await run.waitFor('priming the PLANNER CLI');
    run.child.kill(signal);
    expect(await run.exited, run.stderr()).toBe(1);
    expect(run.stderr()).toContain(`poli: task T1 ended interrupted: ${reason}`);
    expect(serverGone(world)).toBe(true);
    expect(await lockGone(world)).toBe(true);
    expect((await world.task('T1')).status).toBe('interrupted');
  });

  it.each([
    ['SIGINT', 'interrupted by Ctrl+C (SIGINT)'],
    ['SIGTERM', 'terminated (SIGTERM)'],
    ['SIGHUP', 'the terminal hung up (SIGHUP)'],
  ] as const)('%s while interactive mode starts: poli says so, exits 1, and leaves no session, lock or task behind', async (signal, reason) => {
    world = await createFaultWorld();
    const run = world.start(['--planner-cmd', 'sleep 600', '--executer-cmd', 'sleep 600', '--kill-on-exit']);
    await run.waitFor('priming the PLANNER CLI');
    run.child.kill(signal);
    expect(await run.exited, run.stderr()).toBe(1);
    expect(run.stderr()).toContain(`poli: ${reason} while starting the CLIs; no task was started.`);
    expect(serverGone(world)).toBe(true);
    expect(await lockGone(world)).toBe(true);
    expect((await world.publicState()).tasks).toEqual([]);
  });
});

describe('stdout closed under poli (issue 18, item 24)', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('poli … | head -1: the task ends interrupted, --kill-on-exit is honoured, the exit status is 1', async () => {
    world = await createFaultWorld();
    const w = world;
    const { REPO_ROOT } = await import('../helpers/poli-process.ts');
    const poli = [process.execPath, path.join(REPO_ROOT, 'bin', 'poli.js'), '--mock', '--task', 'Create q.txt containing Q', '--kill-on-exit', ...w.flags];
    const quoted = poli.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // stdin closed, stdout a pipe whose reader leaves after one line; the shell reports poli's own status.
    const { spawn } = await import('node:child_process');
    const { testEnv } = await import('../helpers/poli-process.ts');
    const child = spawn('bash', ['-c', `set -o pipefail; ${quoted} < /dev/null | head -n 1 > '${w.root}/head.txt'`], {
      env: testEnv({ ...FAST_MOCKS, MOCK_EXECUTER_SILENT_AT: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/poli: task T1 ended interrupted: stdout was closed \(EPIPE: nobody reads poli's output any more\)/);
    expect((await w.task('T1')).status).toBe('interrupted');
    expect(serverGone(w)).toBe(true);
    expect(await lockGone(w)).toBe(true);
  });
});
