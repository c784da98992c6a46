/**
 * Issue 20: the person's checkout of the base has an uncommitted change to the file a task writes. poli never
 * overwrites it: the task waits as `needs_merge` with a reason that says why, the change stays. Once they commit it,
 * `poli merge T1` and `poli work` bring their commit into the task (a conflict, back to the dialogue) and merge it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_TEST_MS, type QueueWorld, createQueueWorld } from './queue-world.ts';

const worlds: QueueWorld[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
});

describe('the person’s uncommitted change in the base’s checkout', () => {
  it(
    'stops the merge as needs_merge, keeps their change, and merges after they commit it',
    async () => {
      const w = await createQueueWorld({ 'x.txt': 'base\n' });
      worlds.push(w);
      expect((await w.poli(['add', 'Create x.txt containing TASK'])).code).toBe(0);
      const file = path.join(w.projectDir, 'x.txt');
      await writeFile(file, 'mine\n');

      const work = await w.poli(['work'], w.mockEnv);
      expect(work.code, `${work.stdout}\n${work.stderr}`).toBe(1);
      const [row] = await w.rows();
      expect(row?.state).toBe('needs_merge');
      expect(row?.reason).toBe(`your checkout of main (${w.projectDir}) has uncommitted changes to x.txt that moving main would overwrite; commit them or move them away`);
      // One line in poli ps, the way out at its end.
      expect((await w.poli(['ps'])).stdout).toMatch(/^T1\s+needs_merge\s.*you: your checkout of main .* has uncommitted changes to x\.txt .*\(then poli merge T1\)$/m);
      expect(work.stderr).toContain('poli: T1 needs you to merge it:');
      expect(await readFile(file, 'utf8')).toBe('mine\n');
      expect(w.git(['show', 'poli/T1:x.txt'])).toBe('TASK\n');

      // They commit their change; the task is put back and merged over it.
      w.git(['commit', '-q', '-am', 'my change']);
      expect((await w.poli(['merge', 'T1'])).code).toBe(0);
      const again = await w.poli(['work'], w.mockEnv);
      expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
      const [after] = await w.rows();
      expect(after?.state).toBe('merged');
      expect(again.stderr).toContain('poli: T1 goes back to its dialogue (revision 1 of at most 2): merging main into poli/T1 conflicts in x.txt');
      expect(await readFile(file, 'utf8')).toBe('TASK\n');
      const subjects = w.git(['log', '--format=%s', 'main']);
      expect(subjects).toContain('my change');
      expect(subjects).toContain('T1: Create x.txt containing TASK');
      expect(w.git(['status', '--porcelain'])).toBe('');
    },
    QUEUE_TEST_MS,
  );
});
