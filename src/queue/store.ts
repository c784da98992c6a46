/**
 * The queue's store (issue 20, item 6): SQLite in WAL mode at `<state dir>/queue.db`, shared by `poli add` and
 * `poli ps` in any shell, every `poli work`, and the dashboard to come. Each change is one transaction; a change that
 * moves a task from one state to another names the state it expects, so two processes never both take a task.
 *
 * The dialogue of a queued task stays where every task's is: its record `tasks/T7.json` (state/store.ts), created when
 * the task is added (status `queued`), which also gives it its id from the one id sequence all tasks share.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { StateFileError } from '../errors.ts';
import type { TaskRecord } from '../state/types.ts';
import { PRIORITIES, QUEUE_STATES, type NewQueuedTask, type Priority, type QueuePatch, type QueuedTask, type QueueState } from './types.ts';

export const QUEUE_DB = 'queue.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY, num INTEGER NOT NULL, text TEXT NOT NULL, priority TEXT NOT NULL, state TEXT NOT NULL,
  type TEXT, planner_cmd TEXT, executer_cmd TEXT, retries INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
  merge_attempts INTEGER NOT NULL DEFAULT 0, project TEXT NOT NULL, base TEXT NOT NULL, branch TEXT, worktree TEXT,
  base_commit TEXT, merged_commit TEXT, reason TEXT, worker_pid INTEGER, child_pid INTEGER, merge_seq INTEGER,
  added_at TEXT NOT NULL, started_at TEXT, ended_at TEXT
);
CREATE TABLE IF NOT EXISTS deps (task TEXT NOT NULL, after TEXT NOT NULL, PRIMARY KEY (task, after));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Record fields ↔ columns (the rest are the same word in snake case). */
const COLUMNS: Record<keyof QueuePatch, string> = {
  priority: 'priority',
  state: 'state',
  type: 'type',
  plannerCmd: 'planner_cmd',
  executerCmd: 'executer_cmd',
  retries: 'retries',
  attempts: 'attempts',
  mergeAttempts: 'merge_attempts',
  project: 'project',
  base: 'base',
  branch: 'branch',
  worktree: 'worktree',
  baseCommit: 'base_commit',
  mergedCommit: 'merged_commit',
  reason: 'reason',
  workerPid: 'worker_pid',
  childPid: 'child_pid',
  mergeSeq: 'merge_seq',
  startedAt: 'started_at',
  endedAt: 'ended_at',
};

type Row = Record<string, string | number | null>;

export class QueueStore {
  private readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Opens (creating) the store in the state directory. */
  static open(stateDir: string): QueueStore {
    const file = path.join(stateDir, QUEUE_DB);
    try {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      // Several processes write: one waits for another's transaction instead of failing at once.
      db.pragma('busy_timeout = 10000');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      return new QueueStore(db);
    } catch (error) {
      throw new StateFileError(
        `could not open the queue's store ${file}: ${(error as Error).message}. poli keeps its queue there; check that the state directory is writable (--state-dir DIR).`,
        { cause: error },
      );
    }
  }

  close(): void {
    this.db.close();
  }

  /** Queues a task under `id` (its record already claimed in tasks/). */
  insert(id: string, task: NewQueuedTask, addedAt: string): QueuedTask {
    const write = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO tasks (id, num, text, priority, state, type, planner_cmd, executer_cmd, retries, project, base, added_at)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, Number(id.slice(1)), task.text, task.priority, task.type ?? null, task.plannerCmd ?? null, task.executerCmd ?? null, task.retries, task.project, task.base, addedAt);
      const dep = this.db.prepare('INSERT OR IGNORE INTO deps (task, after) VALUES (?, ?)');
      for (const after of task.after) dep.run(id, after);
    });
    write();
    return this.get(id) ?? missing(id);
  }

  /** Every task of the queue, by number. */
  list(): QueuedTask[] {
    const deps = this.depsByTask();
    return (this.db.prepare('SELECT * FROM tasks ORDER BY num').all() as Row[]).map((row) => fromRow(row, deps.get(String(row.id)) ?? []));
  }

  get(id: string): QueuedTask | undefined {
    const row = this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    const after = (this.db.prepare('SELECT after FROM deps WHERE task = ? ORDER BY rowid').all(id) as { after: string }[]).map((d) => d.after);
    return fromRow(row, after);
  }

  /**
   * Changes a task's fields; with `from`, only while it is in one of those states (a compare-and-swap: false when
   * another process moved it first). A field set to undefined is cleared.
   */
  update(id: string, patch: QueuePatch, from?: readonly QueueState[]): boolean {
    const keys = Object.keys(patch) as (keyof QueuePatch)[];
    if (keys.length === 0) return true;
    const sets = keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ');
    const values: Record<string, string | number | null> = { id };
    for (const k of keys) values[k] = (patch[k] ?? null) as string | number | null;
    const guard = from ? ` AND state IN (${from.map((s) => `'${s}'`).join(', ')})` : '';
    return this.db.prepare(`UPDATE tasks SET ${sets} WHERE id = @id${guard}`).run(values).changes === 1;
  }

  /** Puts a task in the merge queue, behind those already there. */
  enqueueMerge(id: string, from: readonly QueueState[]): boolean {
    const next = this.db.transaction(() => {
      const seq = ((this.db.prepare('SELECT MAX(merge_seq) AS m FROM tasks').get() as { m: number | null }).m ?? 0) + 1;
      return this.update(id, { state: 'merging', mergeSeq: seq }, from);
    });
    return next();
  }

  /**
   * Takes the merge queue's lock for process `pid` (one merge at a time, across every `poli work` and `poli merge`):
   * true when it holds it now. A lock whose holder is dead is taken over.
   */
  lockMerges(pid: number, isAlive: (pid: number) => boolean): boolean {
    const take = this.db.transaction(() => {
      const row = this.db.prepare("SELECT value FROM meta WHERE key = 'merge_owner'").get() as { value: string } | undefined;
      const owner = row ? Number(row.value) : undefined;
      if (owner !== undefined && owner !== pid && isAlive(owner)) return false;
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('merge_owner', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(pid));
      return true;
    });
    return take.immediate();
  }

  unlockMerges(pid: number): void {
    this.db.prepare("DELETE FROM meta WHERE key = 'merge_owner' AND value = ?").run(String(pid));
  }

  /**
   * Brings in task records the queue does not know: those of a state directory from before the queue (imported once,
   * as `done` history, so `--after` can name them), and queued records whose row a kill cut off between the record's
   * creation and its row (queued again). Returns the ids brought in.
   */
  importRecords(records: readonly TaskRecord[], defaults: { base: string; now: string }): string[] {
    const imported = this.db.prepare("SELECT value FROM meta WHERE key = 'imported'").get() !== undefined;
    const known = new Set((this.db.prepare('SELECT id FROM tasks').all() as { id: string }[]).map((r) => r.id));
    const brought: string[] = [];
    const bring = this.db.transaction(() => {
      for (const record of records) {
        if (known.has(record.id)) continue;
        if (record.status !== 'queued' && imported) continue;
        const state: QueueState = record.status === 'queued' ? 'queued' : 'done';
        this.db
          .prepare(
            `INSERT INTO tasks (id, num, text, priority, state, retries, project, base, added_at, reason, ended_at)
             VALUES (?, ?, ?, 'normal', ?, 0, ?, ?, ?, ?, ?)`,
          )
          .run(record.id, Number(record.id.slice(1)), record.task, state, record.projectDir, defaults.base, record.startedAt ?? defaults.now, state === 'done' ? `run outside the queue: ${record.status}` : null, record.endedAt);
        brought.push(record.id);
      }
      this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('imported', ?)").run(defaults.now);
    });
    bring();
    return brought;
  }

  private depsByTask(): Map<string, string[]> {
    const deps = new Map<string, string[]>();
    for (const { task, after } of this.db.prepare('SELECT task, after FROM deps ORDER BY rowid').all() as { task: string; after: string }[]) {
      deps.set(task, [...(deps.get(task) ?? []), after]);
    }
    return deps;
  }
}

function fromRow(row: Row, after: string[]): QueuedTask {
  const text = (k: string): string | undefined => (row[k] === null || row[k] === undefined ? undefined : String(row[k]));
  const num = (k: string): number | undefined => (row[k] === null || row[k] === undefined ? undefined : Number(row[k]));
  const state = String(row.state) as QueueState;
  const priority = String(row.priority) as Priority;
  const task: QueuedTask = {
    id: String(row.id),
    num: Number(row.num),
    text: String(row.text),
    priority: PRIORITIES.includes(priority) ? priority : 'normal',
    state: QUEUE_STATES.includes(state) ? state : 'failed',
    after,
    retries: Number(row.retries),
    attempts: Number(row.attempts),
    mergeAttempts: Number(row.merge_attempts),
    project: String(row.project),
    base: String(row.base),
    addedAt: String(row.added_at),
  };
  const optional: [keyof QueuedTask, string | number | undefined][] = [
    ['type', text('type')],
    ['plannerCmd', text('planner_cmd')],
    ['executerCmd', text('executer_cmd')],
    ['branch', text('branch')],
    ['worktree', text('worktree')],
    ['baseCommit', text('base_commit')],
    ['mergedCommit', text('merged_commit')],
    ['reason', text('reason')],
    ['workerPid', num('worker_pid')],
    ['childPid', num('child_pid')],
    ['mergeSeq', num('merge_seq')],
    ['startedAt', text('started_at')],
    ['endedAt', text('ended_at')],
  ];
  for (const [key, value] of optional) if (value !== undefined) (task as unknown as Record<string, unknown>)[key] = value;
  return task;
}

function missing(id: string): never {
  throw new StateFileError(`task ${id} vanished from the queue's store right after it was added`);
}
