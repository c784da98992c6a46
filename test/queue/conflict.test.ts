/**
 * Issue 20, "Done when": a planted conflict goes back to its dialogue and ends merged. Two tasks write the same file
 * with different content at once; the second to merge conflicts with the first, gets the conflict as a revision
 * (exactly once, through real tmux to the mock executer), redoes its work and is merged: its content wins, and main
 * holds both tasks' commits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_TEST_MS, type QueueWorld, createQueueWorld, tmuxSessions } from './queue-world.ts';

const worlds: QueueWorld[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
});

describe('a conflict in the merge queue', () => {
  it(
    'sends the second task back to its dialogue with the conflicting file named, then merges it',
    async () => {
      const w = await createQueueWorld();
      worlds.push(w);
      const texts: Record<string, string> = { T1: 'FIRST', T2: 'SECOND' };
      for (const text of Object.values(texts)) expect((await w.poli(['add', `Create same.txt containing ${text}`])).code).toBe(0);

      const work = await w.poli(['work', '--parallel', '2'], w.mockEnv);
      expect(work.code, `${work.stdout}\n${work.stderr}`).toBe(0);
      const rows = await w.rows();
      expect(rows.map((r) => r.state)).toEqual(['merged', 'merged']);
      // Which one merged second is up to the race: it is the one sent back.
      const [first, second] = [...rows].sort((a, b) => Date.parse(a.endedAt ?? '') - Date.parse(b.endedAt ?? ''));
      if (first === undefined || second === undefined) throw new Error('two tasks expected');
      expect(first.mergeAttempts).toBe(0);
      expect(second.mergeAttempts).toBe(1);
      expect(work.stderr).toContain(`poli: ${second.id} goes back to its dialogue (revision 1 of at most 2): merging main into poli/${second.id} conflicts in same.txt`);
      expect(work.stdout).toContain(`poli: ${second.id} resumed with the merge queue's revision`);

      // Its record: one revision from poli to the executer, naming the file and ending with the task.
      const record = await w.record(second.id);
      const revisions = record.messages.filter((m) => m.from === 'ORCHESTRATOR' && m.to === 'EXECUTER' && m.type === 'revision');
      expect(revisions).toHaveLength(1);
      const revision = revisions[0];
      expect(revision?.body).toContain('conflicts in: same.txt');
      expect(revision?.body.trimEnd().endsWith(`Create same.txt containing ${texts[second.id]}`)).toBe(true);
      expect(record.status).toBe('completed');
      // The mock executer received it exactly once.
      const received = (await w.trace()).filter((t) => t.event === 'received' && t.role === 'EXECUTER' && t.id === revision?.id);
      expect(received).toHaveLength(1);
      expect(received[0]?.type).toBe('revision');
      expect((await w.record(first.id)).messages.some((m) => m.type === 'revision')).toBe(false);

      // The second task's content won; main holds both tasks' commits; nothing is left behind.
      expect(w.git(['show', 'main:same.txt'])).toBe(`${texts[second.id]}\n`);
      const subjects = w.git(['log', '--format=%s', 'main']);
      expect(subjects).toContain(`${first.id}: Create same.txt containing ${texts[first.id]}`);
      expect(subjects).toContain(`${second.id}: Create same.txt containing ${texts[second.id]}`);
      expect(subjects).toContain(`Merge poli/${second.id}: Create same.txt containing ${texts[second.id]}`);
      expect(w.git(['merge-base', '--is-ancestor', first.mergedCommit ?? '', 'main'])).toBe('');
      expect(w.git(['branch', '--list', 'poli/*'])).toBe('');
      expect(w.git(['status', '--porcelain'])).toBe('');
      expect(tmuxSessions(w.socket)).toEqual([]);
    },
    QUEUE_TEST_MS,
  );
});
