/**
 * A task's records: every message and delivery receipt the dialogue reports goes to the state store, a progress
 * line, the log and the event stream; its end is finished in task-end.ts.
 */
import type { TaskRecorder } from '../dialogue/run-task.ts';
import { formatMessage, summarizeBody } from '../terminal/progress.ts';
import { finishTask } from './task-end.ts';
import type { TaskNotes } from './task-notes.ts';
import { reportOf } from './task-report.ts';
import type { RunningTask } from './task-start.ts';

/** The dialogue's recorder for a running task. */
export function createTaskRecorder(task: RunningTask, notes: TaskNotes): TaskRecorder {
  const { ws, id: taskId, display } = task;
  const { store, clock } = ws;
  /** poli's own messages (`ROLE id`), whose `send` event was emitted when they were recorded. */
  const sentByPoli = new Set<string>();
  return {
    async record(message, how) {
      notes.delivered(message);
      display.latest = await store.appendMessage(taskId, { ...message, at: new Date(clock.now()).toISOString() });
      const report = reportOf(message, how);
      if (report.line) ws.progress(formatMessage(task.elapsedMs(), display.round, message, report.note));
      display.lastSummary = `${message.from} → ${message.to} ${message.type}: ${summarizeBody(message.body)}`;
      const { from, to, type, id, body } = message;
      const { cli, event } = report;
      // A turn's end: its usage is (mostly) written by now; late records come at the next mark or the task's end.
      if (cli) await ws.session.usage.poll();
      const round = display.round;
      ws.logger.info(`${from} → ${to} ${type} ${id}`, { event, task: taskId, round, fileOnly: true });
      if (cli && type === 'status') ws.events.emit({ event: 'status', task: taskId, round, role: cli, pane: task.paneOf(cli), id, summary: body });
      else if (cli) ws.events.emit({ event: 'reply', task: taskId, round, role: cli, pane: task.paneOf(cli), to, type, id, summary: body });
      else if (to !== 'ORCHESTRATOR') {
        if (from === 'ORCHESTRATOR') sentByPoli.add(`${to} ${id}`);
        ws.events.emit({ event: 'send', task: taskId, round, role: to, pane: task.paneOf(to), from, type, id, summary: body });
      }
    },
    async delivery(report) {
      const { id, to, type, body, extra, stage } = report;
      const at = new Date(clock.now()).toISOString();
      display.latest = await store.recordDelivery(taskId, { id, to, type, body, ...(extra ? { extra } : {}), stage, at });
      const round = display.round;
      // The PLANNER's work typed into the EXECUTER (under an id of its own) was recorded as the PLANNER's reply: its
      // `send` is when poli types it. poli's own messages had theirs when recorded.
      if (stage === 'written' && to === 'EXECUTER' && !sentByPoli.has(`${to} ${id}`) && ['plan', 'continue', 'revision'].includes(type)) {
        ws.events.emit({ event: 'send', task: taskId, round, role: to, pane: task.paneOf(to), from: 'PLANNER', type, id, summary: body });
      }
      ws.logger.debug(`message ${id} to ${to}: ${stage}`, { event: 'delivery', task: taskId, round, role: to, id, stage, fileOnly: true });
    },
    async setRounds(rounds) {
      display.round = rounds;
      display.latest = await store.update(taskId, { rounds });
    },
    finish: (status, given) => finishTask(task, notes, status, given),
    async waiting(wait) {
      display.latest = await store.update(
        taskId,
        wait ? { status: 'waiting', waiting: wait, waits: [...(display.latest.waits ?? []), wait] } : { status: 'running', waiting: undefined },
      );
      display.show();
    },
  };
}
