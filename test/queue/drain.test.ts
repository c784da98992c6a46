/**
 * Issue 20, "Done when": tasks with priorities and a dependency chain drain through real tmux and real git with the
 * mocks — every branch merged into the project's checkout, nothing left behind (branches, worktrees, sessions),
 * dependencies and priorities respected, and what a person sees (poli work's lines, poli queue and poli ps) says so.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_TEST_MS, type QueueWorld, createQueueWorld, lineIndex, tmuxSessions } from './queue-world.ts';

const worlds: QueueWorld[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
});

async function world(): Promise<QueueWorld> {
  const w = await createQueueWorld();
  worlds.push(w);
  return w;
}

/** The eight tasks: id, priority, what it runs after, the file it writes and the text in it. */
const TASKS = [
  { id: 'T1', priority: 'normal', after: '', file: 't1.txt', text: 'ONE' },
  { id: 'T2', priority: 'low', after: '', file: 't2.txt', text: 'TWO' },
  { id: 'T3', priority: 'high', after: 'T1', file: 't3.txt', text: 'THREE' },
  { id: 'T4', priority: 'high', after: '', file: 't4.txt', text: 'FOUR' },
  { id: 'T5', priority: 'normal', after: '', file: 'sub/t5.txt', text: 'FIVE' },
  { id: 'T6', priority: 'normal', after: 'T3,T5', file: 't6.txt', text: 'SIX' },
  { id: 'T7', priority: 'low', after: '', file: 't7.txt', text: 'SEVEN' },
  { id: 'T8', priority: 'high', after: 'T6', file: 't8.txt', text: 'EIGHT' },
] as const;

describe('poli work drains the queue', () => {
  it(
    'runs 8 tasks with priorities and a dependency chain 4 at a time, merges every one and leaves nothing behind',
    async () => {
      const w = await world();
      for (const t of TASKS) {
        const added = await w.poli(['add', `Create ${t.file} containing ${t.text}`, '--priority', t.priority, ...(t.after ? ['--after', t.after] : [])]);
        expect(added.code, added.stderr).toBe(0);
        expect(added.stdout).toContain(`poli: queued ${t.id} (priority ${t.priority}${t.after ? `, after ${t.after.split(',').join(', ')}` : ''})`);
      }

      // What the person sees before: every task queued, the dependents waiting on their dependencies.
      const before = await w.poli(['queue']);
      expect(before.stdout.split('\n')[0]).toMatch(/^ID\s+PRIORITY\s+STATE\s+WAITING ON\s+TYPE\s+TASK$/);
      expect(before.stdout).toMatch(/^T1\s+normal\s+queued\s+a free worker\s+Create t1\.txt containing ONE$/m);
      expect(before.stdout).toMatch(/^T6\s+normal\s+queued\s+T3, T5\s+Create t6\.txt containing SIX$/m);
      expect(before.stdout).toMatch(/^T8\s+high\s+queued\s+T6\s+Create t8\.txt containing EIGHT$/m);

      const work = w.start(['work', '--parallel', '4'], w.mockEnv);
      work.child.stdin?.end();
      // While it works, poli ps shows the live tasks, some of them running on their branch.
      await work.waitFor(/T\d started on poli\/T\d/);
      const ps = await w.poli(['ps']);
      expect(ps.code).toBe(0);
      expect(ps.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+ROUND\s+ELAPSED\s+BRANCH\s+WAITING ON$/);
      expect(ps.stdout).toMatch(/^T\d\s+(running|merging|queued)\b/m);
      const code = await work.exited;
      const out = work.stdout();
      expect(code, `${out}\n${work.stderr()}`).toBe(0);

      // Every task merged, its file with exactly its text on main and in the person's checkout.
      const rows = await w.rows();
      expect(rows.map((r) => [r.id, r.state])).toEqual(TASKS.map((t) => [t.id, 'merged']));
      expect(rows.map((r) => [r.id, r.status, r.round])).toEqual(TASKS.map((t) => [t.id, 'completed', 1]));
      for (const t of TASKS) {
        expect(w.git(['show', `main:${t.file}`])).toBe(`${t.text}\n`);
        expect(await readFile(path.join(w.projectDir, t.file), 'utf8')).toBe(`${t.text}\n`);
        expect(out).toContain(`poli: ${t.id} completed in 1 round(s); queued for merging into main`);
        expect(out).toMatch(new RegExp(`^poli: ${t.id} merged into main \\([0-9a-f]{10}\\)$`, 'm'));
        expect(w.git(['log', '--format=%s', 'main'])).toContain(`${t.id}: Create ${t.file} containing ${t.text}`);
      }
      expect(out).toContain('poli: the queue is drained: 8 task(s) merged.');
      expect(w.git(['status', '--porcelain'])).toBe('');

      // Nothing left: no poli/* branch, no worktree but the project's, no tmux session.
      expect(w.git(['branch', '--list', 'poli/*'])).toBe('');
      expect(w.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
      expect(tmuxSessions(w.socket)).toEqual([]);

      // Dependencies: a dependent started only after each of its dependencies was merged.
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const t of TASKS.filter((x) => x.after !== '')) {
        for (const dep of t.after.split(',')) {
          const started = Date.parse(byId.get(t.id)?.startedAt ?? '');
          const merged = Date.parse(byId.get(dep)?.endedAt ?? '');
          expect(started, `${t.id} started before ${dep} was merged`).toBeGreaterThanOrEqual(merged);
          expect(lineIndex(out, `poli: ${t.id} started on`)).toBeGreaterThan(lineIndex(out, `poli: ${dep} merged into main`));
        }
      }

      // What the person sees after.
      const after = await w.poli(['queue']);
      expect(after.stdout).toBe('poli: nothing queued (poli queue --all shows merged tasks too).\n');
      const all = await w.poli(['queue', '--all']);
      for (const t of TASKS) expect(all.stdout).toMatch(new RegExp(`^${t.id}\\s+${t.priority}\\s+merged\\s`, 'm'));
      expect((await w.poli(['ps'])).stdout).toBe('poli: no queued or running tasks.\n');
    },
    QUEUE_TEST_MS,
  );

  it(
    'starts tasks ready at the same time by priority: high, then normal, then low (in the order added within one)',
    async () => {
      const w = await world();
      const tasks = [
        { id: 'T1', priority: 'low', file: 'a.txt' },
        { id: 'T2', priority: 'normal', file: 'b.txt' },
        { id: 'T3', priority: 'high', file: 'c.txt' },
        { id: 'T4', priority: 'normal', file: 'd.txt' },
      ];
      for (const t of tasks) expect((await w.poli(['add', `Create ${t.file} containing ${t.id}`, '--priority', t.priority])).code).toBe(0);
      const work = await w.poli(['work', '--parallel', '1'], w.mockEnv);
      expect(work.code, `${work.stdout}\n${work.stderr}`).toBe(0);
      const starts = work.stdout
        .split('\n')
        .map((l) => /^poli: (T\d) started on/.exec(l)?.[1])
        .filter((id) => id !== undefined);
      expect(starts).toEqual(['T3', 'T2', 'T4', 'T1']);
      const rows = await w.rows();
      expect(rows.every((r) => r.state === 'merged')).toBe(true);
      for (const t of tasks) expect(w.git(['show', `main:${t.file}`])).toBe(`${t.id}\n`);
    },
    QUEUE_TEST_MS,
  );
});
