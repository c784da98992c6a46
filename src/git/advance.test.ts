import { describe, expect, it } from 'vitest';
import { createFakeGit } from '../../test/helpers/fake-git.ts';
import { advanceBase } from './advance.ts';

const E = 'e'.repeat(40);
const H = 'h'.repeat(40);
const M = 'm'.repeat(40);
const spec = { project: '/p', base: 'main', branch: 'poli/T7', strategy: 'merge' as const, expected: E, message: 'Merge poli/T7: x' };

describe('advanceBase', () => {
  it('writes nothing when the base moved since expected', async () => {
    const fake = createFakeGit([{ match: 'rev-parse --verify --quiet refs/heads/main^{commit}', result: { stdout: `${M}\n` } }]);
    expect(await advanceBase(fake.deps, spec)).toEqual({ kind: 'base-moved', current: M });
    expect(fake.lines()).toEqual(['rev-parse --verify --quiet refs/heads/main^{commit}']);
  });

  it('makes the merge commit with commit-tree and moves an unchecked-out base with a compare-and-swap update-ref', async () => {
    const fake = createFakeGit([
      { match: 'rev-parse --verify --quiet refs/heads/main^{commit}', result: { stdout: `${E}\n` } },
      { match: 'rev-parse --verify --quiet refs/heads/poli/T7^{commit}', result: { stdout: `${H}\n` } },
      { match: `merge-base --is-ancestor ${H} ${E}`, result: { exitCode: 1 } },
      { match: `rev-parse ${H}^{tree}`, result: { stdout: 'tree1\n' } },
      { match: 'config user.email', result: { stdout: 'me@example.test\n' } },
      { match: /^commit-tree/, result: { stdout: 'c0ffee\n' } },
      { match: 'worktree list --porcelain', result: { stdout: `worktree /p\nHEAD ${E}\nbranch refs/heads/dev\n\n` } },
    ]);
    expect(await advanceBase(fake.deps, spec)).toEqual({ kind: 'merged', commit: 'c0ffee', how: 'merge-commit' });
    expect(fake.lines()).toContain(`commit-tree tree1 -p ${E} -p ${H} -m Merge poli/T7: x`);
    expect(fake.lines().at(-1)).toBe(`update-ref -m poli: advance main refs/heads/main c0ffee ${E}`);
  });
});
