/**
 * Running tasks in a workspace: creates (or reopens) the task in the state store, wires the dialogue's reports to the
 * store, the terminal, the log and the event stream, and runs it. The task's parts: its start (task-start.ts), its
 * display (task-display.ts), its records and end (task-recorder.ts, task-end.ts), the person's notes (task-notes.ts),
 * progress and CLI recovery (task-progress.ts), priming (task-priming.ts) and the approval gate (task-approval.ts).
 */
import { randomBytes } from 'node:crypto';
import { renderStatusLine } from '../terminal/status-line.ts';
import { formatProgress } from '../terminal/progress.ts';
import { runTask, type RunTaskOptions, type TaskRecorder } from '../dialogue/run-task.ts';
import { StateFileError } from '../errors.ts';
import type { Role } from '../protocol/types.ts';
import type { ControlCommand } from '../human/control.ts';
import { holdBeforeStart, type StartHoldResult } from '../human/start-hold.ts';
import type { TaskRecord } from '../state/types.ts';
import type { Workspace } from './workspace-api.ts';
import { approvalReviewer } from './task-approval.ts';
import { endBeforeStart, tellFailure, tellOutcome } from './task-end.ts';
import { TaskNotes } from './task-notes.ts';
import { primeForTask } from './task-priming.ts';
import { cliRecovery, progressReporter } from './task-progress.ts';
import { createTaskRecorder } from './task-recorder.ts';
import { messageId } from './task-report.ts';
import { beginTask, openTask, type RunningTask, type TaskRequest } from './task-start.ts';
import { taskUsage } from './task-usage.ts';

/**
 * Runs one new task, or resumes a stopped one; returns the exit code (0 when it completed). `interrupted` aborts on
 * the process's signals and a closed stdout (app.ts, src/terminal/interrupts.ts).
 */
export async function runOneTask(ws: Workspace, what: TaskRequest, interrupted: AbortSignal): Promise<number> {
  const controller = new AbortController();
  const forward = () => controller.abort(interrupted.reason);
  if (interrupted.aborted) forward();
  else interrupted.addEventListener('abort', forward, { once: true });
  // Once the approval gate has read the terminal, Ctrl+C arrives through readline, not as a signal.
  const offKey = ws.input.onInterrupt(() => controller.abort('interrupted by Ctrl+C (SIGINT)'));
  try {
    const record = await executeTask(ws, what, controller.signal);
    return record.status === 'completed' ? 0 : 1;
  } finally {
    interrupted.removeEventListener('abort', forward);
    offKey();
  }
}

/** What the person sent (poli say/pause) while no task ran, handed to the next task. */
export type CarriedCommands = ControlCommand[];

/** Creates or reopens the task and runs the dialogue; the record is final when it returns. */
export async function executeTask(ws: Workspace, what: TaskRequest, outerSignal: AbortSignal, carried: CarriedCommands = []): Promise<TaskRecord> {
  const { store, settings, clock } = ws;
  // The task also stops from inside: no answer at the approval prompt (end of input).
  const stopper = new AbortController();
  const forward = () => stopper.abort(outerSignal.reason);
  if (outerSignal.aborted) forward();
  else outerSignal.addEventListener('abort', forward, { once: true });
  const signal = stopper.signal;
  const { record: created, start } = await openTask(ws, what);
  const task = beginTask(ws, created, 'resume' in what);
  const taskId = task.id;
  const notes = new TaskNotes(() => ws.control.poll(), carried);
  const recorder = createTaskRecorder(task, notes);
  // Attached before priming: the primers' usage is the task's too.
  const detachUsage = ws.session.usage.attach(taskUsage(task).sink);
  task.display.show();
  /** --on-limit switch: roles whose pane runs its fallback CLI already (each switches once). */
  const switched = new Set<Role>();
  let stoppedPriming: string | undefined;
  try {
    // The CLIs are primed once the task exists: a CLI at its usage limit then makes the task wait, as in a turn. A
    // CLI that cannot start is reported as before (the task is recorded failed); an interrupt while priming ends the
    // task interrupted like one mid-task.
    stoppedPriming = await primeForTask(ws, taskId, signal, switched, notes.control, (commands) => notes.keep(commands), recorder, () => task.display.round, task.started);
  } catch (error) {
    task.display.stop();
    outerSignal.removeEventListener('abort', forward);
    detachUsage();
    throw error;
  }
  try {
    // A pause sent while no task ran holds the task before its text is typed (src/human/start-hold.ts).
    const before: StartHoldResult = stoppedPriming !== undefined ? { outcome: 'stopped', reason: stoppedPriming, commands: [] } : await holdStart(task, notes, signal);
    notes.keep(before.commands);
    const outcome =
      before.outcome === 'stopped'
        ? await endBeforeStart(task, notes, (status, reason) => recorder.finish(status, reason), before.reason)
        : await runTask(dialogueOptions(task, { recorder, start, signal, stopper, control: notes.control, keep: (commands) => notes.keep(commands), switched }));
    task.display.stop();
    tellOutcome(task, outcome);
  } catch (error) {
    task.display.stop();
    tellFailure(task, error);
  } finally {
    task.display.stop();
    outerSignal.removeEventListener('abort', forward);
    detachUsage();
  }
  const final = await store.get(taskId);
  if (!final) throw new StateFileError(`the state of task ${taskId} disappeared from ${settings.stateDir}`);
  await ws.setStatus(renderStatusLine(final, clock.now(), null));
  return final;
}

/** Holds the task before its text is typed while the person has it paused (a pause sent while no task ran). */
function holdStart(task: RunningTask, notes: TaskNotes, signal: AbortSignal): Promise<StartHoldResult> {
  const { ws, display } = task;
  const { clock } = ws;
  return holdBeforeStart(notes.takeKept(), {
    poll: () => ws.control.poll(),
    sleep: (ms) => clock.sleep(ms),
    everyMs: ws.waitCapMs(),
    signal,
    onHold: (on) => {
      display.pausedNow = on;
      void display.hold(on ? 'paused' : undefined);
      const text = on ? 'paused by the human (poli resume to continue); the task is not sent until then' : 'resumed by the human';
      ws.progress(formatProgress(clock.now() - task.started, display.round, null, text, false));
      ws.events.emit({ event: on ? 'pause' : 'resume', task: task.id, round: display.round });
    },
  });
}

/** What the dialogue of a running task is given: the task's channels, limits and settings, and its parts' handlers. */
function dialogueOptions(
  task: RunningTask,
  parts: { recorder: TaskRecorder; start: RunTaskOptions['start']; signal: AbortSignal; stopper: AbortController; control: () => Promise<ControlCommand[]>; keep: (commands: readonly ControlCommand[]) => void; switched: Set<Role> },
): RunTaskOptions {
  const { ws, display } = task;
  const { settings } = ws;
  const taskNumber = Number(task.id.slice(1));
  return {
    channels: ws.session.channels,
    recorder: parts.recorder,
    clock: ws.clock,
    limits: { maxRounds: settings.maxRounds, planTimeoutSec: settings.planTimeout, execTimeoutSec: settings.execTimeout },
    taskNumber,
    start: parts.start,
    newId: (r) => messageId(taskNumber, r, randomBytes(4).readUInt32BE(0)),
    pollMs: ws.waitCapMs(),
    limitPolicy: { limitWaitMs: settings.limitWait * 3600_000 },
    socket: settings.socket,
    signal: parts.signal,
    control: parts.control,
    ...(settings.approve !== 'off'
      ? {
          review: approvalReviewer(
            ws,
            task.id,
            parts.stopper,
            (asking) => {
              display.askingYou = asking;
              void display.hold(asking ? 'you' : display.pausedNow ? 'paused' : undefined);
              display.show();
            },
            undefined,
            { poll: () => ws.control.poll(), keep: parts.keep },
          ),
        }
      : {}),
    onProgress: progressReporter(task),
    ...cliRecovery(task, parts.switched),
  };
}
