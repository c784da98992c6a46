/**
 * One of poli's panes is killed (`tmux kill-pane`) while a task runs: poli fails the task, and the next run on that
 * socket (`--resume`) creates the missing pane again and primes only its CLI; the other CLI keeps running, with its
 * context (same process, primed once).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, dialogueOf, eventsWith, oneRoundDialogue, waitForReceivedBlock } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

/** The pid of the program in `pane` (tmux's own view). */
function panePid(w: FaultWorld, pane: string): string {
  return w.tmux(['display-message', '-p', '-t', pane, '#{pane_pid}']).trim();
}

describe('one pane is killed', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('--resume restores the missing pane, primes only its CLI, keeps the living one, and completes with exact bodies', async () => {
    world = await createFaultWorld();
    // The EXECUTER thinks a while over the plan: the pane is killed while it does (same settings in both runs, so the
    // living PLANNER is not restarted for a changed environment).
    const env = { MOCK_EXECUTER_THINK_MS: '3000' };
    const first = world.start(['--mock', '--task', 'Create p.txt containing P'], env);
    await waitForReceivedBlock(world, 'EXECUTER');
    const planner = await world.paneOf('PLANNER');
    const executer = await world.paneOf('EXECUTER');
    const plannerPid = panePid(world, planner);
    world.tmux(['kill-pane', '-t', executer]);
    expect(await first.exited).toBe(1);
    expect((await world.task('T1')).status).not.toBe('running');

    const second = world.start(['--mock', '--resume', 'T1'], env);
    expect(await second.exited, second.stderr()).toBe(0);
    expect(second.stderr()).not.toContain('duplicate session');
    const task = await world.task('T1');
    expect(task.status).toBe('completed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('p.txt', 'P'));
    // The PLANNER is the same process in the same pane, primed once (by the first run); the EXECUTER is new.
    expect(panePid(world, planner)).toBe(plannerPid);
    const events = await world.log();
    expect(eventsWith(events, /priming the PLANNER CLI/)).toHaveLength(1);
    expect(eventsWith(events, /priming the EXECUTER CLI/)).toHaveLength(2);
    expect(eventsWith(events, `the EXECUTER pane is gone from the session (closed or killed); starting the EXECUTER CLI again in a new pane (the PLANNER in pane ${planner} keeps its context)`)).toHaveLength(1);
    const panes = world.tmux(['list-panes', '-a', '-F', '#{pane_id} #{@poli_role}']).trim().split('\n');
    expect(panes).toHaveLength(2);
    expect(panes).toContain(`${planner} PLANNER`);
    expect(panes.find((p) => p.endsWith(' EXECUTER'))).not.toBe(`${executer} EXECUTER`);
  });
});
