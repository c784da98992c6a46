/**
 * "Delivered" must mean recorded (issue 18 item 12): a reply that came through poli's tool or command is written to
 * the state directory and fsync'd before poli answers "delivered", so a poli killed right after (kill -9) still has
 * it when the task is resumed. One file per message id and pane, `<state dir>/replies/<ROLE>-<id>.jsonl`, a JSON line
 * per reply taken for it (statuses, then the final one); on --resume the intake reads the file when the turn of that
 * id begins again (intake.ts), and the dialogue takes the reply from there instead of asking the CLI again.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReplyChannel } from '../reading/channel.ts';
import type { Role } from '../protocol/types.ts';

/** One reply as the intake took it: header fields, the body exactly as given, and how it came. */
export interface JournalEntry {
  role: Role;
  header: { to: string; type: string; id: string; [field: string]: unknown };
  body: string;
  via: Extract<ReplyChannel, 'tool' | 'command'>;
}

export interface ReplyJournal {
  /** Resolves once the entry is on disk (file and directory entry fsync'd); rejects when it could not be. */
  save(entry: JournalEntry): Promise<void>;
  /** The entries saved for message `id` from `role`'s pane, in order; none when there are none. */
  load(role: Role, id: string): Promise<JournalEntry[]>;
}

export const JOURNAL_DIR = 'replies';

/** The journal in `<stateDir>/replies/`. */
export function fileJournal(stateDir: string): ReplyJournal {
  const dir = path.join(stateDir, JOURNAL_DIR);
  const file = (role: Role, id: string) => path.join(dir, `${role}-${id.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
  return {
    async save(entry) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const target = file(entry.role, entry.header.id);
      const handle = await open(target, 'a', 0o600);
      let size: number;
      try {
        size = (await handle.stat()).size;
        await handle.appendFile(`${JSON.stringify(entry)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      // A new file is durable only once its directory entry is.
      if (size === 0) await syncDir(dir);
    },
    async load(role, id) {
      const text = await readFile(file(role, id), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      const entries: JournalEntry[] = [];
      // A line cut short by a crash was never acknowledged: skipped.
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const entry = JSON.parse(line) as JournalEntry;
          if (entry.role === role && entry.header?.id === id && typeof entry.body === 'string') entries.push(entry);
        } catch {
          // torn write
        }
      }
      return entries;
    },
  };
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
