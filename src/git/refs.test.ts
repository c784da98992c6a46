import { describe, expect, it } from 'vitest';
import { DetachedHeadError } from './errors.ts';
import { createFakeGit } from '../../test/helpers/fake-git.ts';
import { currentBranch, identityArgs, parseWorktreeList, POLI_IDENTITY_ARGS } from './refs.ts';

describe('parseWorktreeList', () => {
  it('reads the main worktree, a task on a branch, a detached one and a prunable one (git 2.39 porcelain)', () => {
    const text = [
      'worktree /home/p/project', 'HEAD 1111111111111111111111111111111111111111', 'branch refs/heads/main', '',
      'worktree /state/worktrees/T7', 'HEAD 2222222222222222222222222222222222222222', 'branch refs/heads/poli/T7', '',
      'worktree /tmp/look', 'HEAD 3333333333333333333333333333333333333333', 'detached', '',
      'worktree /state/worktrees/T8', 'HEAD 4444444444444444444444444444444444444444', 'branch refs/heads/poli/T8',
      'prunable gitdir file points to non-existent location', '', '',
    ].join('\n');
    expect(parseWorktreeList(text)).toEqual([
      { path: '/home/p/project', head: '1'.repeat(40), branch: 'refs/heads/main', prunable: false },
      { path: '/state/worktrees/T7', head: '2'.repeat(40), branch: 'refs/heads/poli/T7', prunable: false },
      { path: '/tmp/look', head: '3'.repeat(40), prunable: false },
      { path: '/state/worktrees/T8', head: '4'.repeat(40), branch: 'refs/heads/poli/T8', prunable: true },
    ]);
  });

  it('keeps a path with spaces whole, and reads a bare repository', () => {
    expect(parseWorktreeList('worktree /a b/c d\nbare\n')).toEqual([{ path: '/a b/c d', prunable: false }]);
  });
});

describe('identityArgs', () => {
  it('adds poli’s identity only when git config user.email is empty or unset', async () => {
    const unset = createFakeGit([{ match: 'config user.email', result: { exitCode: 1 } }]);
    expect(await identityArgs(unset.deps, '/p')).toEqual(POLI_IDENTITY_ARGS);
    expect(POLI_IDENTITY_ARGS).toEqual(['-c', 'user.name=poli', '-c', 'user.email=poli@localhost']);
    const empty = createFakeGit([{ match: 'config user.email', result: { stdout: '\n' } }]);
    expect(await identityArgs(empty.deps, '/p')).toEqual(POLI_IDENTITY_ARGS);
    const set = createFakeGit([{ match: 'config user.email', result: { stdout: 'me@example.test\n' } }]);
    expect(await identityArgs(set.deps, '/p')).toEqual([]);
  });
});

describe('currentBranch', () => {
  it('throws DetachedHeadError when HEAD is no symbolic ref', async () => {
    const fake = createFakeGit([{ match: /^symbolic-ref/, result: { exitCode: 1 } }]);
    await expect(currentBranch(fake.deps, '/p')).rejects.toBeInstanceOf(DetachedHeadError);
  });
});
