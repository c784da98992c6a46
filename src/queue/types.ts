/** The task queue's records (issue 20): what `poli add` queues, what the workers and the merge queue move along. */

/**
 * Where a queued task is:
 * - `queued`: waits for a worker (and for the tasks it runs after to be merged);
 * - `running`: its pair's dialogue runs (or is being resumed) in its worktree;
 * - `merging`: its dialogue completed; it waits for, or is in, the merge queue;
 * - `merged`: its branch is in the base branch, its worktree and branch removed;
 * - `needs_merge`: the merge queue gave up (conflicts or a failing check past the limit, the person's checkout in the
 *   way): it waits for the person (`poli merge T7`);
 * - `failed`: its dialogue failed or timed out past its retries (its worktree and branch are kept);
 * - `blocked`: a task it runs after failed, was stopped or is blocked;
 * - `stopped`: the person stopped it (`poli stop T7`);
 * - `done`: a task from before the queue (imported), or run outside it: it has no branch to merge.
 */
export type QueueState = 'queued' | 'running' | 'merging' | 'merged' | 'needs_merge' | 'failed' | 'blocked' | 'stopped' | 'done';

export const QUEUE_STATES: readonly QueueState[] = ['queued', 'running', 'merging', 'merged', 'needs_merge', 'failed', 'blocked', 'stopped', 'done'];

/** States a task does not leave by itself (the person may move it on: retry, merge). */
export const SETTLED_STATES: readonly QueueState[] = ['merged', 'needs_merge', 'failed', 'blocked', 'stopped', 'done'];

/** How often a failed or timed-out dialogue runs again unless told (`poli add --retries`, `POST /api/tasks`). */
export const DEFAULT_TASK_RETRIES = 1;

export type Priority = 'high' | 'normal' | 'low';
export const PRIORITIES: readonly Priority[] = ['high', 'normal', 'low'];

/** One task of the queue, as the store keeps it. Its dialogue is the task record of the same id (tasks/T7.json). */
export interface QueuedTask {
  id: string;
  /** The id's number: queue order among equal priorities. */
  num: number;
  text: string;
  priority: Priority;
  state: QueueState;
  /** Ids of the tasks that must be merged before this one starts. */
  after: string[];
  /** The task type (config: its planner and executer commands), if given. */
  type?: string;
  plannerCmd?: string;
  executerCmd?: string;
  /** How often a failed or timed-out dialogue is started again (resumed, with a summary of the dialogue so far). */
  retries: number;
  /** Dialogue starts so far (the first run and each retry). */
  attempts: number;
  /** Times the merge queue sent it back to its dialogue (a conflict, a failing check). */
  mergeAttempts: number;
  /** The project (a git repository) the task works on, and the branch it is made from and merged back into. */
  project: string;
  base: string;
  /** `poli/T7` and its worktree under the state directory, once a worker started it. */
  branch?: string;
  worktree?: string;
  /** The base branch's commit the branch was made from, and the commit that merged it. */
  baseCommit?: string;
  mergedCommit?: string;
  /** Why it is blocked, failed, stopped or needs a merge. */
  reason?: string;
  /** The `poli work` process that runs it, and the poli process that runs its dialogue. */
  workerPid?: number;
  childPid?: number;
  /** Order in the merge queue (first come, first merged). */
  mergeSeq?: number;
  /** ISO 8601 times. */
  addedAt: string;
  startedAt?: string;
  endedAt?: string;
}

/** What `poli add` gives. */
export interface NewQueuedTask {
  text: string;
  priority: Priority;
  after: string[];
  type?: string;
  plannerCmd?: string;
  executerCmd?: string;
  retries: number;
  project: string;
  base: string;
}

/** The fields the workers and commands change. */
export type QueuePatch = Partial<Omit<QueuedTask, 'id' | 'num' | 'text' | 'after' | 'addedAt'>>;
