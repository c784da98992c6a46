/**
 * `poli status --short`: one line for a tmux status bar (`poli T3 r2 EXECUTER 01:12`), and the tmux `status-right`
 * setting that runs it. Pure: records and the time in, text out.
 */
import type { Role } from '../protocol/types.ts';
import { DEFAULT_SESSION } from '../state/claim-key.ts';
import type { TaskRecord } from '../state/types.ts';
import { formatTotalsCost } from '../usage/format.ts';

/** Seconds between tmux status refreshes; the elapsed time is only as fresh as this. */
export const STATUS_INTERVAL_SECONDS = 5;
/** tmux cuts `status-right` at 40 characters by default; a long task id and h:mm:ss need a little more. */
export const STATUS_RIGHT_LENGTH = 60;

/** Round and whose turn it is, read from the recorded messages. */
export interface CurrentTurn {
  round: number;
  /** The role poli is waiting on, or null (not started, or the last message went to poli itself). */
  waitingFor: Role | null;
}

/**
 * Whose turn it is, from the last recorded message: a message to PLANNER or EXECUTER means that role is working;
 * an EXECUTER status block means the EXECUTER still is (it goes to the PLANNER only when the turn ends);
 * a message to ORCHESTRATOR (complete, error) or none at all means nobody is.
 */
export function currentTurn(task: TaskRecord): CurrentTurn {
  const last = task.messages.at(-1);
  let waitingFor: Role | null = null;
  if (last?.from === 'EXECUTER' && last.type === 'status') waitingFor = 'EXECUTER';
  else if (last?.to === 'PLANNER' || last?.to === 'EXECUTER') waitingFor = last.to;
  return { round: task.rounds, waitingFor };
}

/**
 * `poli T3 r2 EXECUTER 01:12` while a task runs (elapsed since it started; h:mm:ss past an hour), `poli T3 r2 paused`
 * or `poli T3 r0 waiting for you` while the person holds it,
 * `poli T3 completed` once it ended, `poli idle` without a task. `waitingFor` overrides what the messages say.
 * Once poli knows the task's usage, its cost ends the line: `poli T3 r2 EXECUTER 01:12 $1.23`.
 */
export function renderStatusLine(task: TaskRecord | undefined, now: number, waitingFor?: Role | null): string {
  if (!task) return 'poli idle';
  const line = renderTaskStatus(task, now, waitingFor);
  return task.usage ? `${line} ${formatTotalsCost(task.usage.total)}` : line;
}

function renderTaskStatus(task: TaskRecord, now: number, waitingFor?: Role | null): string {
  if (task.status !== 'running' && task.status !== 'waiting') return `poli ${task.id} ${task.status}`;
  const turn = currentTurn(task);
  // Held by the person (as poli's tmux status bar says it): no clock, nothing counts against the task's time.
  if (task.status === 'running' && task.held) return `poli ${task.id} r${turn.round} ${task.held.kind === 'paused' ? 'paused' : 'waiting for you'}`;
  const who = task.waiting?.role ?? (waitingFor === undefined ? turn.waitingFor : waitingFor);
  const parts = ['poli', task.id, `r${turn.round}`];
  if (who) parts.push(who);
  if (task.status === 'waiting' && task.waiting) {
    // `poli T3 r2 EXECUTER limit 1:02:03`: time left until poli looks again; `login` while a person must log in.
    const until = task.waiting.until === null ? undefined : Date.parse(task.waiting.until);
    parts.push(task.waiting.kind === 'auth' ? 'login' : 'limit');
    if (until !== undefined) parts.push(formatClock(until - now));
    return parts.join(' ');
  }
  parts.push(formatClock(now - Date.parse(task.startedAt) - (task.stoppedMs ?? 0)));
  return parts.join(' ');
}

/** The task the status line is about: the running one in this session of the socket, else the latest one there. */
export function pickStatusTask(tasks: readonly TaskRecord[], socket: string, session: string = DEFAULT_SESSION): TaskRecord | undefined {
  const mine = tasks.filter((t) => t.socket === socket && (t.session ?? DEFAULT_SESSION) === session);
  return mine.find((t) => t.status === 'running' || t.status === 'waiting') ?? latest(mine);
}

/** `01:12`, or `1:02:03` past an hour. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${pad(m)}:${pad(s)}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

function latest(tasks: readonly TaskRecord[]): TaskRecord | undefined {
  let best: TaskRecord | undefined;
  for (const t of tasks) if (!best || Number(t.id.slice(1)) > Number(best.id.slice(1))) best = t;
  return best;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
