/** Starting a task's pair from the worker, and what happens when it cannot start. */
import path from 'node:path';
import type { WorkerDeps } from './worker-deps.ts';
import type { QueuedTask } from './types.ts';

/**
 * Makes the task's worktree on its branch (or finds it, after a crash) and points the task's record at it; the task
 * with its branch and worktree, or undefined when git failed (the task is then failed). Safe to run again: a worker
 * killed between claiming a task and starting its pair leaves it `running` with part of this done, and the next
 * worker runs it again before it starts the pair.
 */
export async function prepareWorktree(deps: WorkerDeps, worktreeRoot: string, task: QueuedTask, budget?: number): Promise<QueuedTask | undefined> {
  const branch = task.branch ?? `poli/${task.id}`;
  const worktree = task.worktree ?? path.join(worktreeRoot, task.id);
  try {
    const made = await deps.git.createTaskWorktree({ project: task.project, dir: worktree, branch, base: task.base });
    deps.queue.update(task.id, { branch, worktree, baseCommit: task.baseCommit ?? made.baseCommit });
    // `poli work --budget`: for a task without its own (poli add --budget), recorded before its pair reads it.
    const own = budget === undefined ? undefined : (await deps.records.get(task.id))?.budget;
    await deps.records.update(task.id, { projectDir: worktree, ...(budget !== undefined && own === undefined ? { budget: { limit: budget } } : {}) });
    return { ...task, branch, worktree };
  } catch (error) {
    const reason = `could not make its worktree: ${error instanceof Error ? error.message : String(error)}`;
    deps.queue.update(task.id, { state: 'failed', reason, endedAt: new Date(deps.now()).toISOString() }, ['running']);
    deps.warn(`poli: ${task.id} failed: ${reason}`);
    return undefined;
  }
}

/** Starts (or starts again) a task's pair; a pair that cannot start fails the task. */
export function launchOrFail(deps: WorkerDeps, task: QueuedTask, what: string): void {
  const pid = deps.launch(task);
  if (pid === undefined) {
    const reason = 'its poli process could not be started';
    deps.queue.update(task.id, { state: 'failed', reason, endedAt: new Date(deps.now()).toISOString() }, ['running']);
    deps.warn(`poli: ${task.id} failed: ${reason}`);
    return;
  }
  deps.queue.update(task.id, { childPid: pid });
  deps.say(`poli: ${task.id} ${what} (pid ${pid})`);
}
