/**
 * Reading the event file as it grows, like `tail -F`: the complete lines appended since the last read, with their
 * numbers (line N, 1-based, is the event id of the dashboard's stream). A partial last line waits for its newline; a
 * file that shrinks or is replaced is read again from its top. `poli watch` (followEvents) and `GET /api/events` both
 * read through it.
 */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { StateFileError } from '../errors.ts';

/** A long history is read in pieces of this size. */
const MAX_READ_BYTES = 1024 * 1024;

export interface NumberedLine {
  /** 1-based line number in the file: the event's id. */
  n: number;
  line: string;
}

/** Reads `file` from where the last `read` stopped. */
export class EventLines {
  private readonly file: string;
  private position = 0;
  private count = 0;
  private inode: number | undefined;
  private partial = '';
  private decoder = new StringDecoder('utf8');
  /** After `skipExisting` landed inside a line: its tail is not a line of its own. */
  private skipFragment = false;

  constructor(file: string) {
    this.file = file;
  }

  /**
   * Starts after what the file holds now, so `read` gives only lines written from here on (`poli watch` without
   * --all); their numbers then count from here.
   */
  async skipExisting(): Promise<void> {
    const info = await statOrUndefined(this.file);
    if (info === undefined || info.size === 0) return;
    this.position = info.size;
    this.inode = info.ino;
    this.skipFragment = (await readByte(this.file, info.size - 1)) !== '\n';
  }

  /** The complete lines appended since the last call (every line of the file on the first). */
  async read(): Promise<NumberedLine[]> {
    const info = await statOrUndefined(this.file);
    if (info === undefined) {
      this.restart();
      this.inode = undefined;
      return [];
    }
    if ((this.inode !== undefined && info.ino !== this.inode) || info.size < this.position) this.restart();
    this.inode = info.ino;
    const out: NumberedLine[] = [];
    if (info.size <= this.position) return out;
    const handle = await open(this.file, 'r').catch((error: unknown) => {
      // Replaced between stat and open: the next read starts over.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw readError(this.file, error);
    });
    if (handle === undefined) return out;
    try {
      while (this.position < info.size) {
        const length = Math.min(info.size - this.position, MAX_READ_BYTES);
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, this.position).catch((error: unknown) => {
          throw readError(this.file, error);
        });
        if (bytesRead === 0) break;
        this.position += bytesRead;
        const lines = (this.partial + this.decoder.write(buffer.subarray(0, bytesRead))).split('\n');
        this.partial = lines.pop() ?? '';
        if (this.skipFragment && lines.length > 0) {
          lines.shift();
          this.skipFragment = false;
        }
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
    this.skipFragment = false;
  }
}

/** The file's size and inode; undefined while it does not exist. */
async function statOrUndefined(file: string): Promise<{ size: number; ino: number } | undefined> {
  try {
    const info = await stat(file);
    return { size: info.size, ino: info.ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw readError(file, error);
  }
}

/** One byte of the file as text ('' when it is gone). */
async function readByte(file: string, at: number): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(1);
      const { bytesRead } = await handle.read(buffer, 0, 1, at);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw readError(file, error);
  }
}

function readError(file: string, error: unknown): StateFileError {
  return new StateFileError(`could not read the event log ${file}: ${(error as Error).message}`, { cause: error });
}
