import { describe, expect, it } from 'vitest';
import { createFakeGit } from '../../test/helpers/fake-git.ts';
import { createTaskWorktree, unmergedPaths } from './worktree.ts';

const B = 'b'.repeat(40);
const spec = { project: '/p', dir: '/state/wt/T7', branch: 'poli/T7', base: 'main' };

describe('createTaskWorktree', () => {
  it('makes a new branch from the base commit, not its name (the base may move meanwhile)', async () => {
    const fake = createFakeGit([
      { match: 'rev-parse --verify --quiet main^{commit}', result: { stdout: `${B}\n` } },
      { match: 'worktree list --porcelain', result: { stdout: `worktree /p\nHEAD ${B}\nbranch refs/heads/main\n\n` } },
      { match: 'rev-parse --verify --quiet refs/heads/poli/T7^{commit}', result: { exitCode: 1 } },
    ]);
    expect(await createTaskWorktree(fake.deps, spec)).toEqual({ baseCommit: B, created: true });
    expect(fake.lines().at(-1)).toBe(`worktree add -b poli/T7 /state/wt/T7 ${B}`);
  });

  it('checks out an existing branch as it is, without -b (which would fail) or -B (which would reset it)', async () => {
    const fake = createFakeGit([
      { match: 'rev-parse --verify --quiet main^{commit}', result: { stdout: `${B}\n` } },
      { match: 'worktree list --porcelain', result: { stdout: `worktree /p\nHEAD ${B}\nbranch refs/heads/main\n\n` } },
      { match: 'rev-parse --verify --quiet refs/heads/poli/T7^{commit}', result: { stdout: `${'c'.repeat(40)}\n` } },
      { match: /^merge-base /, result: { stdout: `${B}\n` } },
    ]);
    expect(await createTaskWorktree(fake.deps, spec)).toEqual({ baseCommit: B, created: true });
    expect(fake.lines()).toContain('worktree add /state/wt/T7 poli/T7');
    expect(fake.lines().some((line) => / -B /.test(line))).toBe(false);
  });
});

describe('unmergedPaths', () => {
  it('lists each unmerged path once, tabs and spaces in names kept', () => {
    const text = '100644 aaa 1\ta b.txt\x00100644 bbb 2\ta b.txt\x00100644 ccc 3\ta b.txt\x00100644 ddd 2\tnew.txt\0';
    expect(unmergedPaths(text)).toEqual(['a b.txt', 'new.txt']);
  });
});
