/** Starting a task's pair from the worker, and what happens when it cannot start. */
import type { WorkerDeps } from './worker-deps.ts';
import type { QueuedTask } from './types.ts';

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
