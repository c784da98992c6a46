/**
 * Which queued task runs next and which are blocked (issue 20): pure, over a snapshot of the queue. A task waits until
 * every task it runs after is merged (or, for a task from outside the queue, completed); one that failed, was stopped
 * or is blocked blocks it; one that waits for the person's merge keeps it waiting.
 */
import { PRIORITIES, type QueuedTask } from './types.ts';

/** How a dependency stands, for a task that runs after it. */
export type DependencyStanding = { kind: 'satisfied' } | { kind: 'waiting'; on: string } | { kind: 'blocking'; reason: string };

/** A task outside the queue (run with --task), by its dialogue's status. */
export type OutsideStatus = (id: string) => string | undefined;

/** How task `dep` stands for the tasks that run after it. */
export function standing(dep: string, queue: ReadonlyMap<string, QueuedTask>, outside: OutsideStatus): DependencyStanding {
  const task = queue.get(dep);
  if (task === undefined) {
    const status = outside(dep);
    if (status === 'completed') return { kind: 'satisfied' };
    if (status === undefined) return { kind: 'blocking', reason: `${dep} does not exist` };
    if (status === 'running' || status === 'waiting' || status === 'queued') return { kind: 'waiting', on: dep };
    return { kind: 'blocking', reason: `${dep} ended ${status}` };
  }
  switch (task.state) {
    case 'merged':
    case 'done':
      return { kind: 'satisfied' };
    case 'failed':
      return { kind: 'blocking', reason: `${dep} failed${task.reason ? ` (${task.reason})` : ''}` };
    case 'stopped':
      return { kind: 'blocking', reason: `${dep} was stopped` };
    case 'blocked':
      return { kind: 'blocking', reason: `${dep} is blocked` };
    default:
      return { kind: 'waiting', on: dep };
  }
}

/** What a queued task waits on: the ids not yet merged (empty: ready), or the reason it is blocked. */
export function waitingOn(task: QueuedTask, queue: ReadonlyMap<string, QueuedTask>, outside: OutsideStatus): { ready: boolean; on: string[]; blocked?: string } {
  const on: string[] = [];
  for (const dep of task.after) {
    const s = standing(dep, queue, outside);
    if (s.kind === 'blocking') return { ready: false, on: [dep], blocked: s.reason };
    if (s.kind === 'waiting') on.push(s.on);
  }
  return { ready: on.length === 0, on };
}

/** Queue order: priority (high first), then the order they were added. */
export function byQueueOrder(a: QueuedTask, b: QueuedTask): number {
  return PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || a.num - b.num;
}

/** The queued tasks ready to run, in the order workers take them. */
export function readyTasks(tasks: readonly QueuedTask[], outside: OutsideStatus): QueuedTask[] {
  const queue = new Map(tasks.map((t) => [t.id, t]));
  return tasks.filter((t) => t.state === 'queued' && waitingOn(t, queue, outside).ready).sort(byQueueOrder);
}

/** The queued tasks that can no longer run, each with its reason. */
export function newlyBlocked(tasks: readonly QueuedTask[], outside: OutsideStatus): { id: string; reason: string }[] {
  const queue = new Map(tasks.map((t) => [t.id, t]));
  const blocked: { id: string; reason: string }[] = [];
  for (const task of tasks) {
    if (task.state !== 'queued') continue;
    const w = waitingOn(task, queue, outside);
    if (w.blocked !== undefined) blocked.push({ id: task.id, reason: w.blocked });
  }
  return blocked;
}

/**
 * A dependency cycle `after` would close: adding task `id` after `after`, given the queue. Returns the cycle as ids
 * (id → … → id), or undefined. A new task cannot close one (nothing runs after it yet); kept for `poli add` of an id
 * given twice and for safety when tasks are edited.
 */
export function cycleThrough(id: string, after: readonly string[], queue: ReadonlyMap<string, QueuedTask>): string[] | undefined {
  const seen = new Set<string>();
  const walk = (at: string, path: string[]): string[] | undefined => {
    if (at === id) return [...path, at];
    if (seen.has(at)) return undefined;
    seen.add(at);
    for (const next of queue.get(at)?.after ?? []) {
      const found = walk(next, [...path, at]);
      if (found) return found;
    }
    return undefined;
  };
  for (const dep of after) {
    const found = walk(dep, [id]);
    if (found) return found;
  }
  return undefined;
}
