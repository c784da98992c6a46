import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  advanceBase,
  commitAll,
  createTaskWorktree,
  integrate,
  removeIfMerged,
  type MergeStrategy,
} from '../../src/git/index.ts';
import { allCommitsReachable, createGitSandbox, type GitSandbox } from './git-sandbox.ts';

// The merge queue's git steps against real git, in the order poli runs them (docs/merge-queue.md): a task works in
// its worktree, commitAll, integrate, (check), advanceBase, removeIfMerged. After every test, every commit that was
// ever on a branch is still reachable from some ref.

let s: GitSandbox;
beforeEach(() => {
  s = createGitSandbox();
});
afterEach(() => {
  try {
    expect(allCommitsReachable(s)).toEqual([]);
  } finally {
    s.remove();
  }
});

async function startTask(name: string): Promise<{ dir: string; branch: string; baseCommit: string }> {
  const dir = s.taskDir(name);
  const branch = `poli/${name}`;
  const { baseCommit } = await createTaskWorktree(s.deps, { project: s.project, dir, branch, base: 'main' });
  return { dir, branch, baseCommit };
}

/** commitAll, integrate and advance, as the queue does for a task with no conflict. */
async function finishTask(dir: string, branch: string, strategy: MergeStrategy, message = `Merge ${branch}: task`) {
  const committed = await commitAll(s.deps, { worktree: dir, message: `${branch}: the task's work` });
  expect(committed.kind).toBe('committed');
  const ready = await integrate(s.deps, { worktree: dir, branch, base: 'main' });
  if (ready.kind !== 'ready') throw new Error(`expected ready, got ${ready.kind}`);
  return advanceBase(s.deps, { project: s.project, base: 'main', branch, strategy, expected: ready.base, message });
}

describe('a clean task branch', () => {
  it('merges with a merge commit, and the person’s checkout of main follows', async () => {
    const { dir, branch, baseCommit } = await startTask('T1');
    expect(baseCommit).toBe(s.git(['rev-parse', 'main']));
    s.write(dir, 'feature.txt', 'made by the task\n');
    const result = await finishTask(dir, branch, 'merge', 'Merge poli/T1: add a feature');
    if (result.kind !== 'merged') throw new Error(`expected merged, got ${JSON.stringify(result)}`);
    expect(result.how).toBe('merge-commit');
    expect(s.git(['rev-parse', 'main'])).toBe(result.commit);
    expect(s.git(['rev-list', '--parents', '-n', '1', 'main']).split(' ').slice(1)).toEqual([
      baseCommit,
      s.git(['rev-parse', branch]),
    ]);
    expect(s.git(['log', '-1', '--format=%s|%an <%ae>', 'main'])).toBe('Merge poli/T1: add a feature|poli <poli@localhost>');
    // The person's working tree moved with the branch, and has nothing left to commit.
    expect(s.read(s.project, 'feature.txt')).toBe('made by the task\n');
    expect(s.git(['status', '--porcelain'])).toBe('');
    // A retry after a crash that hid the answer: nothing more to do, and nothing is merged twice.
    const retry = await advanceBase(s.deps, {
      project: s.project, base: 'main', branch, strategy: 'merge', expected: result.commit, message: 'unused',
    });
    expect(retry).toEqual({ kind: 'merged', commit: result.commit, how: 'already-merged' });
    expect(await removeIfMerged(s.deps, { project: s.project, worktree: dir, branch, base: 'main' })).toEqual({ removed: true });
    expect(existsSync(dir)).toBe(false);
    expect(s.gitCode(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).not.toBe(0);
  });

  it('fast-forwards main to the branch with the rebase strategy', async () => {
    const { dir, branch } = await startTask('T2');
    s.write(dir, 'feature.txt', 'made by the task\n');
    const result = await finishTask(dir, branch, 'rebase');
    expect(result).toEqual({ kind: 'merged', commit: s.git(['rev-parse', branch]), how: 'fast-forward' });
    expect(s.git(['rev-parse', 'main'])).toBe(s.git(['rev-parse', branch]));
    expect(s.read(s.project, 'feature.txt')).toBe('made by the task\n');
  });

  it('rebases a branch without merge commits onto a base that moved, keeping the old head under refs/poli/', async () => {
    const { dir, branch } = await startTask('T3');
    const old = s.commitFile(dir, 'feature.txt', 'task\n');
    const other = s.commitFile(s.project, 'other.txt', 'the person\n');
    const result = await advanceBase(s.deps, {
      project: s.project, base: 'main', branch, strategy: 'rebase', expected: other, message: 'unused',
    });
    expect(result).toMatchObject({ kind: 'merged', how: 'rebase' });
    expect(s.git(['rev-parse', 'main^'])).toBe(other);
    expect(s.git(['rev-parse', `refs/poli/pre-rebase/${branch}/${old}`])).toBe(old);
    expect(s.read(s.project, 'feature.txt')).toBe('task\n');
  });

  it('takes the person’s identity when git has one', async () => {
    s.git(['config', 'user.email', 'person@example.test']);
    s.git(['config', 'user.name', 'Test Person']);
    const { dir, branch } = await startTask('T4');
    s.write(dir, 'feature.txt', 'x\n');
    expect((await finishTask(dir, branch, 'merge')).kind).toBe('merged');
    expect(s.git(['log', '-2', '--format=%an <%ae>', 'main'])).toBe('Test Person <person@example.test>\nTest Person <person@example.test>');
  });
});

describe('the base branch checked out nowhere', () => {
  it('moves main with update-ref and leaves the project’s working tree alone', async () => {
    s.git(['switch', '--quiet', '-c', 'dev']);
    const { dir, branch } = await startTask('T5');
    s.write(dir, 'feature.txt', 'x\n');
    const result = await finishTask(dir, branch, 'merge');
    expect(result).toMatchObject({ kind: 'merged', how: 'merge-commit' });
    expect(s.git(['rev-parse', 'main'])).toBe(result.kind === 'merged' ? result.commit : '');
    expect(s.git(['symbolic-ref', '--short', 'HEAD'])).toBe('dev');
    expect(existsSync(`${s.project}/feature.txt`)).toBe(false);
  });
});

describe('the base moved between integrate and advance', () => {
  it.each(['merge', 'rebase'] as const)('refuses (%s), integrates again, then merges and keeps the other commit', async (strategy) => {
    s.git(['switch', '--quiet', '-c', 'dev']); // main checked out nowhere: the update-ref compare-and-swap
    const { dir, branch } = await startTask('T6');
    s.write(dir, 'feature.txt', 'x\n');
    await commitAll(s.deps, { worktree: dir, message: 'task' });
    const first = await integrate(s.deps, { worktree: dir, branch, base: 'main' });
    expect(first.kind).toBe('ready');
    s.git(['switch', '--quiet', 'main']);
    const theirs = s.commitFile(s.project, 'other.txt', 'another task merged first\n');
    s.git(['switch', '--quiet', 'dev']);
    const advance = { project: s.project, base: 'main', branch, strategy, message: 'Merge poli/T6: task' };
    expect(await advanceBase(s.deps, { ...advance, expected: first.base })).toEqual({ kind: 'base-moved', current: theirs });
    const second = await integrate(s.deps, { worktree: dir, branch, base: 'main' });
    expect(second).toMatchObject({ kind: 'ready', base: theirs });
    const result = await advanceBase(s.deps, { ...advance, expected: second.base });
    expect(result.kind).toBe('merged');
    expect(s.gitCode(['merge-base', '--is-ancestor', theirs, 'main'])).toBe(0);
    expect(s.git(['show', 'main:feature.txt'])).toBe('x');
    expect(s.git(['show', 'main:other.txt'])).toBe('another task merged first');
  });
});
