/**
 * `poli say|pause|resume|stop [T7]` and the dashboard's `POST /api/tasks/:id/say|pause|resume|stop` (issue 21): the
 * command goes to the poli driving that session of the socket; a stop of a task still in the queue (no pair runs it)
 * takes it out of the queue. Returns the line the CLI prints.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type ControlCommand, describeQueuedControl, describeSentControl, NothingToStopError, sendControl } from '../human/control.ts';
import { claimKey, DEFAULT_SESSION } from '../state/claim-key.ts';
import { isProcessAlive } from '../state/lock.ts';
import { runningStateDir } from '../state/running.ts';
import { StateStore } from '../state/store.ts';
import type { CommandResult } from './task-commands.ts';

/** Which poli a command goes to, and where. */
export interface ControlTarget {
  /** The state directory of the queue (a stop of a queued task changes it). */
  stateDir: string;
  socket: string;
  /** The tmux session (`T7` for a queued task's pair; `poli` by default). */
  session: string;
  /** host.ts `runtimeDir`: the running polis' locks and control inboxes. */
  runtimeDir: string;
  now: () => number;
  pid: number;
  /** Receives a message when a task file the running poli wrote is corrupt. */
  warn?: (message: string) => void;
}

/**
 * Hands the command to the poli on the target's session. While that poli runs no task, a note or a pause waits for
 * its next task and says so; a stop is refused (there is nothing to stop).
 * @throws NotRunningError (no poli there), NothingToStopError (a stop while it runs no task).
 */
export async function sendTaskControl(target: ControlTarget, command: ControlCommand): Promise<CommandResult> {
  const { socket, session } = target;
  const dir = await runningStateDir(target, claimKey(socket, session));
  // `poli resume T1 --budget 8` of a task run with poli --task: no session is named after it, but the poli on the
  // default session drives it. Only that very task is a match, so a queued task's commands still go to its pair.
  if (dir === undefined && TASK_ID.test(session) && (await drivesTask(target, DEFAULT_SESSION, session))) {
    return sendTaskControl({ ...target, session: DEFAULT_SESSION }, command);
  }
  // `poli stop T7` of a task still in the queue (no pair runs it): it leaves the queue.
  if (dir === undefined && command.kind === 'stop') {
    const stopped = await stopQueued(target);
    if (stopped !== undefined) return stopped;
  }
  const tasks = dir === undefined ? [] : await readOnlyStore(target, dir).list();
  const busy = tasks.some((t) => t.socket === socket && (t.session ?? DEFAULT_SESSION) === session && (t.status === 'running' || t.status === 'waiting'));
  if (dir !== undefined && !busy && command.kind === 'stop') throw new NothingToStopError(socket, session);
  // No poli at all: sendControl says so.
  await sendControl(target.runtimeDir, socket, command, { isPidAlive: isProcessAlive, clock: { now: target.now }, session });
  const line =
    dir !== undefined && !busy && command.kind !== 'stop' && command.kind !== 'queue-budget'
      ? describeQueuedControl(command, socket, session)
      : describeSentControl(command, socket, session);
  return { message: line };
}

const TASK_ID = /^T\d+$/;

/** Whether the poli on `session` of the target's socket runs (or waits in) task `id`. */
async function drivesTask(target: ControlTarget, session: string, id: string): Promise<boolean> {
  const dir = await runningStateDir(target, claimKey(target.socket, session));
  if (dir === undefined) return false;
  const task = await readOnlyStore(target, dir).get(id);
  return task !== undefined && task.socket === target.socket && (task.session ?? DEFAULT_SESSION) === session && (task.status === 'running' || task.status === 'waiting');
}

/** Takes a queued (or blocked) task out of the queue as `stopped`; undefined when the session is no such task. */
async function stopQueued(target: ControlTarget): Promise<CommandResult | undefined> {
  const id = target.session;
  if (!/^T\d+$/.test(id) || !(await stat(path.join(target.stateDir, 'queue.db')).then(() => true, () => false))) return undefined;
  // Loaded only here: `poli say` and the others start without better-sqlite3.
  const { QueueStore } = await import('./store.ts');
  const store = QueueStore.open(target.stateDir);
  try {
    const stopped = store.update(id, { state: 'stopped', reason: 'stopped by the person (poli stop) before it ran', endedAt: new Date(target.now()).toISOString() }, ['queued', 'blocked']);
    return stopped ? { message: `poli: ${id} is out of the queue (stopped); poli retry ${id} puts it back.` } : undefined;
  } finally {
    store.close();
  }
}

function readOnlyStore(target: ControlTarget, dir: string): StateStore {
  return new StateStore({
    dir,
    clock: { now: target.now },
    pid: target.pid,
    isPidAlive: isProcessAlive,
    ...(target.warn !== undefined ? { warn: target.warn } : {}),
    readOnly: true,
  });
}
