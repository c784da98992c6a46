/**
 * Delivery receipts and resume (issue "Reading that never loses a reply", item 7): poli killed with SIGKILL while the
 * executer works, then `--resume`: a message the executer had already been given is never typed again — poli finds
 * its reply instead — and every message poli typed has a receipt (written, pasted, submitted, answered) that
 * `--state ID` shows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, waitForReceivedBlock } from '../faults/fault-world.ts';
import { runPoli } from '../helpers/poli-process.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

interface Delivery {
  id: string;
  to: string;
  type: string;
  stage: string;
}

describe('resume after SIGKILL', { timeout: FAULT_TEST_TIMEOUT_MS * 2 }, () => {
  it('never re-delivers work the executer already had, in 4 kills at different moments of its turn', async () => {
    for (const delayMs of [0, 150, 400, 900]) {
      world = await createFaultWorld();
      const first = world.start(['--mock', '--task', 'Create k.txt containing K'], { MOCK_THINK_MS: '1200', MOCK_ROUNDS: '1' });
      await waitForReceivedBlock(world, 'EXECUTER');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      first.child.kill('SIGKILL');
      await first.exited;

      const resumed = world.start(['--mock', '--resume', 'T1', '--kill-on-exit'], { MOCK_THINK_MS: '1200', MOCK_ROUNDS: '1' });
      expect(await resumed.exited, resumed.stderr()).toBe(0);
      const task = await world.task('T1');
      expect(task.status).toBe('completed');

      // The executer got each piece of work once: no block with the same body under two ids.
      const work = (await world.received('EXECUTER')).flatMap((r) => r.blocks).filter((b) => b.header.type !== 'status');
      const bodies = work.map((b) => b.body);
      expect(new Set(bodies).size, JSON.stringify(work.map((b) => b.header))).toBe(bodies.length);

      // Every message poli typed has a receipt, and every one of them was answered in the end.
      const deliveries = (JSON.parse(JSON.stringify(task)) as { deliveries?: Delivery[] }).deliveries ?? [];
      expect(deliveries.length).toBeGreaterThanOrEqual(3);
      expect(deliveries.filter((d) => d.stage !== "answered"), JSON.stringify(deliveries)).toEqual([]);
      const shown = await runPoli(['--state', 'T1', '--state-dir', world.stateDir]);
      expect(shown.stdout).toContain('Deliveries (messages poli typed, by the id they were sent under):');
      for (const d of deliveries) expect(shown.stdout).toMatch(new RegExp(`${d.to}\\s+${d.type}\\s+${d.id}  answered`));
      await world.cleanup();
      world = undefined;
    }
  });
});
