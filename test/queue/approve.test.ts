/**
 * `poli work --approve plans` (issue 21): each pair asks before it forwards a plan; it has no terminal, so it waits
 * for a decision in the state dir (what the dashboard writes, through decide()) and the task then runs and merges.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decide, listPending, type PendingApproval } from '../../src/human/approval-files.ts';
import type { ApprovalRecord } from '../../src/human/approval.ts';
import { QUEUE_TEST_MS, type QueueWorld, createQueueWorld } from './queue-world.ts';

const worlds: QueueWorld[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
});

/** The pending approvals once one is there (the pair writes it before it waits). */
async function pendingSoon(stateDir: string): Promise<PendingApproval[]> {
  for (;;) {
    const pending = await listPending(stateDir);
    if (pending.length > 0) return pending;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('poli work --approve plans', () => {
  it(
    "gives its pairs the gate: the plan waits for the dashboard's decision, then the task runs and merges",
    async () => {
      const w = await createQueueWorld();
      worlds.push(w);
      expect((await w.poli(['add', 'Create a.txt containing A'])).code).toBe(0);
      const work = w.start(['work', '--approve', 'plans'], w.mockEnv);
      work.child.stdin?.end();
      const [pending, ...more] = await pendingSoon(w.stateDir);
      expect(more).toEqual([]);
      expect([pending?.task, pending?.from, pending?.type, pending?.session]).toEqual(['T1', 'PLANNER', 'plan', 'T1']);
      expect(await decide(w.stateDir, 'T1', pending?.id ?? '', { action: 'approve' })).toBe('decided');
      expect(await work.exited, `${work.stdout()}\n${work.stderr()}`).toBe(0);
      expect(work.stdout()).toContain('poli: the queue is drained: 1 task(s) merged.');
      expect(await readFile(path.join(w.projectDir, 'a.txt'), 'utf8')).toBe('A\n');
      // The pair's log is its terminal.
      expect(await readFile(path.join(w.stateDir, 'queue', 'logs', 'T1.log'), 'utf8')).toContain('poli: approved from the dashboard\n');
      expect((await w.record('T1')).approvals?.map((a) => [(a as ApprovalRecord).type, (a as ApprovalRecord).decision])).toEqual([['plan', 'approve']]);
    },
    QUEUE_TEST_MS,
  );
});
