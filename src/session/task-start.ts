/**
 * A task's start: the new task created in the state store, or a stopped one set running again, and the running
 * task's context (its id, display, clock) that the task's other parts share.
 */
import { planResume, resumeContext } from '../dialogue/resume.ts';
import { raiseBudget } from '../usage/budget.ts';
import type { RunTaskOptions } from '../dialogue/run-task.ts';
import { ConfigError, StateFileError } from '../errors.ts';
import { cleanBody } from '../protocol/format-block.ts';
import type { Role } from '../protocol/types.ts';
import { DEFAULT_SESSION } from '../state/claim-key.ts';
import type { TaskRecord } from '../state/types.ts';
import { taskHead } from '../terminal/task-text.ts';
import { monotonicNow } from '../tmux/clock.ts';
import { TaskDisplay } from './task-display.ts';
import type { Workspace } from './workspace-api.ts';

/** A new task's text, or the id of a stopped task to resume; `budget`: its --budget (USD), set (or raised) on it. */
export type TaskRequest = ({ task: string } | { resume: string }) & { budget?: number };

/** A running task, as its parts (recorder, progress, priming, end) share it. */
export interface RunningTask {
  ws: Workspace;
  id: string;
  /** When it started (the workspace's clock). */
  started: number;
  /** The elapsed time shown on progress lines: monotonic, so a step of the wall clock does not show in it. */
  elapsedMs(): number;
  paneOf(role: Role): string;
  display: TaskDisplay;
}

/** The session a task records: a named one only (the default one writes no field, as before sessions had names). */
function recordedSession(session: string): { session?: string } {
  return session === DEFAULT_SESSION ? {} : { session };
}

/** A new task, or the stored one to resume (set running again under this process). */
export async function openTask(ws: Workspace, what: TaskRequest): Promise<{ record: TaskRecord; start: RunTaskOptions['start'] }> {
  const { store, settings, io } = ws;
  if ('task' in what) {
    // Control bytes never reach a pane; the state holds the task as the CLI receives it.
    const task = cleanBody(what.task);
    if (task === '') throw new ConfigError('the task is empty once control characters and blank lines are removed');
    const created = await store.createTask(task, { socket: settings.socket, ...recordedSession(settings.session), projectDir: settings.projectDir });
    const record = what.budget === undefined ? created : await store.update(created.id, { budget: { limit: what.budget } });
    return { record, start: { task } };
  }
  const existing = await store.get(what.resume);
  if (!existing) {
    const known = (await store.list()).map((t) => t.id).join(', ') || 'none yet';
    throw new StateFileError(`no task with id "${what.resume}" in ${settings.stateDir} (tasks: ${known}). List them with: poli --state`);
  }
  const plan = planResume(existing, settings.maxRounds);
  if (typeof plan === 'string') throw new StateFileError(`cannot resume: ${plan}`);
  // The time it stood stopped is not part of its duration.
  const stoppedMs = (existing.stoppedMs ?? 0) + (existing.endedAt ? Math.max(0, ws.clock.now() - Date.parse(existing.endedAt)) : 0);
  // `poli --resume T7 --budget 8`: the new limit, unreached (a budget reached before the stop is raised by it).
  const budget = what.budget === undefined ? {} : { budget: raiseBudget(what.budget, existing.usage?.total.cost ?? undefined) };
  const record = await store.update(existing.id, {
    status: 'running',
    endedAt: null,
    error: undefined,
    pid: io.pid,
    socket: settings.socket,
    session: recordedSession(settings.session).session,
    stoppedMs,
    ...budget,
  });
  return { record, start: plan.kind === 'start' ? { task: existing.task } : { resume: plan, context: resumeContext(existing) } };
}

/** Tells that the task started (or resumed) and starts its display. */
export function beginTask(ws: Workspace, created: TaskRecord, resumed: boolean): RunningTask {
  const { clock } = ws;
  const id = created.id;
  const started = clock.now();
  const startedMono = monotonicNow(clock);
  const how = resumed ? 'resumed' : 'started';
  ws.say(`poli: task ${id} ${how}: ${taskHead(created.task)}`);
  ws.logger.info(`task ${id} ${how}`, { event: 'start', task: id, fileOnly: true });
  ws.events.emit({ event: 'start', task: id, round: created.rounds, summary: created.task });
  return {
    ws,
    id,
    started,
    elapsedMs: () => monotonicNow(clock) - startedMono,
    paneOf: (role) => ws.session.paneIds[role],
    display: new TaskDisplay(ws, created, started),
  };
}
