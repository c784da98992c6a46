/**
 * A CLI at its usage limit when poli primes it (the mocks' --limit-at-start: the primer is answered with Claude Code's
 * limit screen). The task exists from the start and shows `waiting` as during a turn; after the wait (cut short with
 * `poli resume`, as limits.test.ts does) the primer is typed again and the task completes; with --on-limit switch the
 * pane switches to the fallback CLI at once.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPoli } from '../helpers/poli-process.ts';
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
    expect(waiting?.reason).toMatch(/^the EXECUTER hit its usage limit \(resets \d{1,2}:\d{2}[ap]m \(UTC\)\); poli checks it again at \d\d:\d\d UTC$/);
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
