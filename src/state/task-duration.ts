/** How long a task has run, for `--state`'s tables and the dashboard's task list. Pure. */
import type { TaskRecord } from './types.ts';

/** From start to end (or now), without the time the task stood stopped before a `--resume`. */
export function taskDurationMs(task: TaskRecord, now: number): number {
  return (task.endedAt ? Date.parse(task.endedAt) : now) - Date.parse(task.startedAt) - (task.stoppedMs ?? 0);
}
