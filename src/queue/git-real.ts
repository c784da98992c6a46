/** The queue's GitOps over the git layer (src/git/), with the real git. */
import {
  advanceBase,
  commitAll,
  createGitDeps,
  createTaskWorktree,
  currentBranch,
  integrate,
  removeIfMerged,
  runCheck,
  worktreeState,
  type GitDeps,
} from '../git/index.ts';
import { resolveCommit, branchRef } from '../git/refs.ts';
import type { GitOps } from './git-ops.ts';

export function createGitOps(deps: GitDeps = createGitDeps()): GitOps {
  return {
    currentBranch: (project) => currentBranch(deps, project),
    createTaskWorktree: async (o) => ({ baseCommit: (await createTaskWorktree(deps, o)).baseCommit }),
    commitAll: async (o) => {
      const result = await commitAll(deps, o);
      return result.kind === 'markers' ? result : { kind: result.committed ? 'committed' : 'clean', head: result.head };
    },
    integrate: async (o) => {
      const result = await integrate(deps, o);
      return result.kind === 'ready' ? { kind: 'ready', head: result.head, baseCommit: result.base } : { kind: 'conflict', files: result.files, output: result.output };
    },
    runCheck: async (o) => {
      const result = await runCheck(o);
      return { ok: result.ok, exitCode: result.exitCode ?? null, output: result.output };
    },
    advanceBase: async (o) => {
      const result = await advanceBase(deps, { project: o.project, base: o.base, branch: o.branch, strategy: o.strategy, expected: o.expected, message: o.message });
      // Not integrated (a rebase met conflicts and was aborted): integrate again, as when the base moved.
      if (result.kind === 'not-integrated') return { kind: 'base-moved' };
      if (result.kind === 'checkout-dirty') return { kind: 'checkout-dirty', reason: checkoutDirtyReason(o.base, result.worktree, result.reason) };
      return result.kind === 'merged' ? { kind: 'merged', commit: result.commit } : { kind: 'base-moved' };
    },
    taskRemoved: async (o) => (await resolveCommit(deps, o.project, branchRef(o.branch))) === undefined && !(await worktreeState(deps, o.worktree)).exists,
    removeIfMerged: async (o) => {
      const result = await removeIfMerged(deps, o);
      return result.removed ? { removed: true } : { removed: false, reason: result.reason };
    },
  };
}

/**
 * Why the base could not move in the person's checkout, in one line: git's own text is several lines long (it breaks
 * `poli ps`'s table) and tells them to stash, where what they need to know is which of their files are in the way.
 */
export function checkoutDirtyReason(base: string, worktree: string, gitText: string): string {
  const files = gitText
    .split('\n')
    .filter((line) => /^\t/.test(line))
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (files.length > 0) {
    return `your checkout of ${base} (${worktree}) has uncommitted changes to ${files.join(', ')} that moving ${base} would overwrite; commit them or move them away`;
  }
  const said = gitText.trim().replace(/\s*\n\s*/g, ' / ');
  return `${base} could not move in your checkout (${worktree}): ${said === '' ? 'git gave no reason' : said}`;
}
