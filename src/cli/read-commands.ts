/**
 * The commands that only read poli's state or talk to a running poli: `--state`, `status`, `watch`, `attach` and
 * say / pause / resume / stop. They start nothing, and need only the socket and the state directory.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { renderTaskDetail, renderTaskTable } from './state-view.ts';
import type { Settings } from '../config.ts';
import { StateFileError } from '../errors.ts';
import type { AppIO } from '../host.ts';
import type { ControlCommand } from '../human/control.ts';
import { EVENTS_FILE, followEvents, formatEvent } from '../records/events.ts';
import { renderTranscript } from '../records/transcript.ts';
import { DEFAULT_SESSION } from '../state/claim-key.ts';
import { isProcessAlive } from '../state/lock.ts';
import { StateStore, toPublicJson } from '../state/store.ts';
import type { PublicQueue } from '../state/types.ts';
import { asInvoked, invokedAs } from '../terminal/invocation.ts';
import { currentTurn, pickStatusTask, renderStatusLine } from '../terminal/status-line.ts';
import { attachCommand, attachTerminal } from '../tmux/attach.ts';

/** `poli --state [ID]`: every task, or one task's messages, as text, JSON or Markdown. */
export async function showState(io: AppIO, settings: Settings, id: string | undefined, format: 'text' | 'json' | 'md'): Promise<number> {
  const tasks = await openStore(io, settings).list();
  const queue = await readQueueView(settings.stateDir);
  if (id === undefined) {
    io.stdout.write(format === 'json' ? `${toPublicJson(tasks, queue)}\n` : renderTaskTable(tasks, io.now(), invokedAs(io.env), queue));
    return 0;
  }
  const task = tasks.find((t) => t.id === id);
  if (!task) {
    const known = tasks.map((t) => t.id).join(', ') || 'none yet';
    throw new StateFileError(`no task with id "${id}" in ${settings.stateDir} (tasks: ${known}). List them with: poli --state`);
  }
  if (format === 'json') io.stdout.write(`${toPublicJson([task], queue)}\n`);
  else if (format === 'md') io.stdout.write(renderTranscript(task));
  else io.stdout.write(renderTaskDetail(task, io.now(), queue.get(task.id)));
  return 0;
}

/**
 * The queue's view of its tasks for `--state` (issue 20), when the state directory has a queue; empty otherwise (the
 * store and better-sqlite3 load only then). Tasks from before the queue (`done`) are not the queue's.
 */
async function readQueueView(stateDir: string): Promise<Map<string, PublicQueue>> {
  const file = path.join(stateDir, 'queue.db');
  if (!(await stat(file).then(() => true, () => false))) return new Map();
  const { QueueStore } = await import('../queue/store.ts');
  const store = QueueStore.open(stateDir);
  try {
    const entries = store
      .list()
      .filter((t) => t.state !== 'done')
      .map((t): [string, PublicQueue] => [
        t.id,
        { state: t.state, priority: t.priority, after: t.after, type: t.type ?? null, branch: t.branch ?? null, base: t.base, mergedCommit: t.mergedCommit ?? null, reason: t.reason ?? null },
      ]);
    return new Map(entries);
  } finally {
    store.close();
  }
}

/**
 * `poli say|pause|resume|stop`: hands the command to the poli on the socket (src/queue/task-control.ts, which the
 * dashboard's API shares). While that poli runs no task, a note or a pause waits for its next task and says so; a stop
 * is refused (there is nothing to stop).
 */
export async function sendControlCommand(io: AppIO, settings: Settings, command: ControlCommand): Promise<number> {
  // The poli driving this session of the socket (`poli say T7 …`: session T7), not the others sharing its server.
  const { sendTaskControl } = await import('../queue/task-control.ts');
  const result = await sendTaskControl(
    { stateDir: settings.stateDir, socket: settings.socket, session: settings.session, runtimeDir: io.runtimeDir, now: io.now, pid: io.pid, warn: (message) => io.stderr.write(`poli: ${message}\n`) },
    command,
  );
  io.stdout.write(`${result.message}\n`);
  return 0;
}

/** `poli status [--short]`: the running (or latest) task on this socket, in one line. */
export async function showStatus(io: AppIO, settings: Settings, short: boolean): Promise<number> {
  const tasks = await openStore(io, settings).list();
  const task = pickStatusTask(tasks, settings.socket, settings.session);
  const turn = task ? currentTurn(task) : undefined;
  const line = renderStatusLine(task, io.now(), turn?.waitingFor ?? null);
  // The line already names an ended task's status (`poli T3 timeout`): say it once.
  const status =
    task?.status === 'running' && task.held
      ? task.held.kind === 'paused'
        ? ' · paused by the human (poli resume to continue)'
        : " · waiting for your answer at poli's terminal"
      : task?.status === 'running'
      ? ` · ${task.status}`
      : task?.status === 'waiting' && task.waiting
        ? ` · waiting: ${task.waiting.reason}${task.waiting.until ? ` (until ${task.waiting.until})` : ''}`
        : '';
  io.stdout.write(short || !task ? `${line}\n` : `${line}${status} · ${task.task.replace(/\s+/g, ' ').slice(0, 80)}\n`);
  return 0;
}

/** `poli watch [--all]`: follows the event stream until Ctrl+C. */
export async function watchEvents(io: AppIO, settings: Settings, all: boolean, running: boolean): Promise<number> {
  const file = path.join(settings.stateDir, EVENTS_FILE);
  if (!running) {
    io.stderr.write(
      `poli: no poli is running on socket "${settings.socket}" now; waiting for events in ${file} (Ctrl+C to stop).\n`,
    );
  }
  const controller = new AbortController();
  const off = [io.onSignal('SIGINT', () => controller.abort()), io.onSignal('SIGTERM', () => controller.abort())];
  try {
    await followEvents(file, {
      fromStart: all,
      signal: controller.signal,
      // Polis on other sockets may share the state directory: only this socket's events (older ones carry none).
      onEvent: (e) => {
        if (e.socket === undefined || e.socket === settings.socket) io.stdout.write(`${formatEvent(e)}\n`);
      },
    });
  } finally {
    off.forEach((f) => f());
  }
  return 0;
}

/** `poli attach`: attaches this terminal to poli's tmux session, or prints the command when stdout is no terminal. */
export async function attachSession(io: AppIO, settings: Settings): Promise<number> {
  const { createTmuxRunner } = await import('../tmux/runner.ts');
  const named = settings.session === DEFAULT_SESSION ? undefined : settings.session;
  const has = await createTmuxRunner({ socket: settings.socket })(['has-session', ...(named === undefined ? [] : ['-t', `=${named}`])]).catch(() => undefined);
  if (has?.exitCode !== 0 && named !== undefined) {
    io.stderr.write(`poli: no tmux session "${named}" on socket "${settings.socket}" (its task may have ended). See the running ones with: tmux -L ${settings.socket} ls\n`);
    return 1;
  }
  if (has?.exitCode !== 0) {
    io.stderr.write(
      asInvoked(
        `poli: no poli tmux server is running on socket "${settings.socket}". Start one with: poli start ` +
          `(or run a task: poli --task "…")${settings.socket === 'poli' ? '' : `, adding --socket ${settings.socket}`}\n`,
        invokedAs(io.env),
      ),
    );
    return 1;
  }
  if (!io.stdout.isTTY) {
    io.stdout.write(`${attachCommand(settings.socket, named)}\n`);
    return 0;
  }
  return attachTerminal(settings.socket, named);
}

/** The state store, read-only: every caller of it in the CLI only looks. */
export function openStore(io: AppIO, settings: Settings): StateStore {
  return new StateStore({
    dir: settings.stateDir,
    clock: { now: io.now },
    pid: io.pid,
    isPidAlive: isProcessAlive,
    warn: (message) => io.stderr.write(`poli: ${message}\n`),
    // Every caller here only looks (--state, status, the --resume check): never write a task file.
    readOnly: true,
  });
}
