/**
 * Issue 20, "Done when": a failing `--check` goes back to the dialogue and ends merged, or — when it keeps failing —
 * `needs_merge` with the branch and its commits kept, which `poli merge T1` and `poli work` finish once it passes.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_TEST_MS, type QueueWorld, createQueueWorld, tmuxSessions } from './queue-world.ts';

const worlds: QueueWorld[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
});

async function world(): Promise<QueueWorld> {
  const w = await createQueueWorld();
  worlds.push(w);
  return w;
}

function revisionsOf(record: { messages: { from: string; to: string; type: string; body: string; id: string }[] }) {
  return record.messages.filter((m) => m.from === 'ORCHESTRATOR' && m.to === 'EXECUTER' && m.type === 'revision');
}

describe('poli work --check', () => {
  it(
    'sends a task whose check fails back with the check’s output, and merges it once the check passes',
    async () => {
      const w = await world();
      // Fails the first time it runs, passes after: a counter kept outside the project.
      const counter = path.join(w.root, 'check-count');
      const check = `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; if [ $n -lt 2 ]; then echo "CHECK SAYS: run $n failed"; exit 3; fi; echo "run $n passed"`;
      expect((await w.poli(['add', 'Create c.txt containing CHECKED'])).code).toBe(0);

      const work = await w.poli(['work', '--check', check], w.mockEnv);
      expect(work.code, `${work.stdout}\n${work.stderr}`).toBe(0);
      expect(work.stdout).toContain('poli: T1: running the check (');
      expect(work.stderr).toContain('poli: T1 goes back to its dialogue (revision 1 of at most 2): the check failed (exit 3)');
      expect(work.stdout).toMatch(/^poli: T1 merged into main \(/m);

      const [row] = await w.rows();
      expect(row?.state).toBe('merged');
      expect(row?.mergeAttempts).toBe(1);
      const revisions = revisionsOf(await w.record('T1'));
      expect(revisions).toHaveLength(1);
      expect(revisions[0]?.body).toContain('CHECK SAYS: run 1 failed');
      const received = (await w.trace()).filter((t) => t.event === 'received' && t.role === 'EXECUTER' && t.type === 'revision');
      expect(received.map((t) => t.id)).toEqual([revisions[0]?.id]);
      expect(w.git(['show', 'main:c.txt'])).toBe('CHECKED\n');
      expect(w.git(['branch', '--list', 'poli/*'])).toBe('');
    },
    QUEUE_TEST_MS,
  );

  it(
    'leaves a task whose check keeps failing as needs_merge with its branch, worktree and commits kept; poli merge finishes it',
    async () => {
      const w = await world();
      // Passes only once the person has made it pass: a file outside the project.
      const ok = path.join(w.root, 'check-ok');
      const check = `test -f ${ok} || { echo "NOT YET: ${ok} is missing"; exit 1; }`;
      expect((await w.poli(['add', 'Create kept.txt containing KEPT'])).code).toBe(0);

      const work = await w.poli(['work', '--check', check, '--merge-retries', '1'], w.mockEnv);
      expect(work.code, `${work.stdout}\n${work.stderr}`).toBe(1);
      expect(work.stderr).toContain('poli: T1 goes back to its dialogue (revision 1 of at most 1): the check failed (exit 1)');
      expect(work.stderr).toContain('poli: T1 needs you to merge it: the check failed (exit 1), after 1 revision(s). Its branch poli/T1 is kept; fix it there, then: poli merge T1');
      expect(work.stdout).toContain('poli: the queue is drained: 0 task(s) merged, 1 left for you (poli ps)');

      const [row] = await w.rows();
      expect(row?.state).toBe('needs_merge');
      expect(row?.mergeAttempts).toBe(1);
      expect(row?.reason).toBe('the check failed (exit 1), after 1 revision(s)');
      expect(revisionsOf(await w.record('T1'))).toHaveLength(1);
      // Nothing lost: the branch holds the task's commit and file, its worktree is there; main has neither.
      expect(w.git(['branch', '--list', 'poli/T1'])).toContain('poli/T1');
      expect(w.git(['log', '--format=%s', 'poli/T1'])).toContain('T1: Create kept.txt containing KEPT');
      expect(w.git(['show', 'poli/T1:kept.txt'])).toBe('KEPT\n');
      expect(w.git(['worktree', 'list'])).toContain(path.join(w.stateDir, 'worktrees', 'T1'));
      expect(existsSync(path.join(w.projectDir, 'kept.txt'))).toBe(false);
      const ps = await w.poli(['ps']);
      expect(ps.stdout).toMatch(/^T1\s+needs_merge\s.*poli\/T1\s+you: the check failed \(exit 1\), after 1 revision\(s\) \(then poli merge T1\)$/m);

      // The person makes the check pass, puts the task back and works the queue again.
      await writeFile(ok, 'fixed\n');
      const merge = await w.poli(['merge', 'T1']);
      expect(merge.code, merge.stderr).toBe(0);
      const again = await w.poli(['work', '--check', check, '--merge-retries', '1'], w.mockEnv);
      expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
      expect(again.stdout).toMatch(/^poli: T1 merged into main \(/m);
      const [after] = await w.rows();
      expect(after?.state).toBe('merged');
      expect(w.git(['show', 'main:kept.txt'])).toBe('KEPT\n');
      expect(w.git(['branch', '--list', 'poli/*'])).toBe('');
      expect(w.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
      expect(tmuxSessions(w.socket)).toEqual([]);
    },
    QUEUE_TEST_MS,
  );
});
