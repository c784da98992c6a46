import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  commitAll,
  createTaskWorktree,
  currentBranch,
  DetachedHeadError,
  removeIfMerged,
  worktreeState,
  WorktreeConflictError,
} from '../../src/git/index.ts';
import { allCommitsReachable, createGitSandbox, type GitSandbox } from './git-sandbox.ts';

// A task's worktree is made again after a crash without losing the branch, and removed only once nothing can be lost.

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

const spec = (name: string) => ({ project: s.project, dir: s.taskDir(name), branch: `poli/${name}`, base: 'main' });

describe('createTaskWorktree after a crash', () => {
  it('returns an existing worktree on the branch as it is', async () => {
    const first = await createTaskWorktree(s.deps, spec('T1'));
    expect(first.created).toBe(true);
    const work = s.commitFile(s.taskDir('T1'), 'feature.txt', 'task work\n');
    s.commitFile(s.project, 'other.txt', 'main moved on\n');
    const again = await createTaskWorktree(s.deps, spec('T1'));
    expect(again).toEqual({ baseCommit: first.baseCommit, created: false });
    expect(s.git(['rev-parse', 'poli/T1'])).toBe(work);
  });

  it('adds the worktree again for a branch whose directory is gone, never resetting the branch', async () => {
    const first = await createTaskWorktree(s.deps, spec('T2'));
    const work = s.commitFile(s.taskDir('T2'), 'feature.txt', 'the only copy\n');
    rmSync(s.taskDir('T2'), { recursive: true, force: true }); // crashed and cleaned up by hand: git still lists it
    expect(await createTaskWorktree(s.deps, spec('T2'))).toEqual({ baseCommit: first.baseCommit, created: true });
    expect(s.git(['rev-parse', 'HEAD'], s.taskDir('T2'))).toBe(work);
    expect(s.read(s.taskDir('T2'), 'feature.txt')).toBe('the only copy\n');
  });

  it('checks out an existing branch that has no worktree (removed with git worktree remove)', async () => {
    await createTaskWorktree(s.deps, spec('T3'));
    const work = s.commitFile(s.taskDir('T3'), 'feature.txt', 'kept\n');
    s.git(['worktree', 'remove', s.taskDir('T3')]);
    expect(await createTaskWorktree(s.deps, spec('T3'))).toMatchObject({ created: true });
    expect(s.git(['rev-parse', 'HEAD'], s.taskDir('T3'))).toBe(work);
  });

  it('refuses a directory that is a worktree on another branch, or that holds other files', async () => {
    await createTaskWorktree(s.deps, spec('T4'));
    await expect(createTaskWorktree(s.deps, { ...spec('T4'), branch: 'poli/T5' })).rejects.toThrow(WorktreeConflictError);
    mkdirSync(s.taskDir('T6'), { recursive: true });
    writeFileSync(join(s.taskDir('T6'), 'someone.txt'), 'not poli’s\n');
    await expect(createTaskWorktree(s.deps, spec('T6'))).rejects.toThrow(/already exists[\s\S]*poli deleted nothing/);
    expect(s.read(s.taskDir('T6'), 'someone.txt')).toBe('not poli’s\n');
  });

  it('starts the branch from the base commit, and says so when the base does not exist', async () => {
    s.git(['branch', 'release']);
    const head = s.commitFile(s.project, 'b.txt', 'on main only\n');
    const { baseCommit } = await createTaskWorktree(s.deps, { ...spec('T7'), base: 'release' });
    expect(baseCommit).toBe(s.git(['rev-parse', 'release']));
    expect(baseCommit).not.toBe(head);
    await expect(createTaskWorktree(s.deps, { ...spec('T8'), base: 'nope' })).rejects.toThrow(/base branch "nope" does not exist/);
  });
});

describe('currentBranch', () => {
  it('names the branch checked out, and a detached HEAD is an error that says what to do', async () => {
    expect(await currentBranch(s.deps, s.project)).toBe('main');
    s.git(['switch', '--quiet', '--detach']);
    await expect(currentBranch(s.deps, s.project)).rejects.toThrow(DetachedHeadError);
    await expect(currentBranch(s.deps, s.project)).rejects.toThrow(/check out a branch.*or name the base branch with poli add --base BRANCH/i);
  });
});

describe('removeIfMerged', () => {
  it('refuses a branch that is not in the base, and keeps both', async () => {
    await createTaskWorktree(s.deps, spec('T1'));
    s.commitFile(s.taskDir('T1'), 'feature.txt', 'not merged\n');
    const result = await removeIfMerged(s.deps, { project: s.project, worktree: s.taskDir('T1'), branch: 'poli/T1', base: 'main' });
    expect(result).toMatchObject({ removed: false, reason: expect.stringContaining('is not merged into main') });
    expect(existsSync(s.taskDir('T1'))).toBe(true);
  });

  it('refuses a worktree with uncommitted changes even when the branch is merged', async () => {
    await createTaskWorktree(s.deps, spec('T2'));
    s.write(s.taskDir('T2'), 'scratch.txt', 'not committed\n');
    const result = await removeIfMerged(s.deps, { project: s.project, worktree: s.taskDir('T2'), branch: 'poli/T2', base: 'main' });
    expect(result).toMatchObject({ removed: false, reason: expect.stringContaining('uncommitted changes') });
    expect(s.read(s.taskDir('T2'), 'scratch.txt')).toBe('not committed\n');
    // Once committed and merged it goes.
    await commitAll(s.deps, { worktree: s.taskDir('T2'), message: 'scratch' });
    s.git(['merge', '--quiet', '--ff-only', 'poli/T2']);
    expect(await removeIfMerged(s.deps, { project: s.project, worktree: s.taskDir('T2'), branch: 'poli/T2', base: 'main' })).toEqual({ removed: true });
    expect(await worktreeState(s.deps, s.taskDir('T2'))).toEqual({ exists: false, mergeInProgress: false, unmerged: [], dirty: false });
  });

  it('finishes the job after a crash between removing the worktree and deleting the branch', async () => {
    await createTaskWorktree(s.deps, spec('T3'));
    s.git(['worktree', 'remove', s.taskDir('T3')]);
    const remove = { project: s.project, worktree: s.taskDir('T3'), branch: 'poli/T3', base: 'main' };
    expect(await removeIfMerged(s.deps, remove)).toEqual({ removed: true });
    expect(await removeIfMerged(s.deps, remove)).toEqual({ removed: true });
    expect(s.gitCode(['rev-parse', '--verify', '--quiet', 'refs/heads/poli/T3'])).not.toBe(0);
  });
});
