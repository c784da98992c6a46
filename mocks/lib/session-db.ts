/**
 * `--session-db PATH`: the mock keeps its session the way opencode keeps its own (src/profiles/opencode.ts), so poli's
 * opencode transcript source can be driven offline. opencode stores sessions in a SQLite database and poli reads them
 * only through `opencode session list --format json` and `opencode export <id>` (JSON); here the "database" is one JSON
 * file at the same place (`<data>/opencode/opencode.db`), written whole and renamed into place, so its size and time
 * change exactly when a session does (poli exports only when they change). `mocks/opencode-export.ts` answers the two
 * commands from it.
 * - a session starts when the mock starts (a CLI that exited and was started again writes a new one) and at each
 *   `--restart-at` restart;
 * - each reply the mock prints is one finished text part of an assistant message (`time.end` set), written before the
 *   reply shows, as opencode has a part in its database by the time its screen shows it.
 * The shapes below are the subset of opencode 1.18.33's that poli reads.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SubmitHandler } from './turn.ts';

export interface SessionPart {
  id: string;
  type: 'text';
  text: string;
  time: { start: number; end: number };
}

export interface SessionMessage {
  info: { id: string; role: 'assistant' | 'user' };
  parts: SessionPart[];
}

export interface StoredSession {
  id: string;
  directory: string;
  /** Epoch ms of the last change. */
  updated: number;
  messages: SessionMessage[];
}

export interface SessionDb {
  sessions: StoredSession[];
}

export const EMPTY_DB: SessionDb = { sessions: [] };

/** The database with a new, empty session `id` of `directory`. */
export function withNewSession(db: SessionDb, id: string, directory: string, now: number): SessionDb {
  return { sessions: [...db.sessions, { id, directory, updated: now, messages: [] }] };
}

/** The database with `text` as one finished text part (`partId`) of a new assistant message in session `sessionId`. */
export function withTextPart(db: SessionDb, sessionId: string, partId: string, text: string, now: number): SessionDb {
  const part: SessionPart = { id: partId, type: 'text', text, time: { start: now, end: now } };
  const message: SessionMessage = { info: { id: `msg_${partId}`, role: 'assistant' }, parts: [part] };
  return {
    sessions: db.sessions.map((s) => (s.id === sessionId ? { ...s, updated: now, messages: [...s.messages, message] } : s)),
  };
}

/** What `opencode session list --format json` prints: the sessions, newest first, without their messages. */
export function formatSessionList(db: SessionDb): string {
  const list = [...db.sessions].sort((a, b) => b.updated - a.updated).map(({ id, directory, updated }) => ({ id, directory, updated }));
  return `${JSON.stringify(list, null, 2)}\n`;
}

/** What `opencode export <id>` prints (a line before the JSON, as opencode does), or undefined for an unknown id. */
export function formatSessionExport(db: SessionDb, id: string): string | undefined {
  const session = db.sessions.find((s) => s.id === id);
  if (!session) return undefined;
  return `Exporting session: ${id}\n${JSON.stringify({ info: { id, directory: session.directory }, messages: session.messages }, null, 2)}\n`;
}

export function readSessionDb(file: string): SessionDb {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SessionDb>;
    return Array.isArray(parsed.sessions) ? { sessions: parsed.sessions } : EMPTY_DB;
  } catch {
    return EMPTY_DB;
  }
}

/** Writes the whole database (a temporary file renamed into place: a reader never sees half of it). */
export function writeSessionDb(file: string, db: SessionDb): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, JSON.stringify(db));
  renameSync(temporary, file);
}

/** The mock's session in one database file: `start()` a session, then `addText()` each reply of it. */
export class SessionRecorder {
  private session: string | undefined;
  private parts = 0;

  constructor(
    private readonly file: string,
    private readonly directory: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a new session (the CLI started, or started over); later texts go to it. */
  start(): void {
    this.session = `ses_${randomBytes(6).toString('hex')}`;
    writeSessionDb(this.file, withNewSession(readSessionDb(this.file), this.session, this.directory, this.now()));
  }

  /** Records `text` as a finished text part of the current session. */
  addText(text: string): void {
    if (this.session === undefined) this.start();
    this.parts += 1;
    const partId = `prt_${this.session}_${String(this.parts).padStart(4, '0')}`;
    writeSessionDb(this.file, withTextPart(readSessionDb(this.file), this.session ?? '', partId, text, this.now()));
  }
}

/** `$XDG_DATA_HOME/opencode/opencode.db` (or under `~/.local/share`), where opencode keeps its database. */
export function sessionDbPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const data = env.XDG_DATA_HOME || (env.HOME ? path.join(env.HOME, '.local', 'share') : undefined);
  return data === undefined ? undefined : path.join(data, 'opencode', 'opencode.db');
}

/** `session list --format json` or `export <id>` against the database at {@link sessionDbPath}; exit code and output. */
export function runSessionCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): { code: number; stdout: string; stderr: string } {
  const file = sessionDbPath(env);
  const db = file === undefined ? EMPTY_DB : readSessionDb(file);
  const [command, argument] = argv;
  if (command === 'session' && argument === 'list') return { code: 0, stdout: formatSessionList(db), stderr: '' };
  if (command === 'export' && argument !== undefined) {
    const text = formatSessionExport(db, argument);
    return text === undefined ? { code: 1, stdout: '', stderr: `Session not found: ${argument}\n` } : { code: 0, stdout: text, stderr: '' };
  }
  return { code: 2, stdout: '', stderr: 'usage: opencode-export session list --format json | opencode-export export <session id>\n' };
}

/**
 * The submit handler with the session kept in `recorder`: each reply a text part before it shows, a restart a new
 * session. Without a recorder, the handler as it is.
 */
export function recordingSession(handler: SubmitHandler, recorder: SessionRecorder | undefined): SubmitHandler {
  if (recorder === undefined) return handler;
  return (text, turn) =>
    handler(text, {
      ...turn,
      reply: (reply) => {
        recorder.addText(reply);
        turn.reply(reply);
      },
      restart: () => {
        recorder.start();
        turn.restart();
      },
    });
}
