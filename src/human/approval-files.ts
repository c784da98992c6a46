/**
 * Approvals answered from outside poli's terminal (the dashboard, issue 21): the poli that asks writes the message to
 * `<stateDir>/approvals/pending/<task>-<id>.json`; whoever answers creates `<stateDir>/approvals/decisions/<task>-<id>.json`
 * with an exclusive create, so the first answer wins and a second one is refused; the asking poli takes the decision
 * and removes both files. Files rather than a socket, as with the control inbox: a server, a `poli work` and every pair
 * see the same state dir, nothing listens, and a poli killed while asking leaves its question where `--resume` and the
 * dashboard find it.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { PoliError, StateFileError } from '../errors.ts';
import { ADDRESSEES, MESSAGE_TYPES, type MessageType } from '../protocol/types.ts';
import { currentUid, ensurePrivateDir } from '../state/private-dir.ts';
import { writeFileAtomic } from '../state/store.ts';
import type { ApprovalDecision, ApprovalRequest } from './approval.ts';

/** A message waiting for a person's approval, as the pending file holds it. */
export interface PendingApproval extends ApprovalRequest {
  /** ISO 8601: when poli asked. */
  at: string;
  /** The tmux socket of the poli that asks. */
  socket: string;
  /** Its tmux session, when not the socket's default one (a queue pair's is the task id). */
  session?: string;
}

/** Where the question comes from: `PendingApproval` beyond the message itself. */
export interface PendingMeta {
  at: string;
  socket: string;
  session?: string;
}

/** Who answered: the dashboard (or any client of the state dir), or the person at the asking poli's terminal. */
export type DecisionSource = 'web' | 'terminal';

/** A decision file: the decision, who made it and when (ISO 8601). */
export type DecisionRecord = ApprovalDecision & { by: DecisionSource; at: string };

export type DecideResult = 'decided' | 'already-decided' | 'not-pending';

export interface ApprovalFilesOptions {
  /** The uid that must own the directories (by default this process's; null: do not check). */
  uid?: number | null;
  /** This process's pid, for temp file names. */
  pid?: number;
}

export interface DecideOptions extends ApprovalFilesOptions {
  /** Default `web`. */
  by?: DecisionSource;
  clock?: { now(): number };
}

export interface WaitOptions {
  /** Aborting it withdraws the wait: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  clock: { sleep(ms: number): Promise<void> };
  /** How often the decision file is looked for (default DEFAULT_DECISION_POLL_MS). */
  pollMs?: number;
  /** Told about a decision file that is not valid (it is removed and the wait goes on). */
  warn?: (message: string) => void;
}

/** A decision file is looked for this often: a person's tap on a phone needs no faster answer. */
export const DEFAULT_DECISION_POLL_MS = 500;

/** A decision a client sent that is not one poli can apply. */
export class InvalidDecisionError extends PoliError {
  constructor(detail: string) {
    super(
      'INVALID_DECISION',
      `not a valid approval decision: ${detail}. Expected {"action":"approve"}, {"action":"edit","body":"…"} or {"action":"reject","reason":"…"}.`,
    );
  }
}

/** Task ids (`T7`) and message ids (`T7-R1-ab12cd`) as they may appear in a file name: never a path. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export function pendingDir(stateDir: string): string {
  return path.join(stateDir, 'approvals', 'pending');
}

export function decisionsDir(stateDir: string): string {
  return path.join(stateDir, 'approvals', 'decisions');
}

function fileName(task: string, id: string): string {
  return `${task}-${id}.json`;
}

function isSafe(task: string, id: string): boolean {
  return SAFE_ID.test(task) && SAFE_ID.test(id);
}

async function privateDir(stateDir: string, dir: string, options: ApprovalFilesOptions): Promise<void> {
  // Another local user must not plant a decision for a plan of yours (state/private-dir.ts). Checked from approvals/
  // down: the state dir itself is often a project's, readable by others, and holds nothing anyone acts on unasked.
  await ensurePrivateDir(dir, { uid: options.uid === undefined ? currentUid() : (options.uid ?? undefined), root: path.join(stateDir, 'approvals') });
}

/**
 * Writes the pending file for `request` atomically (a reader never sees half of it); writing it again (a `--resume`
 * asks again) replaces it. Returns the file written.
 * @throws StateFileError when it cannot be written; UnsafeDirError when the directory is not private.
 */
export async function writePending(stateDir: string, request: ApprovalRequest, meta: PendingMeta, options: ApprovalFilesOptions = {}): Promise<string> {
  if (!isSafe(request.task, request.id)) throw new Error(`bug: approval ids must be plain names, got ${JSON.stringify([request.task, request.id])}`);
  const dir = pendingDir(stateDir);
  await privateDir(stateDir, dir, options);
  const pending: PendingApproval = { ...request, at: meta.at, socket: meta.socket, ...(meta.session !== undefined ? { session: meta.session } : {}) };
  const file = path.join(dir, fileName(request.task, request.id));
  await writeFileAtomic(file, `${JSON.stringify(pending, null, 2)}\n`, options.pid ?? process.pid);
  return file;
}

/**
 * Every message waiting for a decision, oldest first. One already decided (its decision not taken yet) is left out;
 * so is a file that is not a valid pending approval (a temp file, something else).
 * @throws StateFileError when the directory cannot be listed.
 */
export async function listPending(stateDir: string): Promise<PendingApproval[]> {
  const names = await listJson(pendingDir(stateDir));
  const decided = new Set(await listJson(decisionsDir(stateDir)));
  const found: PendingApproval[] = [];
  for (const name of names) {
    if (decided.has(name)) continue;
    const pending = parsePending(await readIfThere(path.join(pendingDir(stateDir), name)));
    if (pending && name === fileName(pending.task, pending.id)) found.push(pending);
  }
  return found.sort((a, b) => a.at.localeCompare(b.at) || fileName(a.task, a.id).localeCompare(fileName(b.task, b.id)));
}

/** The pending approval of one message, or undefined when none is pending. */
export async function readPending(stateDir: string, task: string, id: string): Promise<PendingApproval | undefined> {
  if (!isSafe(task, id)) return undefined;
  const pending = parsePending(await readIfThere(path.join(pendingDir(stateDir), fileName(task, id))));
  return pending?.task === task && pending.id === id ? pending : undefined;
}

/**
 * Records a decision on a pending message. The file is written whole and then linked into place, which fails when one
 * is there: the first decision wins. `not-pending` when no such message waits (never asked, or already taken).
 * @throws InvalidDecisionError for an edit without a body or a reject without a reason; StateFileError on I/O errors.
 */
export async function decide(stateDir: string, task: string, id: string, decision: ApprovalDecision, options: DecideOptions = {}): Promise<DecideResult> {
  const checked = parseDecision(decision);
  if (!isSafe(task, id)) return 'not-pending';
  if ((await readIfThere(path.join(pendingDir(stateDir), fileName(task, id)))) === undefined) return 'not-pending';
  const dir = decisionsDir(stateDir);
  await privateDir(stateDir, dir, options);
  const record: DecisionRecord = { ...checked, by: options.by ?? 'web', at: new Date((options.clock ?? Date).now()).toISOString() };
  const file = path.join(dir, fileName(task, id));
  // Not a name listJson reads: a reader never takes the temp file for a decision.
  const tmp = path.join(dir, `.${fileName(task, id)}.${String(options.pid ?? process.pid)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(record)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(tmp, file);
    return 'decided';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'already-decided';
    throw new StateFileError(`could not write the approval decision ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Resolves with the decision on a message once its decision file exists; a decision made before the wait began (while
 * poli was stopped) counts. An invalid file is removed (through `warn`) and the wait goes on.
 * @throws the signal's reason once `options.signal` aborts.
 */
export async function waitForDecision(stateDir: string, task: string, id: string, options: WaitOptions): Promise<DecisionRecord> {
  const file = path.join(decisionsDir(stateDir), fileName(task, id));
  const { signal } = options;
  for (;;) {
    signal?.throwIfAborted();
    const text = await readIfThere(file);
    if (text !== undefined) {
      const record = parseDecisionRecord(text);
      signal?.throwIfAborted();
      if (record) return record;
      options.warn?.(`poli: ignored the approval decision ${file}: it is not a valid decision (removed)`);
      await unlink(file).catch(() => undefined);
    }
    await sleepUnlessAborted(options.clock, options.pollMs ?? DEFAULT_DECISION_POLL_MS, signal);
  }
}

/**
 * Removes a message's pending file, then its decision: in this order, a decision sent meanwhile finds the message no
 * longer pending instead of leaving a decision nobody takes.
 */
export async function clearApproval(stateDir: string, task: string, id: string): Promise<void> {
  if (!isSafe(task, id)) return;
  await removeIfThere(path.join(pendingDir(stateDir), fileName(task, id)));
  await removeIfThere(path.join(decisionsDir(stateDir), fileName(task, id)));
}

/**
 * Removes the approval files of `task` whose messages `stale` says are no longer asked about (forwarded already, or
 * left by an earlier run that asked about another message): their decisions are never applied. `stale` gets the
 * message id and its pending approval (undefined when only a decision is left). Returns the ids removed.
 */
export async function clearStaleApprovals(stateDir: string, task: string, stale: (id: string, pending: PendingApproval | undefined) => boolean): Promise<string[]> {
  const prefix = `${task}-`;
  const ids = new Set<string>();
  for (const dir of [pendingDir(stateDir), decisionsDir(stateDir)]) {
    for (const name of await listJson(dir)) {
      if (name.startsWith(prefix)) ids.add(name.slice(prefix.length, -'.json'.length));
    }
  }
  const removed: string[] = [];
  for (const id of [...ids].sort()) {
    if (isSafe(task, id) && stale(id, await readPending(stateDir, task, id))) removed.push(id);
  }
  for (const id of removed) await clearApproval(stateDir, task, id);
  return removed;
}

/**
 * A decision as a client sent it (e.g. a request body), checked: an edit needs a non-empty body, a reject a reason.
 * @throws InvalidDecisionError saying what is wrong.
 */
export function parseDecision(value: unknown): ApprovalDecision {
  if (typeof value !== 'object' || value === null) throw new InvalidDecisionError('it is not an object');
  const { action, body, reason } = value as Record<string, unknown>;
  if (action === 'approve') return { action };
  if (action === 'edit') {
    if (typeof body !== 'string' || body.trim() === '') throw new InvalidDecisionError('an edit needs the edited message as a non-empty "body"');
    return { action, body };
  }
  if (action === 'reject') {
    if (typeof reason !== 'string' || reason.trim() === '') throw new InvalidDecisionError('a reject needs a non-empty "reason" (the author gets it)');
    return { action, reason: reason.trim() };
  }
  throw new InvalidDecisionError(`unknown action ${JSON.stringify(action)}`);
}

/** What the asking poli's terminal shows once the dashboard answered: `approved from the dashboard`. */
export function describeWebDecision(decision: ApprovalDecision): string {
  switch (decision.action) {
    case 'approve':
      return 'approved from the dashboard';
    case 'edit':
      return 'edited from the dashboard';
    case 'reject':
      return `rejected from the dashboard: ${decision.reason}`;
  }
}

function parseDecisionRecord(text: string): DecisionRecord | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const by = value.by === 'terminal' ? 'terminal' : 'web';
    return { ...parseDecision(value), by, at: typeof value.at === 'string' ? value.at : '' };
  } catch {
    return undefined;
  }
}

function parsePending(text: string | undefined): PendingApproval | undefined {
  if (text === undefined) return undefined;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { task, round, from, to, type, id, body, at, socket, session } = value;
  const strings = [task, id, body, at, socket, from];
  if (!strings.every((s) => typeof s === 'string') || typeof round !== 'number') return undefined;
  if (!(ADDRESSEES as readonly unknown[]).includes(to) || !(MESSAGE_TYPES as readonly unknown[]).includes(type)) return undefined;
  if (!['PLANNER', 'EXECUTER', 'ORCHESTRATOR', 'HUMAN'].includes(from as string)) return undefined;
  if (session !== undefined && typeof session !== 'string') return undefined;
  return {
    task: task as string,
    round,
    from: from as PendingApproval['from'],
    to: to as PendingApproval['to'],
    type: type as MessageType,
    id: id as string,
    body: body as string,
    at: at as string,
    socket: socket as string,
    ...(session !== undefined ? { session } : {}),
  };
}

/** The `.json` names in `dir` (none when it is missing), sorted. */
async function listJson(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StateFileError(`could not list ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`could not read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

async function removeIfThere(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StateFileError(`could not remove ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Sleeps `ms`, or less: rejects with the signal's reason as soon as it aborts. */
function sleepUnlessAborted(clock: { sleep(ms: number): Promise<void> }, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return clock.sleep(ms);
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    clock.sleep(ms).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
