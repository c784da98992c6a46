/**
 * What the person sends from another terminal while no task runs (issue 18, items 26 and 29): a note or a pause sent
 * while poli starts or waits at its prompt is kept for the next task (the pause holds it before its text is typed),
 * `poli stop` is refused when there is nothing to stop, and `poli status` (what a status bar runs) says when a task
 * is paused or waits for the person's answer, instead of "running" with the clock going.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runPoli } from '../helpers/poli-process.ts';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, waitUntil } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const HELD = 'paused by the human (poli resume to continue); the task is not sent until then';

async function poli(w: FaultWorld, args: readonly string[]) {
  return runPoli([...args, '--socket', w.socket]);
}

async function statusShort(w: FaultWorld): Promise<string> {
  const r = await poli(w, ['status', '--short']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The task blocks the PLANNER received (the primer is not a block). */
async function taskBlocksSent(w: FaultWorld): Promise<number> {
  return (await w.received('PLANNER')).flatMap((r) => r.blocks).filter((b) => b.header.type === 'task').length;
}

describe('commands while no task runs', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a note and a pause sent while poli starts its CLIs are kept for the task: it waits, unsent, until poli resume', async () => {
    world = await createFaultWorld();
    const w = world;
    // A PLANNER slow to answer its primer keeps poli priming while the commands are sent: two 'poli' processes must
    // start and hand them over meanwhile, which took over 6 s at a load of 14 on 2 cores (each PLANNER turn takes as
    // long, so the test stays within its 90 s).
    const run = w.start(['--mock', '--task', 'Create n.txt containing N', '--kill-on-exit'], { MOCK_PLANNER_THINK_MS: '12000' });
    await run.waitFor('priming the PLANNER CLI');
    expect((await poli(w, ['say', '--to', 'planner', 'keep it short'])).code).toBe(0);
    expect((await poli(w, ['pause'])).code).toBe(0);
    // The task exists before its CLIs are primed (a usage limit at start-up shows as its wait); its text is not typed.
    expect(await taskBlocksSent(w)).toBe(0);
    await run.waitFor(HELD, 30_000);
    await waitUntil('the state says the task is paused', async () => (await statusShort(w)) === 'poli T1 r0 paused\n');
    expect(await taskBlocksSent(w)).toBe(0);
    expect((await poli(w, ['resume'])).code).toBe(0);
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await w.task('T1');
    expect(task.status).toBe('completed');
    expect(task.messages.filter((m) => m.from === 'HUMAN').map((m) => `${m.to}:${m.body}`)).toEqual(['PLANNER:keep it short']);
  });

  it('at the interactive prompt: stop is refused, a pause is queued and says so, and holds the next task before it is sent', async () => {
    world = await createFaultWorld();
    const w = world;
    const run = w.start(['--mock', '--kill-on-exit']);
    await run.waitFor('poli> ');
    const stop = await poli(w, ['stop']);
    expect(stop).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `poli: no task is running on socket "${w.socket}" (the poli there waits for a task at its prompt, or is still starting its CLIs); ` +
        'nothing was stopped. Send poli stop again once a task runs; to end that poli, type :quit at its prompt.\n',
    });
    const pause = await poli(w, ['pause']);
    expect(pause).toEqual({ code: 0, stdout: `poli: no task is running on socket "${w.socket}" now; the next task will wait before it is sent, until poli resume.\n`, stderr: '' });
    const say = await poli(w, ['say', '--to', 'executer', 'use tabs']);
    expect(say.stdout).toBe(`poli: no task is running on socket "${w.socket}" now; your message goes to the EXECUTER with the next task.\n`);
    run.child.stdin?.write('Create i.txt containing I\n');
    await run.waitFor(HELD);
    await waitUntil('the state says the task is paused', async () => (await statusShort(w)) === 'poli T1 r0 paused\n');
    const long = await poli(w, ['status']);
    expect(long.stdout).toBe('poli T1 r0 paused · paused by the human (poli resume to continue) · Create i.txt containing I\n');
    expect(await taskBlocksSent(w)).toBe(0);
    // Stopped while held: it ends interrupted, never sent, and the note is reported undelivered.
    expect((await poli(w, ['stop'])).code).toBe(0);
    await run.waitFor('poli: task T1 ended interrupted: stopped by the human (poli stop)');
    const task = await w.task('T1');
    expect(task.messages).toEqual([]);
    expect((task as { undeliveredNotes?: unknown }).undeliveredNotes).toEqual([{ to: 'EXECUTER', text: 'use tabs' }]);
    run.child.stdin?.end();
    expect(await run.exited).toBe(1);
  });
});

describe('poli status while the person is asked', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('says "waiting for you" while the approval prompt waits, not running with the clock going', async () => {
    world = await createFaultWorld();
    const w = world;
    const run = w.start(['--mock', '--approve', 'plans', '--task', 'Create w.txt containing W', '--kill-on-exit']);
    await run.waitFor('Approve, edit or reject? [a/e/r]');
    await waitUntil('the state says poli waits for the person', async () => (await statusShort(w)) === 'poli T1 r0 waiting for you\n');
    expect((await poli(w, ['status'])).stdout).toBe("poli T1 r0 waiting for you · waiting for your answer at poli's terminal · Create w.txt containing W\n");
    run.child.stdin?.end('a\n');
    expect(await run.exited, run.stderr()).toBe(0);
    expect((await poli(w, ['status', '--short', '--state-dir', w.stateDir])).stdout).toBe('poli T1 completed\n');
  });
});
