/**
 * A task's end: the final record (status, reason, notes no message carried), its transcript and message files, the
 * `complete` event, and the lines that tell the person how it ended.
 */
import type { TaskOutcome } from '../dialogue/run-task.ts';
import { PoliError } from '../errors.ts';
import type { ControlCommand } from '../human/control.ts';
import type { EndStatus } from '../state/types.ts';
import { asInvoked, invokedAs } from '../terminal/invocation.ts';
import { removeMessageFiles } from './message-files.ts';
import type { TaskNotes } from './task-notes.ts';
import { withTaskId } from './task-report.ts';
import type { RunningTask } from './task-start.ts';

/** Records the task's end (TaskRecorder.finish): nothing more is recorded for it afterwards. */
export async function finishTask(task: RunningTask, notes: TaskNotes, status: EndStatus, given: string): Promise<void> {
  const { ws, id: taskId, display } = task;
  const reason = withTaskId(given, taskId);
  // Nothing more is recorded for this task: a late reply through the tool or the command is told so.
  ws.closeReplies();
  // The last turn's usage records may have come after its reply: read them into the final record.
  await ws.session.usage.poll();
  // Commands that arrived after the last look, and notes no message carried: said, not lost.
  for (const late of await notes.control().catch(() => [] as ControlCommand[])) {
    if (late.kind !== 'say') ws.logger.warn(`"poli ${late.kind}" arrived as task ${taskId} ended; it was not applied`, { event: late.kind, task: taskId, round: display.round });
  }
  const undelivered = notes.takeUndelivered();
  const patch = {
    status,
    // A task stopped or failed during a wait is no longer waiting (the wait stays in `waits`), nor held.
    waiting: undefined,
    held: undefined,
    endedAt: new Date(ws.clock.now()).toISOString(),
    ...(status === 'completed' ? {} : { error: reason }),
    ...(undelivered.length > 0 ? { undeliveredNotes: undelivered } : {}),
  };
  const record = await ws.store.update(taskId, patch);
  const round = display.round;
  for (const note of undelivered) {
    const why = `the task ended before poli sent the ${note.to} another message`;
    ws.logger.warn(`the note for the ${note.to} was not delivered (${why}): ${note.text}`, { event: 'say', task: taskId, round, role: note.to });
    ws.events.emit({ event: 'say', task: taskId, round, role: note.to, summary: note.text, delivered: false, reason: why });
  }
  await ws.writeTranscript(record);
  await removeMessageFiles(ws.settings.projectDir, record);
  ws.logger.info(`task ${taskId} ${status}: ${reason}`, { event: status === 'completed' ? 'complete' : 'error', task: taskId, round: display.round, fileOnly: true });
  ws.notify(ws.events.emit({ event: 'complete', task: taskId, round: display.round, status, reason }));
}

/** Stopped while held before the start: nothing was sent; the notes taken are kept as undelivered. */
export async function endBeforeStart(task: RunningTask, notes: TaskNotes, finish: (status: EndStatus, reason: string) => Promise<void>, reason: string): Promise<TaskOutcome> {
  // The pause (and stop) were applied; only the notes are left to report as undelivered.
  notes.keepNotesOnly();
  await finish('interrupted', reason);
  return { status: 'interrupted', reason, rounds: task.display.round };
}

/** Tells the person how the dialogue ended, and how to continue a task that stopped. */
export function tellOutcome(task: RunningTask, outcome: TaskOutcome): void {
  const { ws, id: taskId } = task;
  if (outcome.status === 'completed') ws.say(`poli: task ${taskId} completed in ${outcome.rounds} round(s).`);
  else {
    ws.error(`poli: task ${taskId} ended ${outcome.status}: ${outcome.reason}`);
    if (outcome.status === 'interrupted' || outcome.status === 'timeout') ws.error(asInvoked(`poli: its state is kept; continue it with: poli --resume ${taskId}`, invokedAs(ws.io.env)));
  }
}

/** A task that failed with an error: told and notified; anything but a PoliError (a bug) is thrown on. */
export function tellFailure(task: RunningTask, error: unknown): void {
  const { ws, id: taskId } = task;
  const message = withTaskId((error instanceof Error ? error.message : String(error)).replaceAll('tmux -L <socket>', `tmux -L ${ws.settings.socket}`), taskId);
  ws.notify(ws.events.emit({ event: 'error', task: taskId, round: task.display.round, reason: message }));
  ws.error(`poli: task ${taskId} failed: ${message}`);
  if (!(error instanceof PoliError)) throw error;
}
