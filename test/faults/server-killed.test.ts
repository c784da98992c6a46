/**
 * The tmux server is killed while a task runs: poli exits non-zero within about 2 s with a clear error, and the
 * state holds every message recorded up to then with the task no longer `running`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, dialogueOf, oneRoundDialogue, waitForReceivedBlock } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('the tmux server is killed mid-task', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('poli exits 1 naming the socket; the task keeps its messages and is not running', async () => {
    world = await createFaultWorld();
    // The EXECUTER never answers its plan: the dialogue stands still at a known point.
    const run = world.start(['--mock', '--task', 'Create k.txt containing K', '--kill-on-exit'], { MOCK_EXECUTER_SILENT_AT: '1' });
    await waitForReceivedBlock(world, 'EXECUTER');
    const killedAt = Date.now();
    world.tmux(['kill-server']);
    const code = await run.exited;
    const exitMs = Date.now() - killedAt;
    console.log(`[measure] dead-server detection (kill-server → poli exit): ${exitMs} ms`);

    expect(code).toBe(1);
    expect(run.stderr()).toContain(`the poli tmux server (socket "${world.socket}") is no longer running`);
    expect(run.stderr()).toContain('resume it with `poli --resume T1`');
    expect(run.stderr()).not.toContain('this is a bug in poli');

    const task = await world.task('T1');
    expect(['failed', 'interrupted']).toContain(task.status);
    expect(task.endedAt).not.toBeNull();
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('k.txt', 'K').slice(0, 2));
    expect(task.error ?? '').toContain(`the poli tmux server (socket "${world.socket}") is no longer running`);
    // The next start agrees: nothing is left running.
    const state = await world.publicState();
    expect(state.tasks.map((t) => [t.id, t.status])).toEqual([['T1', task.status]]);
  });
});
