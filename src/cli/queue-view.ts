/**
 * What `poli queue` and `poli ps` print (issue 20, items 1 and 5): plain tables for a person, and JSON for scripts and
 * the dashboard to come. Pure: the tasks and their dialogues' records in, text out.
 */
import { waitingOn, type OutsideStatus } from '../queue/schedule.ts';
import type { QueuedTask } from '../queue/types.ts';
import type { TaskRecord } from '../state/types.ts';
import { currentTurn } from '../terminal/status-line.ts';
import { formatDuration } from './state-view.ts';

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

/** `poli queue`: id, priority, state, what it waits on, type, the task's first line. `records`: see statusOf. */
export function renderQueue(tasks: readonly QueuedTask[], all = false, records: ReadonlyMap<string, TaskRecord> = new Map()): string {
  const shown = tasks.filter((t) => all || !['merged', 'done'].includes(t.state));
  if (shown.length === 0) return all ? 'poli: the queue is empty.\n' : 'poli: nothing queued (poli queue --all shows merged tasks too).\n';
  const rows = shown.map((t) => [t.id, t.priority, t.state, waitingText(t, tasks, undefined, statusOf(records)), t.type ?? '', head(t.text)]);
  return table(['ID', 'PRIORITY', 'STATE', 'WAITING ON', 'TYPE', 'TASK'], rows);
}

/**
 * The records given to the views: those of the queue's tasks, and of tasks outside the queue that queued ones run
 * after, whose status says whether those wait or are blocked.
 */
function statusOf(records: ReadonlyMap<string, TaskRecord>): OutsideStatus {
  return (id) => records.get(id)?.status;
}

/** `poli ps`: the queue's live part and the running pairs: id, state, round, elapsed, branch, waiting on. */
export function renderPs(tasks: readonly QueuedTask[], records: ReadonlyMap<string, TaskRecord>, now: number): string {
  const shown = tasks.filter((t) => !['merged', 'done'].includes(t.state));
  if (shown.length === 0) return 'poli: no queued or running tasks.\n';
  const rows = shown.map((t) => {
    const record = records.get(t.id);
    const started = t.startedAt ? Date.parse(t.startedAt) : undefined;
    const ended = t.endedAt ? Date.parse(t.endedAt) : now;
    const elapsed = started === undefined ? '' : formatDuration(Math.max(0, ended - started));
    return [t.id, t.state, record && t.state !== 'queued' ? String(record.rounds) : '', elapsed, t.branch ?? '', waitingText(t, tasks, record, statusOf(records))];
  });
  return table(['ID', 'STATE', 'ROUND', 'ELAPSED', 'BRANCH', 'WAITING ON'], rows);
}

/** The JSON of `poli queue --json` and `poli ps --json`: the queue's tasks with their dialogue's round and status. */
export function queueJson(tasks: readonly QueuedTask[], records: ReadonlyMap<string, TaskRecord>): string {
  const all = tasks.map((t) => {
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
  return `${JSON.stringify({ queue: all }, null, 2)}\n`;
}

function head(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 50 ? `${line.slice(0, 49)}…` : line;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
