/**
 * Renders tasks for `poli --state`: a table of all tasks, or one task's messages.
 * Pure: takes records and the current time, returns text.
 */
import { taskDurationMs } from '../state/task-duration.ts';
import type { MessageRecord, PublicQueue, TaskRecord, TaskUsage } from '../state/types.ts';
import { formatCost, formatTokenLine, formatTotalsCost } from '../usage/format.ts';

export { taskDurationMs } from '../state/task-duration.ts';

/** `--state`: one row per task; with tasks of the queue, their queue state and branch too. */
export function renderTaskTable(tasks: readonly TaskRecord[], now: number, invokedAs = 'poli', queue: ReadonlyMap<string, PublicQueue> = new Map()): string {
  if (tasks.length === 0) return `No tasks yet. Start one with: ${invokedAs} --task "..."\n`;
  const queued = queue.size > 0;
  // Only once some task has usage: a state without any keeps the table it always had.
  const costs = tasks.some((t) => t.usage !== undefined);
  const rows = tasks.map((t) => {
    const q = queue.get(t.id);
    return [
      t.id,
      t.status,
      ...(queued ? [q ? queueCell(q) : '', q?.branch ?? ''] : []),
      String(t.rounds),
      formatDateTime(t.startedAt),
      formatDuration(taskDurationMs(t, now)),
      ...(costs ? [t.usage ? formatTotalsCost(t.usage.total) : '—'] : []),
      // Tasks of several projects share one state directory (the checkout's logs/): say which is which.
      shortPath(t.projectDir, 32),
      oneLine(t.task, 60),
    ];
  });
  return renderTable(['ID', 'STATUS', ...(queued ? ['QUEUE', 'BRANCH'] : []), 'ROUNDS', 'STARTED', 'DURATION', ...(costs ? ['COST'] : []), 'PROJECT', 'TASK'], rows);
}

/** A task's queue state; merged with the commit that merged it. */
function queueCell(q: PublicQueue): string {
  return q.state === 'merged' && q.mergedCommit ? `merged ${q.mergedCommit.slice(0, 7)}` : q.state;
}

/** `--state ID` of a queued task: its queue state, branch and merge, in one line. */
export function renderQueueLine(q: PublicQueue): string {
  const after = q.after.length > 0 ? `, after ${q.after.join(', ')}` : '';
  const merged = q.mergedCommit ? `, merged into ${q.base} as ${q.mergedCommit.slice(0, 10)}` : '';
  const reason = q.reason ? ` (${q.reason})` : '';
  return `queue: ${q.state}${reason}, priority ${q.priority}${after}, branch ${q.branch ?? '(not made yet)'} from ${q.base}${merged}`;
}

/** `--state ID`: the task's header and every message in order. */
export function renderTaskDetail(task: TaskRecord, now: number, queue?: PublicQueue): string {
  const lines = [
    `${task.id}  ${task.status}  rounds ${task.rounds}  started ${formatDateTime(task.startedAt)}  ` +
      `duration ${formatDuration(taskDurationMs(task, now))}`,
    `task: ${task.task}`,
  ];
  if (queue) lines.push(renderQueueLine(queue));
  if (task.error) lines.push(`error: ${task.error}`);
  if (task.status === 'waiting' && task.waiting) {
    lines.push(`waiting: ${task.waiting.reason}${task.waiting.until ? ` (until ${task.waiting.until})` : ''}`);
  }
  if (task.usage) lines.push(...renderUsageLines(task.usage));
  lines.push('');
  task.messages.forEach((m, i) => lines.push(...renderMessage(m, i + 1), ''));
  const deliveries = task.deliveries ?? [];
  if (deliveries.length > 0) {
    lines.push('Deliveries (messages poli typed, by the id they were sent under):');
    for (const d of deliveries) {
      // The cost of the turn this message caused in the CLI it was typed into.
      const turn = task.usage?.byMessage[d.id];
      const cost = turn ? `  ${formatCost(turn.cost, turn.costComplete)}` : '';
      lines.push(`  ${formatTime(d.at)} ${d.to.padEnd(8)} ${d.type.padEnd(8)} ${d.id}  ${d.stage}${cost}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `usage: $1.23 (PLANNER $0.80, EXECUTER $0.43) · 12 calls · input … · models`, then what is unknown and the price
 * table used.
 */
export function renderUsageLines(usage: TaskUsage): string[] {
  const roles = (['PLANNER', 'EXECUTER'] as const)
    .filter((r) => usage.byRole[r] !== undefined)
    .map((r) => `${r} ${formatTotalsCost(usage.byRole[r]!)}`);
  const lines = [`usage: ${formatTotalsCost(usage.total)}${roles.length > 0 ? ` (${roles.join(', ')})` : ''} · ${formatTokenLine(usage.total)}`];
  if (usage.unknown.length > 0) lines.push(`  unknown: ${usage.unknown.join('; ')}`);
  lines.push(`  prices: ${usage.prices.file} (${usage.prices.date})`);
  return lines;
}

function renderMessage(m: MessageRecord, n: number): string[] {
  const head = `#${n} ${formatTime(m.at)} ${m.from} → ${m.to}  ${m.type}  ${m.id}`;
  return [head, ...m.body.split('\n').map((l) => `    ${l}`)];
}

function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** `12:03:04` from an ISO time (UTC, so output does not depend on the machine's zone). */
export function formatTime(iso: string): string {
  return iso.slice(11, 19);
}

/** `2026-11-22 12:03:04` from an ISO time (UTC). */
export function formatDateTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** `4.2s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A path, its head cut to `…` when longer than `max` (the end names the project). */
function shortPath(dir: string, max: number): string {
  return dir.length > max ? `…${dir.slice(dir.length - max + 1)}` : dir;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
