/**
 * The event stream's lines with their numbers (issue 21, `GET /api/events`): line N of `events.jsonl` (1-based) is
 * event id N, so a client that lost its connection resumes after the last id it saw (`Last-Event-ID`) and misses
 * nothing, nor sees anything twice. Reads what was appended since the last call; a partial last line waits for its
 * newline. A file that shrinks or is replaced is read again from its top.
 */
import type { NumberedLine } from '../records/event-lines.ts';

export { EventLines, type NumberedLine } from '../records/event-lines.ts';

/**
 * Whether a line goes to a client: not one it has (`n <= after`), not a blank or broken one, and, with `task`, only
 * that task's events.
 */
export function wantedLine(entry: NumberedLine, after: number, task: string | undefined): boolean {
  if (entry.n <= after || entry.line.trim() === '') return false;
  let value: unknown;
  try {
    value = JSON.parse(entry.line);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return task === undefined || (value as { task?: unknown }).task === task;
}

/** One Server-Sent Event: its id and the JSON line as data (a JSON line holds no newline). */
export function formatSse(entry: NumberedLine): string {
  return `id: ${entry.n}\ndata: ${entry.line}\n\n`;
}

/** The id to resume after: `Last-Event-ID` (the header a reconnecting EventSource sends) or `?lastEventId=`; 0: all. */
export function resumeAfter(header: string | undefined, query: string | undefined): number {
  const text = (header ?? query ?? '').trim();
  return /^\d{1,15}$/.test(text) ? Number(text) : 0;
}
