/**
 * The queue as data (issue 20, item 5; issue 21): what `poli queue --json` prints and the dashboard's `/api/queue`
 * answers, and the WAITING ON text `poli ps` and the dashboard show. Pure, apart from `readQueueRecords`, which reads
 * the task records these need.
 */
import type { StateStore } from '../state/store.ts';
import type { TaskRecord } from '../state/types.ts';
import { currentTurn } from '../terminal/status-line.ts';
import { waitingOn, type OutsideStatus } from './schedule.ts';
import type { QueuedTask } from './types.ts';

/**
 * What a task waits on, in a few words. `outside` gives the status of a task run outside the queue (poli --task) that
 * a queued task runs after: without it such a dependency reads as one that does not exist.
 */
export function waitingText(task: QueuedTask, all: readonly QueuedTask[], record: TaskRecord | undefined, outside: OutsideStatus = () => undefined): string {
  const queue = new Map(all.map((t) => [t.id, t]));
  switch (task.state) {
    case 'queued': {
      const w = waitingOn(task, queue, outside);
      return w.blocked ?? (w.ready ? 'a free worker' : w.on.join(', '));
    }
    case 'running': {
      if (record?.status === 'waiting' && record.waiting) return record.waiting.reason;
      if (record?.held) return record.held.kind === 'paused' ? 'paused (poli resume ' + task.id + ')' : 'you';
      const turn = record ? currentTurn(record) : undefined;
      return turn?.waitingFor ?? (record?.status === 'queued' ? 'its pair to start' : '');
    }
    case 'merging': {
      const ahead = all.filter((t) => t.state === 'merging' && (t.mergeSeq ?? 0) < (task.mergeSeq ?? 0)).length;
      return ahead === 0 ? 'the merge' : `the merge queue (${ahead} ahead)`;
    }
    case 'needs_merge':
      return `you: ${task.reason ?? ''} (then poli merge ${task.id})`;
    default:
      return task.reason ?? '';
  }
}

/**
 * The records given to the views: those of the queue's tasks, and of tasks outside the queue that queued ones run
 * after, whose status says whether those wait or are blocked.
 */
export function statusOf(records: ReadonlyMap<string, TaskRecord>): OutsideStatus {
  return (id) => records.get(id)?.status;
}

/** One task of `poli queue --json`. */
export interface QueueEntry {
  id: string;
  task: string;
  priority: string;
  state: string;
  after: string[];
  waitingOn: string;
  type: string | null;
  branch: string | null;
  base: string;
  worktree: string | null;
  mergedCommit: string | null;
  reason: string | null;
  attempts: number;
  mergeAttempts: number;
  round: number;
  status: string | null;
  addedAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

/** The queue's tasks with their dialogue's round and status (no planner or executer command: they may hold secrets). */
export function queueEntries(tasks: readonly QueuedTask[], records: ReadonlyMap<string, TaskRecord>): QueueEntry[] {
  return tasks.map((t) => {
    const record = records.get(t.id);
    return {
      id: t.id,
      task: t.text,
      priority: t.priority,
      state: t.state,
      after: t.after,
      waitingOn: waitingText(t, tasks, record, statusOf(records)),
      type: t.type ?? null,
      branch: t.branch ?? null,
      base: t.base,
      worktree: t.worktree ?? null,
      mergedCommit: t.mergedCommit ?? null,
      reason: t.reason ?? null,
      attempts: t.attempts,
      mergeAttempts: t.mergeAttempts,
      round: record?.rounds ?? 0,
      status: record?.status ?? null,
      addedAt: t.addedAt,
      startedAt: t.startedAt ?? null,
      endedAt: t.endedAt ?? null,
    };
  });
}

/**
 * The records the views need: every task's with `everyRecord` (the JSON gives every task's round and status),
 * otherwise only those not finished (the tables show no record's data for a finished task); and those of tasks
 * outside the queue that queued ones run after.
 */
export async function readQueueRecords(tasks: readonly QueuedTask[], store: Pick<StateStore, 'get'>, everyRecord: boolean): Promise<Map<string, TaskRecord>> {
  const records = new Map<string, TaskRecord>();
  for (const t of tasks) {
    if (!everyRecord && (t.state === 'merged' || t.state === 'done')) continue;
    const record = await store.get(t.id);
    if (record) records.set(t.id, record);
  }
  const inQueue = new Set(tasks.map((t) => t.id));
  for (const id of new Set(tasks.filter((t) => t.state === 'queued').flatMap((t) => t.after))) {
    const record = inQueue.has(id) ? undefined : await store.get(id);
    if (record) records.set(id, record);
  }
  return records;
}
