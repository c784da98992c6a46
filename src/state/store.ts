import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StateFileError } from '../errors.ts';
import { ADDRESSEES, MESSAGE_TYPES } from '../protocol/types.ts';
import {
  DELIVERY_STAGES,
  TASK_STATUSES,
  type DeliveryRecord,
  type MessageRecord,
  type PublicQueue,
  type PublicState,
  type TaskMeta,
  type TaskPatch,
  type TaskRecord,
} from './types.ts';
import { messageUsage, queueUsage } from './public-usage.ts';

export interface StateStoreOptions {
  /** The state directory; tasks live in `<dir>/tasks/<id>.json`. */
  dir: string;
  clock: { now(): number };
  /** This process's pid, recorded in the tasks it creates. */
  pid: number;
  isPidAlive: (pid: number) => boolean;
  /** Receives a message when a corrupt state file is set aside. */
  warn?: (message: string) => void;
  /**
   * Only look (`poli --state`, `status`, `watch`): a task of a dead poli is shown as interrupted without writing its
   * file, and nothing (temp files, corrupt files) is removed or moved. The poli that next runs tasks there does that.
   */
  readOnly?: boolean;
}

const TASK_FILE = /^T(\d+)\.json$/;
/** Also matches backups and temp files, so a set-aside id is never handed out again. */
const TASK_FILE_PREFIX = /^T(\d+)\.json/;
/** A temp file of writeFileAtomic, with the pid of the writing process. */
const TEMP_FILE = /^T\d+\.json\.(\d+)\.tmp$/;
const MAX_ID_CLAIM_ATTEMPTS = 100;
const SENDERS: readonly string[] = [...ADDRESSEES, 'HUMAN'];

/**
 * Task state on disk: one JSON file per task, rewritten atomically after every change, read fresh on every call so
 * several poli processes (one per tmux socket) can share a state directory.
 */
export class StateStore {
  readonly tasksDir: string;
  /**
   * Where task writes are prepared (`<state-dir>/tmp`, same file system, so the rename stays atomic): a write cut
   * short by a kill leaves its temp file here, never a half-written file in tasks/.
   */
  private readonly tempDir: string;
  private readonly options: StateStoreOptions;
  /** Tasks this process drives; a `running` task with our pid that is not here was left by an earlier process. */
  private readonly owned = new Set<string>();
  /** Per-task chains so concurrent changes to one task in this process do not lose writes. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: StateStoreOptions) {
    this.options = options;
    this.tasksDir = path.join(options.dir, 'tasks');
    this.tempDir = path.join(options.dir, 'tmp');
  }

  /**
   * Records a new running task under the next free id (`T<max + 1>`), claimed with an exclusive create; with `queued`,
   * a task the queue holds until a worker starts it (`poli add`: the id is the queue's too).
   */
  async createTask(task: string, meta: TaskMeta, options: { queued?: boolean } = {}): Promise<TaskRecord> {
    await mkdir(this.tasksDir, { recursive: true });
    for (let attempt = 0; attempt < MAX_ID_CLAIM_ATTEMPTS; attempt++) {
      const id = `T${(await this.maxIdNumber()) + 1}`;
      const file = this.taskFile(id);
      try {
        await (await open(file, 'wx')).close();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new StateFileError(`could not create ${file}: ${(error as Error).message}`, { cause: error });
      }
      const record: TaskRecord = {
        id,
        task,
        status: options.queued === true ? 'queued' : 'running',
        rounds: 0,
        startedAt: this.isoNow(),
        endedAt: null,
        messages: [],
        pid: this.options.pid,
        socket: meta.socket,
        ...(meta.session === undefined ? {} : { session: meta.session }),
        projectDir: meta.projectDir,
      };
      if (options.queued !== true) this.owned.add(id);
      await this.write(record);
      return record;
    }
    throw new StateFileError(
      `could not claim a new task id in ${this.tasksDir} after ${MAX_ID_CLAIM_ATTEMPTS} attempts; ` +
        'other processes keep creating tasks there',
    );
  }

  /** Appends one message to a task's dialogue. */
  appendMessage(id: string, message: MessageRecord): Promise<TaskRecord> {
    const { from, to, type, id: messageId, body, at, extra, channel, mayBeWrapped } = message;
    const kept = extra !== null && typeof extra === 'object' && !Array.isArray(extra) && Object.keys(extra).length > 0;
    const copy: MessageRecord = { from, to, type, id: messageId, body, at, ...(kept ? { extra } : {}), ...(typeof channel === 'string' ? { channel } : {}), ...(mayBeWrapped === true ? { mayBeWrapped: true } : {}) };
    return this.change(id, (record) => {
      // A CLI's reply (not a status) answers the message poli sent it under that id: its receipt says so in the same
      // write, so a poli killed right after reading the reply leaves no receipt behind that looks unanswered.
      const answered = (d: DeliveryRecord): boolean => d.id === messageId && d.to === from && type !== 'status';
      const deliveries = record.deliveries?.map((d) => (answered(d) ? { ...d, stage: 'answered' as const, at } : d));
      return { ...record, messages: [...record.messages, copy], ...(deliveries ? { deliveries } : {}) };
    });
  }

  /**
   * Records how far the delivery of message `delivery.id` got (a new receipt, or a later stage of one); `after` is
   * filled in from the task's messages when the receipt is new.
   */
  recordDelivery(id: string, delivery: Omit<DeliveryRecord, 'after'>): Promise<TaskRecord> {
    return this.change(id, (record) => {
      const deliveries = [...(record.deliveries ?? [])];
      const at = deliveries.findIndex((d) => d.id === delivery.id && d.to === delivery.to);
      const known = deliveries[at];
      if (known === undefined) deliveries.push({ ...delivery, after: record.messages.length });
      // A receipt never goes back (the `pasted` report may land after `submitted`, or a resend's after `answered`).
      else if (DELIVERY_STAGES.indexOf(delivery.stage) > DELIVERY_STAGES.indexOf(known.stage)) {
        deliveries[at] = { ...known, stage: delivery.stage, at: delivery.at };
      }
      return { ...record, deliveries };
    });
  }

  /** Changes a task's fields; a field set to `undefined` is removed. */
  update(id: string, patch: TaskPatch): Promise<TaskRecord> {
    return this.change(id, (record) =>
      dropUndefined({ ...record, ...patch, id: record.id, messages: record.messages }),
    );
  }

  /** The task, or undefined when there is none with that id (or its file was set aside as corrupt). */
  async get(id: string): Promise<TaskRecord | undefined> {
    if (!/^T\d+$/.test(id)) return undefined;
    return this.load(id);
  }

  /** All tasks, by number. Removes the temp files of writes a killed poli never finished (see removeDeadTempFiles). */
  async list(): Promise<TaskRecord[]> {
    const names = await this.fileNames();
    if (this.options.readOnly !== true) {
      await this.removeDeadTempFiles(this.tasksDir, names);
      await this.removeDeadTempFiles(this.tempDir, await readdir(this.tempDir).catch(() => [] as string[]));
    }
    const ids = names
      .map((name) => TASK_FILE.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
      .map((n) => `T${n}`);
    const records = await Promise.all(ids.map((id) => this.load(id)));
    return records.filter((r): r is TaskRecord => r !== undefined);
  }

  taskFile(id: string): string {
    return path.join(this.tasksDir, `${id}.json`);
  }

  private change(id: string, apply: (record: TaskRecord) => TaskRecord): Promise<TaskRecord> {
    const run = async (): Promise<TaskRecord> => {
      const record = await this.get(id);
      if (!record) {
        throw new StateFileError(`no task ${id} in ${this.tasksDir}; list the tasks with \`poli --state\``);
      }
      const next = apply(record);
      if (next.pid === this.options.pid) this.owned.add(id);
      await this.write(next);
      return next;
    };
    const previous = this.queues.get(id) ?? Promise.resolve();
    const result = previous.then(run, run);
    this.queues.set(id, result.catch(() => undefined));
    return result;
  }

  private async load(id: string): Promise<TaskRecord | undefined> {
    const file = this.taskFile(id);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateFileError(`could not read ${file}: ${(error as Error).message}`, { cause: error });
    }
    // An empty file is an id claimed by createTask whose first write has not landed yet.
    if (text === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return this.setAside(file, `invalid JSON: ${(error as Error).message}`);
    }
    const problem = findShapeProblem(value, id);
    if (problem) return this.setAside(file, `wrong shape: ${problem}`);
    const record = value as TaskRecord;
    if ((record.status === 'running' || record.status === 'waiting') && !this.isDriven(record)) {
      const interrupted: TaskRecord = {
        ...record,
        status: 'interrupted',
        endedAt: this.isoNow(),
        error: `poli process ${record.pid} died while the task was ${record.status}`,
      };
      delete interrupted.waiting;
      if (this.options.readOnly !== true) await this.write(interrupted);
      return interrupted;
    }
    return record;
  }

  private isDriven(record: TaskRecord): boolean {
    if (record.pid === this.options.pid) return this.owned.has(record.id);
    return this.options.isPidAlive(record.pid);
  }

  private async setAside(file: string, reason: string): Promise<undefined> {
    if (this.options.readOnly === true) {
      this.options.warn?.(`state file ${file} is corrupt (${reason}); left the task out`);
      return undefined;
    }
    const backup = `${file}.corrupt-${new Date(this.options.clock.now()).toISOString().replace(/:/g, '-')}`;
    try {
      await rename(file, backup);
    } catch (error) {
      // Another process reading the same directory set it aside first.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateFileError(`could not move corrupt state file ${file} aside: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const warning = new StateFileError(
      `state file ${file} is corrupt (${reason}); moved it to ${backup} and left the task out. ` +
        'Inspect the backup, or delete it if the task does not matter.',
    );
    this.options.warn?.(warning.message);
    return undefined;
  }

  /**
   * `T<n>.json.<pid>.tmp` is a write in progress (writeFileAtomic); one whose process is gone was cut short by a kill
   * between creating it and renaming it, and is deleted. A live process's file is left alone: it is being renamed.
   * Looks in tmp/ and, for files left by earlier versions, which prepared writes beside the task file, in tasks/.
   */
  private async removeDeadTempFiles(dir: string, names: readonly string[]): Promise<void> {
    for (const name of names) {
      const pid = Number(TEMP_FILE.exec(name)?.[1] ?? Number.NaN);
      if (!Number.isInteger(pid) || pid === this.options.pid || this.options.isPidAlive(pid)) continue;
      await unlink(path.join(dir, name)).catch(() => undefined);
    }
  }

  private async maxIdNumber(): Promise<number> {
    let max = 0;
    for (const name of await this.fileNames()) {
      const n = Number(TASK_FILE_PREFIX.exec(name)?.[1] ?? 0);
      if (n > max) max = n;
    }
    return max;
  }

  private async fileNames(): Promise<string[]> {
    try {
      return await readdir(this.tasksDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StateFileError(`could not list ${this.tasksDir}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async write(record: TaskRecord): Promise<void> {
    await mkdir(this.tempDir, { recursive: true });
    await writeFileAtomic(this.taskFile(record.id), `${JSON.stringify(record, null, 2)}\n`, this.options.pid, this.tempDir);
  }

  private isoNow(): string {
    return new Date(this.options.clock.now()).toISOString();
  }
}

/**
 * Writes `<file>.<pid>.tmp` (in `tempDir` when given: a directory on the same file system), fsyncs it, renames it
 * over `file` and fsyncs the directory, so readers see the old or the new content, never a half-written file, even if
 * the process dies mid-write, and what the call returned after stays written.
 * @throws StateFileError naming the file.
 */
export async function writeFileAtomic(file: string, data: string, pid: number, tempDir?: string): Promise<void> {
  const name = `${path.basename(file)}.${pid}.tmp`;
  const tmp = tempDir === undefined ? path.join(path.dirname(file), name) : path.join(tempDir, name);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    // The rename is durable only once the directory is: without this, a crash of the machine (not only of poli) may
    // bring back the old file after poli acted on the new one (a receipt said `pasted`, then Enter was pressed).
    await syncDirectory(path.dirname(file));
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw new StateFileError(`could not write ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** fsyncs a directory (its entries: a rename into it). File systems that cannot (some network mounts) are let be. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync().catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EINVAL' && error.code !== 'ENOTSUP' && error.code !== 'EPERM') throw error;
    });
  } finally {
    await handle.close();
  }
}

/** The public view: exactly these keys, in this order, whatever else a record holds. */
export function toPublicState(tasks: readonly TaskRecord[], queue?: ReadonlyMap<string, PublicQueue>): PublicState {
  return { ...publicTasks(tasks, queue), ...queueUsage(tasks) };
}

function publicTasks(tasks: readonly TaskRecord[], queue?: ReadonlyMap<string, PublicQueue>): PublicState {
  return {
    tasks: tasks.map((t) => ({
      id: t.id,
      task: t.task,
      status: t.status,
      ...(t.status === 'waiting' && t.waiting
        ? {
            waiting: {
              kind: t.waiting.kind,
              role: t.waiting.role,
              reason: t.waiting.reason,
              until: t.waiting.until,
              ...(t.waiting.resetAt ? { resetAt: t.waiting.resetAt } : {}),
            },
          }
        : {}),
      rounds: t.rounds,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
      // `channel` (how a CLI's reply reached poli) is an optional key: present only on replies that recorded one.
      messages: t.messages.map((m, index) => ({
        from: m.from, to: m.to, type: m.type, id: m.id, body: m.body, at: m.at,
        ...(m.channel ? { channel: m.channel } : {}),
        ...(m.mayBeWrapped === true ? { mayBeWrapped: true } : {}),
        ...messageUsage(t, index),
      })),
      // Added after the first fields (the shape only grows): where the task ran, why it ended, notes never delivered.
      projectDir: t.projectDir,
      socket: t.socket,
      ...(t.error !== undefined ? { error: t.error } : {}),
      ...(t.undeliveredNotes !== undefined && t.undeliveredNotes.length > 0 ? { undeliveredNotes: t.undeliveredNotes } : {}),
      // A task of the queue (issue 20): its queue state, branch and merge.
      ...(queue?.has(t.id) ? { queue: queue.get(t.id) } : {}),
      ...(t.usage ? { usage: t.usage } : {}),
    })),
  };
}


/** `toPublicState` as indented JSON (no trailing newline). */
export function toPublicJson(tasks: readonly TaskRecord[], queue?: ReadonlyMap<string, PublicQueue>): string {
  return JSON.stringify(toPublicState(tasks, queue), null, 2);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The first reason `value` is not a TaskRecord for `id`, or undefined when it is one. */
function findShapeProblem(value: unknown, id: string): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (value.id !== id) return `"id" is ${JSON.stringify(value.id)}, expected "${id}" from the file name`;
  const checks: [string, boolean][] = [
    ['task', typeof value.task === 'string'],
    ['status', TASK_STATUSES.includes(value.status as never)],
    ['rounds', Number.isSafeInteger(value.rounds) && (value.rounds as number) >= 0],
    ['startedAt', typeof value.startedAt === 'string'],
    ['endedAt', value.endedAt === null || typeof value.endedAt === 'string'],
    ['messages', Array.isArray(value.messages)],
    ['error', value.error === undefined || typeof value.error === 'string'],
    ['pid', Number.isSafeInteger(value.pid)],
    ['socket', typeof value.socket === 'string'],
    ['session', value.session === undefined || typeof value.session === 'string'],
    ['projectDir', typeof value.projectDir === 'string'],
    ['approvals', value.approvals === undefined || Array.isArray(value.approvals)],
  ];
  const bad = checks.find(([, ok]) => !ok);
  if (bad) return `"${bad[0]}" is ${truncate(JSON.stringify(value[bad[0]]) ?? 'missing')}`;
  const messages = value.messages as unknown[];
  const index = messages.findIndex((m) => !isMessage(m));
  if (index >= 0) return `"messages[${index}]" is not a message: ${truncate(JSON.stringify(messages[index]))}`;
  return undefined;
}

function isMessage(m: unknown): boolean {
  return (
    isObject(m) &&
    SENDERS.includes(m.from as string) &&
    ADDRESSEES.includes(m.to as never) &&
    MESSAGE_TYPES.includes(m.type as never) &&
    typeof m.id === 'string' &&
    typeof m.body === 'string' &&
    typeof m.at === 'string'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
