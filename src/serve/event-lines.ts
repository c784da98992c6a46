/**
 * The event stream's lines with their numbers (issue 21, `GET /api/events`): line N of `events.jsonl` (1-based) is
 * event id N, so a client that lost its connection resumes after the last id it saw (`Last-Event-ID`) and misses
 * nothing, nor sees anything twice. Reads what was appended since the last call; a partial last line waits for its
 * newline. A file that shrinks or is replaced is read again from its top.
 */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** A long history is read in pieces of this size. */
const MAX_READ_BYTES = 1024 * 1024;

export interface NumberedLine {
  /** 1-based line number in the file: the event's id. */
  n: number;
  line: string;
}

export class EventLines {
  private readonly file: string;
  private position = 0;
  private count = 0;
  private inode: number | undefined;
  private partial = '';
  private decoder = new StringDecoder('utf8');

  constructor(file: string) {
    this.file = file;
  }

  /** The complete lines appended since the last call (every line of the file on the first). */
  async read(): Promise<NumberedLine[]> {
    const info = await stat(this.file).catch(() => undefined);
    if (info === undefined) {
      this.restart();
      this.inode = undefined;
      return [];
    }
    if ((this.inode !== undefined && info.ino !== this.inode) || info.size < this.position) this.restart();
    this.inode = info.ino;
    const out: NumberedLine[] = [];
    if (info.size <= this.position) return out;
    const handle = await open(this.file, 'r');
    try {
      while (this.position < info.size) {
        const length = Math.min(info.size - this.position, MAX_READ_BYTES);
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, this.position);
        if (bytesRead === 0) break;
        this.position += bytesRead;
        const lines = (this.partial + this.decoder.write(buffer.subarray(0, bytesRead))).split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) out.push({ n: ++this.count, line });
      }
    } finally {
      await handle.close();
    }
    return out;
  }

  private restart(): void {
    this.position = 0;
    this.count = 0;
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }
}

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
