/**
 * The git layer of the task queue (issue 20): task worktrees, committing what a task left, bringing the base into a
 * task's branch, moving the base branch forward, and removing a task only once its commits are in the base.
 * docs/merge-queue.md tells the order and why no commit is lost at any step. Every effect goes through GitDeps.
 */
export { advanceBase, type AdvanceResult, type AdvanceSpec, type MergeStrategy } from './advance.ts';
export { runCheck, tailOutput, type CheckResult, type CheckRunner, type CheckSpec } from './check.ts';
export { commitAll, countMarkerLines, hasLeftoverMarkers, type CommitResult } from './commit.ts';
export * from './errors.ts';
export { integrate, type IntegrateResult } from './integrate.ts';
export { currentBranch, listWorktrees, parseWorktreeList, type WorktreeEntry } from './refs.ts';
export { createGitDeps, createGitRunner, type GitDeps, type GitRunner, type GitRunnerOptions } from './runner.ts';
export { createTaskWorktree, removeIfMerged, worktreeState, type RemoveSpec, type TaskWorktreeSpec, type WorktreeState } from './worktree.ts';
