/**
 * A CLI at its usage limit when poli primes it (the mocks' --limit-at-start: the primer is answered with Claude Code's
 * limit screen). The task exists from the start and shows `waiting` as during a turn; after the wait (cut short with
 * `poli resume`, as limits.test.ts does) the primer is typed again and the task completes; with --on-limit switch the
 * pane switches to the fallback CLI at once. The same when the limit is met later: in interactive mode (primed before
 * any task exists: the first task meets the limit), after `poli start`, when poli restarts a crashed CLI, and when the
 * fallback it switches to is at its limit too.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliRun, runPoli } from '../helpers/poli-process.ts';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, dialogueOf, eventsWith, oneRoundDialogue, waitUntil } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const LIMITED = { MOCK_EXECUTER_LIMIT_AT_START: '1', MOCK_EXECUTER_LIMIT: 'usage', MOCK_EXECUTER_LIMIT_RESET_SEC: '7200' };

/** The submissions without a block the EXECUTER received: its primers. */
async function primers(w: FaultWorld): Promise<number> {
  return (await w.received('EXECUTER')).filter((r) => r.blocks.length === 0).length;
}

/**
 * A task at a limit: past the 5 s start-up limit it still waits, with two primers typed (the first, and the one the
 * limit answered); `poli resume` ends the wait, the primer is typed a third time and the one-round dialogue completes.
 */
async function stillWaitingThenCompletes(w: FaultWorld, run: PoliRun, file: string, content: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 6000));
  expect((await w.publicState()).tasks[0]?.status).toBe('waiting');
  expect(await primers(w)).toBe(2);
  expect((await runPoli(['resume', ...w.flags])).code).toBe(0);
  expect(await run.exited, run.stderr()).toBe(0);
  const task = await w.task('T1');
  expect(task.status).toBe('completed');
  expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue(file, content));
  expect(await primers(w)).toBe(3);
}

describe('a usage limit at start-up', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('the task is created and shown waiting; after the wait the primer is typed again and the task completes', async () => {
    world = await createFaultWorld();
    const w = world;
    const started = Date.now();
    const run = w.start(['--mock', '--task', 'Create z.txt containing Z', '--kill-on-exit', '--plan-timeout', '5'], LIMITED);
    let waiting: { kind?: string; role?: string; reason?: string; resetAt?: string } | undefined;
    await waitUntil('the task shows status waiting', async () => {
      const task = (await w.publicState()).tasks[0] as { status?: string; waiting?: typeof waiting } | undefined;
      if (task?.status === 'waiting') waiting = task.waiting;
      return waiting !== undefined;
    }, 60_000);
    expect(waiting).toMatchObject({ kind: 'usage', role: 'EXECUTER' });
    expect(waiting?.reason).toMatch(/^the EXECUTER hit its usage limit \(resets \d{1,2}:\d{2}[ap]m \(UTC\)\); poli checks it again at (?:[A-Z][a-z]{2} \d{1,2} )?\d\d:\d\d UTC$/);
    expect(Math.abs(Date.parse(waiting?.resetAt ?? '') - (started + 7200_000))).toBeLessThan(120_000);
    // Past the 5 s start-up limit, still waiting: the limit is not a CLI that never got ready.
    await new Promise((r) => setTimeout(r, 6000));
    expect((await w.publicState()).tasks[0]?.status).toBe('waiting');
    expect(await primers(w)).toBe(1);

    expect((await runPoli(['resume', ...w.flags])).code).toBe(0);
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await w.task('T1');
    expect(task.status).toBe('completed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('z.txt', 'Z'));
    expect(await primers(w)).toBe(2);
    expect(run.stdout()).toContain('EXECUTER waiting · waiting: the EXECUTER hit its usage limit (resets ');
    expect(run.stdout()).toContain('the wait for the EXECUTER is over (cut short by poli resume); typing its primer again');
  });

  it('--on-limit switch: the pane switches to the fallback at start-up, which is primed and does the work', async () => {
    world = await createFaultWorld();
    const mock = path.join(import.meta.dirname, '..', '..', 'mocks', 'mock-executer.ts');
    // The fallback: the mock executer again, not at its limit (its flag wins over MOCK_EXECUTER_LIMIT_AT_START).
    const fallback = [process.execPath, '--import', import.meta.resolve('tsx'), mock, '--limit-at-start', '0'].join(' ');
    const run = world.start(
      ['--mock', '--task', 'Create s.txt containing S', '--kill-on-exit', '--on-limit', 'switch', '--executer-fallback-cmd', fallback],
      LIMITED,
    );
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await world.task('T1');
    expect(task.status).toBe('completed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('s.txt', 'S'));
    expect((task as { waits?: unknown[] }).waits ?? []).toEqual([]);
    expect(await primers(world)).toBe(2);
    const switches = eventsWith(await world.log(), /^the EXECUTER CLI is at its usage limit as poli starts it \(.*\); switching its pane to the fallback mock \(/);
    expect(switches).toHaveLength(1);
  });
});

/** The mock executer run as a fallback CLI (--executer-fallback-cmd), with extra flags (they win over MOCK_EXECUTER_*). */
function fallbackMock(...flags: string[]): string {
  const mock = path.join(import.meta.dirname, '..', '..', 'mocks', 'mock-executer.ts');
  return [process.execPath, '--import', import.meta.resolve('tsx'), mock, ...flags].join(' ');
}

/** Waits until T1 shows `waiting`, and returns its wait. */
async function waitingOf(w: FaultWorld): Promise<{ kind?: string; role?: string; reason?: string }> {
  let waiting: { kind?: string; role?: string; reason?: string } | undefined;
  await waitUntil('the task shows status waiting', async () => {
    const task = (await w.publicState()).tasks[0] as { status?: string; waiting?: typeof waiting } | undefined;
    if (task?.status === 'waiting') waiting = task.waiting;
    return waiting !== undefined;
  }, 60_000);
  return waiting ?? {};
}

describe('a usage limit when poli primes a CLI later on', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('interactive mode: the first task typed at the prompt is created and shown waiting, and completes after the wait', async () => {
    world = await createFaultWorld();
    const w = world;
    const run = w.start(['--mock', '--kill-on-exit', '--plan-timeout', '5'], LIMITED);
    await run.waitFor('poli> ', 60_000);
    run.child.stdin?.write('Create i.txt containing I\n');
    const waiting = await waitingOf(w);
    expect(waiting).toMatchObject({ kind: 'usage', role: 'EXECUTER' });
    expect(waiting.reason).toMatch(/^the EXECUTER hit its usage limit \(resets \d{1,2}:\d{2}[ap]m \(UTC\)\); poli checks it again at (?:[A-Z][a-z]{2} \d{1,2} )?\d\d:\d\d UTC$/);
    // Past the 5 s start-up limit, still waiting, with the task's text typed into nobody yet.
    await new Promise((r) => setTimeout(r, 6000));
    expect((await w.publicState()).tasks[0]?.status).toBe('waiting');
    expect((await w.received('PLANNER')).flatMap((r) => r.blocks)).toEqual([]);
    expect(await primers(w)).toBe(1);

    expect((await runPoli(['resume', ...w.flags])).code).toBe(0);
    await run.waitFor('poli: task T1 completed', 60_000);
    const task = await w.task('T1');
    expect(task.status).toBe('completed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('i.txt', 'I'));
    expect(await primers(w)).toBe(2);
    expect(run.stdout()).toContain('the wait for the EXECUTER is over (cut short by poli resume); typing its primer again');
    run.child.stdin?.end();
    expect(await run.exited, run.stderr()).toBe(0);
  });

  it('poli start: a CLI at its limit is not said to be ready and is left unprimed, so the first task primes it again', async () => {
    world = await createFaultWorld();
    const w = world;
    const start = w.start(['start', '--mock'], LIMITED);
    start.child.stdin?.end();
    expect(await start.exited, start.stderr()).toBe(0);
    expect(start.stdout()).toMatch(
      /^poli: the PLANNER and EXECUTER run in tmux \(socket "[^"]+"\), but the EXECUTER is at its usage limit \(.*resets .*\): it is primed again when the first task starts, which waits while it is at its limit\.$/m,
    );
    expect(await primers(w)).toBe(1);
    // The same mock, past its one primer at the limit: it answers the primer typed again.
    const run = w.start(['--mock', '--task', 'Create p.txt containing P', '--kill-on-exit'], LIMITED);
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await w.task('T1');
    expect(task.status).toBe('completed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('p.txt', 'P'));
    expect(await primers(w)).toBe(2);
  });

  it('a CLI restarted after a crash and at its limit when primed again: the task waits, then gets the message again and completes', async () => {
    world = await createFaultWorld();
    const w = world;
    const run = w.start(['--mock', '--task', 'Create c.txt containing C', '--kill-on-exit', '--plan-timeout', '5', '--exec-timeout', '5'], {
      MOCK_EXECUTER_CRASH_AT: '1',
      MOCK_EXECUTER_CRASH_LIMIT: '1',
      MOCK_CRASH_FILE: w.crashFile,
      MOCK_EXECUTER_LIMIT_AFTER_CRASH: '1',
      MOCK_EXECUTER_LIMIT: 'usage',
      MOCK_EXECUTER_LIMIT_RESET_SEC: '7200',
    });
    const waiting = await waitingOf(w);
    expect(waiting).toMatchObject({ kind: 'usage', role: 'EXECUTER' });
    expect((await w.crashes()).map((c) => [c.role, c.n])).toEqual([['EXECUTER', 1]]);
    // Past the 5 s start-up limit and --exec-timeout, still waiting: a wait is not time the CLI took to answer.
    // The first primer, the restarted CLI's primer at its limit, and that primer again after the wait.
    await stillWaitingThenCompletes(w, run, 'c.txt', 'C');
    const plans = (await w.received('EXECUTER')).flatMap((r) => r.blocks);
    expect(plans.map((b) => b.header.type)).toEqual(['plan', 'plan']);
    expect(plans[1]?.header).toEqual(plans[0]?.header);
  });

  it('--on-limit switch at start-up, the fallback at its limit too: the task waits for the fallback\'s reset, then completes', async () => {
    world = await createFaultWorld();
    const w = world;
    // The fallback gets MOCK_EXECUTER_LIMIT_AT_START too: it is at its limit when primed.
    const run = w.start(
      ['--mock', '--task', 'Create f.txt containing F', '--kill-on-exit', '--plan-timeout', '5', '--on-limit', 'switch', '--executer-fallback-cmd', fallbackMock()],
      LIMITED,
    );
    const waiting = await waitingOf(w);
    expect(waiting).toMatchObject({ kind: 'usage', role: 'EXECUTER' });
    await stillWaitingThenCompletes(w, run, 'f.txt', 'F');
    expect(eventsWith(await w.log(), /switching its pane to the fallback mock/)).toHaveLength(1);
  });

  it('--on-limit switch mid-task, the fallback at its limit when primed: the task waits for its reset, then the fallback gets the message', async () => {
    world = await createFaultWorld();
    const w = world;
    // The EXECUTER hits its limit on the plan; the fallback answers blocks (--limit-at out of reach) but is at its
    // limit when primed.
    const run = w.start(
      ['--mock', '--task', 'Create m.txt containing M', '--kill-on-exit', '--plan-timeout', '5', '--exec-timeout', '5', '--on-limit', 'switch',
        '--executer-fallback-cmd', fallbackMock('--limit-at', '99', '--limit-at-start', '1')],
      { MOCK_EXECUTER_LIMIT_AT: '1', MOCK_EXECUTER_LIMIT: 'usage', MOCK_EXECUTER_LIMIT_RESET_SEC: '7200' },
    );
    const waiting = await waitingOf(w);
    expect(waiting).toMatchObject({ kind: 'usage', role: 'EXECUTER' });
    await stillWaitingThenCompletes(w, run, 'm.txt', 'M');
    const plans = (await w.received('EXECUTER')).flatMap((r) => r.blocks);
    expect(plans).toHaveLength(2);
    expect(plans[1]?.header).toEqual(plans[0]?.header);
    expect(eventsWith(await w.log(), /switching its pane to the fallback mock/)).toHaveLength(1);
  });
});
