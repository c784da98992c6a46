/**
 * What the queue asks of git (implemented by src/git/): a worktree per task, and the merge back. Declared here so the
 * merge queue's logic can be tested with a fake, and so the queue names exactly what it relies on.
 */

export interface GitOps {
  /** The branch checked out in the project (the default base). */
  currentBranch(project: string): Promise<string>;
  /** Creates (or, after a crash, finds) the task's worktree on its branch, made from the base. */
  createTaskWorktree(o: { project: string; dir: string; branch: string; base: string }): Promise<{ baseCommit: string }>;
  /** Commits everything left uncommitted in the worktree (concluding a merge in progress); never commits conflict markers. */
  commitAll(o: { worktree: string; message: string }): Promise<{ kind: 'committed' | 'clean'; head: string } | { kind: 'markers'; files: string[] }>;
  /** Brings the base into the branch; on conflicts the merge is left in progress for the dialogue to resolve. */
  integrate(o: { worktree: string; branch: string; base: string }): Promise<{ kind: 'ready'; head: string; baseCommit: string } | { kind: 'conflict'; files: string[]; output: string }>;
  /** Runs the check command in the worktree. */
  runCheck(o: { worktree: string; command: string; timeoutMs: number }): Promise<{ ok: boolean; exitCode: number | null; output: string }>;
  /** Moves the base to include the branch, only if the base is still at `expected`. */
  advanceBase(o: { project: string; worktree: string; base: string; branch: string; strategy: MergeStrategy; expected: string; message: string }): Promise<
    { kind: 'merged'; commit: string } | { kind: 'base-moved' } | { kind: 'checkout-dirty'; reason: string }
  >;
  /**
   * Whether the task's branch and worktree are both gone: poli deletes a branch only once it is merged, so a merge that
   * got that far before a kill (and was not yet recorded) finished.
   */
  taskRemoved(o: { project: string; worktree: string; branch: string }): Promise<boolean>;
  /** Removes the worktree and the branch, only when the branch is merged and the worktree clean. */
  removeIfMerged(o: { project: string; worktree: string; branch: string; base: string }): Promise<{ removed: boolean; reason?: string }>;
}

/** How a branch goes into its base: a merge commit, or rebased onto it and fast-forwarded. */
export type MergeStrategy = 'merge' | 'rebase';
export const MERGE_STRATEGIES: readonly MergeStrategy[] = ['merge', 'rebase'];
