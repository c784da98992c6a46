import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { advanceBase, commitAll, createTaskWorktree, integrate, worktreeState } from '../../src/git/index.ts';
import { allCommitsReachable, createGitSandbox, type GitSandbox } from './git-sandbox.ts';

// Conflicts stay in the task's worktree for its EXECUTER to resolve; commitAll never commits markers; the person's
// uncommitted work in their checkout of the base is never overwritten.

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

async function startTask(name: string): Promise<{ dir: string; branch: string }> {
  const dir = s.taskDir(name);
  const branch = `poli/${name}`;
  await createTaskWorktree(s.deps, { project: s.project, dir, branch, base: 'main' });
  return { dir, branch };
}

/** A task and the person both change line two of a.txt and both add new.txt: a content and an add/add conflict. */
async function conflictingTask(): Promise<{ dir: string; branch: string; theirs: string }> {
  const { dir, branch } = await startTask('T1');
  s.write(dir, 'a.txt', 'one\ntask two\nthree\n');
  s.write(dir, 'new.txt', 'added by the task\n');
  expect(await commitAll(s.deps, { worktree: dir, message: 'task work' })).toMatchObject({ committed: true });
  s.commitFile(s.project, 'a.txt', 'one\nmain two\nthree\n');
  const theirs = s.commitFile(s.project, 'new.txt', 'added on main\n');
  return { dir, branch, theirs };
}

describe('integrate with conflicts', () => {
  it('leaves the merge in progress with markers, lists the files, and merges once they are resolved', async () => {
    const { dir, branch, theirs } = await conflictingTask();
    const result = await integrate(s.deps, { worktree: dir, branch, base: 'main' });
    expect(result).toMatchObject({ kind: 'conflict', files: ['a.txt', 'new.txt'], base: theirs });
    expect(result.kind === 'conflict' && result.output).toContain('CONFLICT (content): Merge conflict in a.txt');
    expect(s.read(dir, 'a.txt')).toMatch(/^<{7} HEAD\ntask two\n={7}\nmain two\n>{7} /m);
    expect(await worktreeState(s.deps, dir)).toMatchObject({
      exists: true, branch, mergeInProgress: true, unmerged: ['a.txt', 'new.txt'], dirty: true,
    });
    // Asked again before anything is resolved: the same conflict, nothing changed.
    expect(await integrate(s.deps, { worktree: dir, branch, base: 'main' })).toMatchObject({ kind: 'conflict', files: ['a.txt', 'new.txt'] });

    expect(await commitAll(s.deps, { worktree: dir, message: 'x' })).toEqual({ kind: 'markers', files: ['a.txt', 'new.txt'] });
    s.write(dir, 'a.txt', 'one\ntask and main two\nthree\n'); // what the EXECUTER does
    expect(await commitAll(s.deps, { worktree: dir, message: 'x' })).toEqual({ kind: 'markers', files: ['new.txt'] });
    s.write(dir, 'new.txt', 'added by both\n');
    const concluded = await commitAll(s.deps, { worktree: dir, message: 'x' });
    expect(concluded).toMatchObject({ kind: 'committed', committed: true });
    expect(s.git(['rev-list', '--parents', '-n', '1', 'HEAD'], dir).split(' ')).toHaveLength(3);

    const ready = await integrate(s.deps, { worktree: dir, branch, base: 'main' });
    expect(ready).toMatchObject({ kind: 'ready', base: theirs });
    const merged = await advanceBase(s.deps, {
      project: s.project, base: 'main', branch, strategy: 'rebase', expected: theirs, message: 'Merge poli/T1: task',
    });
    // A branch with a merge commit is not rebased: the merge-commit fallback.
    expect(merged).toMatchObject({ kind: 'merged', how: 'merge-commit' });
    expect(s.read(s.project, 'a.txt')).toBe('one\ntask and main two\nthree\n');
    expect(s.read(s.project, 'new.txt')).toBe('added by both\n');
  });

  it('refuses to commit markers even when the file was staged with them', async () => {
    const { dir, branch } = await conflictingTask();
    await integrate(s.deps, { worktree: dir, branch, base: 'main' });
    s.git(['add', 'a.txt', 'new.txt'], dir); // an EXECUTER that marked the files resolved without resolving them
    const head = s.git(['rev-parse', 'HEAD'], dir);
    expect(await commitAll(s.deps, { worktree: dir, message: 'x' })).toEqual({ kind: 'markers', files: ['a.txt', 'new.txt'] });
    expect(s.git(['rev-parse', 'HEAD'], dir)).toBe(head);
  });

  it('concludes a merge whose resolution keeps the branch’s side (nothing staged, still a merge commit)', async () => {
    const { dir, branch } = await conflictingTask();
    await integrate(s.deps, { worktree: dir, branch, base: 'main' });
    s.write(dir, 'a.txt', 'one\ntask two\nthree\n');
    s.write(dir, 'new.txt', 'added by the task\n');
    expect(await commitAll(s.deps, { worktree: dir, message: 'x' })).toMatchObject({ committed: true });
    expect(await worktreeState(s.deps, dir)).toMatchObject({ mergeInProgress: false, dirty: false });
    expect(s.git(['rev-list', '--parents', '-n', '1', 'HEAD'], dir).split(' ')).toHaveLength(3);
  });
});

describe('the person’s uncommitted change in their checkout of main', () => {
  it('is never overwritten: checkout-dirty, main where it was, their change still there', async () => {
    const { dir, branch } = await startTask('T2');
    s.write(dir, 'a.txt', 'one\ntask two\nthree\n');
    await commitAll(s.deps, { worktree: dir, message: 'task' });
    const ready = await integrate(s.deps, { worktree: dir, branch, base: 'main' });
    if (ready.kind !== 'ready') throw new Error('expected ready');
    s.write(s.project, 'a.txt', 'one\nperson is editing\nthree\n');
    const before = s.git(['rev-parse', 'main']);
    const advance = { project: s.project, base: 'main', branch, strategy: 'merge' as const, expected: ready.base, message: 'Merge' };
    const result = await advanceBase(s.deps, advance);
    expect(result).toMatchObject({ kind: 'checkout-dirty', worktree: s.project });
    expect(result.kind === 'checkout-dirty' && result.reason).toContain('a.txt');
    expect(s.git(['rev-parse', 'main'])).toBe(before);
    expect(s.read(s.project, 'a.txt')).toBe('one\nperson is editing\nthree\n');
    // The person puts their edit away (here: undoes it); the retry merges.
    s.git(['checkout', '--', 'a.txt']);
    expect(await advanceBase(s.deps, advance)).toMatchObject({ kind: 'merged' });
    expect(s.read(s.project, 'a.txt')).toBe('one\ntask two\nthree\n');
  });

  it('an uncommitted change to another file does not stop the merge and stays as it was', async () => {
    const { dir, branch } = await startTask('T3');
    s.write(dir, 'feature.txt', 'x\n');
    await commitAll(s.deps, { worktree: dir, message: 'task' });
    const ready = await integrate(s.deps, { worktree: dir, branch, base: 'main' });
    s.write(s.project, 'a.txt', 'person is editing\n');
    const result = await advanceBase(s.deps, {
      project: s.project, base: 'main', branch, strategy: 'merge', expected: ready.base, message: 'Merge',
    });
    expect(result).toMatchObject({ kind: 'merged' });
    expect(s.read(s.project, 'a.txt')).toBe('person is editing\n');
    expect(s.read(s.project, 'feature.txt')).toBe('x\n');
  });

  it('a rebase of main in progress in their checkout: checkout-dirty, main not moved under it', async () => {
    s.commitFile(s.project, 'b.txt', 'person\n');
    const { dir, branch } = await startTask('T4');
    s.write(dir, 'feature.txt', 'x\n');
    await commitAll(s.deps, { worktree: dir, message: 'task' });
    const ready = await integrate(s.deps, { worktree: dir, branch, base: 'main' });
    // The person's rebase stops after its first step (an --exec that fails): HEAD detached, main being rebased.
    expect(s.gitCode(['rebase', '--quiet', '--exec', 'false', 'HEAD~1'])).not.toBe(0);
    const result = await advanceBase(s.deps, {
      project: s.project, base: 'main', branch, strategy: 'merge', expected: ready.base, message: 'Merge',
    });
    expect(result).toEqual({ kind: 'checkout-dirty', worktree: s.project, reason: `a rebase of main is in progress in ${s.project}` });
    expect(s.git(['rev-parse', 'main'])).toBe(ready.base);
    s.git(['rebase', '--abort']);
  });
});
