/**
 * What `poli queue` and `poli ps` print (issue 20, items 1 and 5): plain tables for a person, and JSON for scripts and
 * the dashboard to come. Pure: the tasks and their dialogues' records in, text out.
 */
import { queueEntries, statusOf, waitingText } from '../queue/queue-json.ts';
import type { QueuedTask } from '../queue/types.ts';
import type { TaskRecord } from '../state/types.ts';
import { formatDuration } from './state-view.ts';

export { waitingText } from '../queue/queue-json.ts';

/** `poli queue`: id, priority, state, what it waits on, type, the task's first line. `records`: see statusOf. */
export function renderQueue(tasks: readonly QueuedTask[], all = false, records: ReadonlyMap<string, TaskRecord> = new Map()): string {
  const shown = tasks.filter((t) => all || !['merged', 'done'].includes(t.state));
  if (shown.length === 0) return all ? 'poli: the queue is empty.\n' : 'poli: nothing queued (poli queue --all shows merged tasks too).\n';
  const rows = shown.map((t) => [t.id, t.priority, t.state, waitingText(t, tasks, undefined, statusOf(records)), t.type ?? '', head(t.text)]);
  return table(['ID', 'PRIORITY', 'STATE', 'WAITING ON', 'TYPE', 'TASK'], rows);
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
  return `${JSON.stringify({ queue: queueEntries(tasks, records) }, null, 2)}\n`;
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
