/**
 * `poli status --short`: one line for a tmux status bar (`poli T3 r2 EXECUTER 01:12`), and the tmux `status-right`
 * setting that runs it. Pure: records and the time in, text out.
 */
import path from 'node:path';
import type { Role } from '../protocol/types.ts';
import type { TaskRecord } from '../state/types.ts';

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
 * `poli T3 r2 EXECUTER 01:12` while a task runs (elapsed since it started; h:mm:ss past an hour),
 * `poli T3 completed` once it ended, `poli idle` without a task. `waitingFor` overrides what the messages say.
 */
export function renderStatusLine(task: TaskRecord | undefined, now: number, waitingFor?: Role | null): string {
  if (!task) return 'poli idle';
  if (task.status !== 'running') return `poli ${task.id} ${task.status}`;
  const turn = currentTurn(task);
  const who = waitingFor === undefined ? turn.waitingFor : waitingFor;
  const parts = ['poli', task.id, `r${turn.round}`];
  if (who) parts.push(who);
  parts.push(formatClock(now - Date.parse(task.startedAt)));
  return parts.join(' ');
}

/** The task the status line is about: the running one on this socket, else the latest one there. */
export function pickStatusTask(tasks: readonly TaskRecord[], socket: string): TaskRecord | undefined {
  const mine = tasks.filter((t) => t.socket === socket);
  return mine.find((t) => t.status === 'running') ?? latest(mine);
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

/**
 * The tmux `status-right` value that shows poli's status line:
 * `#(node '<root>/bin/poli.js' status --short --socket 'S' --state-dir 'D')`.
 * tmux runs `#()` through `sh -c` after expanding formats in it, so each argument is shell-quoted and `#` doubled.
 */
export function statusRightCommand(packageRoot: string, socket: string, stateDir: string, node = 'node'): string {
  const argv = [node, path.join(packageRoot, 'bin', 'poli.js'), 'status', '--short', '--socket', socket, '--state-dir', stateDir];
  return `#(${argv.map(quoteForShell).join(' ').replace(/#/g, '##')})`;
}

/** The tmux arguments poli runs on its own server to show the status line. */
export function statusLineTmuxArgs(packageRoot: string, socket: string, stateDir: string): string[][] {
  return [
    ['set-option', '-g', 'status-right', statusRightCommand(packageRoot, socket, stateDir)],
    ['set-option', '-g', 'status-right-length', String(STATUS_RIGHT_LENGTH)],
    ['set-option', '-g', 'status-interval', String(STATUS_INTERVAL_SECONDS)],
  ];
}

/** README text: how to show poli's status in one's own tmux. */
export function renderStatusLineSnippet(packageRoot: string): string {
  const command = statusRightCommand(packageRoot, 'poli', path.join(packageRoot, 'logs'));
  return [
    '### poli in your own tmux status line',
    '',
    'poli shows `poli T3 r2 EXECUTER 01:12` (task, round, whose turn, elapsed) at the right of its own tmux',
    'status bar. To see the same in your own tmux, add to `~/.tmux.conf` (adjust `--socket` and `--state-dir` if',
    'you change them) and reload it with `tmux source-file ~/.tmux.conf`:',
    '',
    '```tmux',
    `set -g status-right ${quoteForTmuxConf(`${command} %H:%M`)}`,
    `set -g status-right-length ${STATUS_RIGHT_LENGTH}`,
    `set -g status-interval ${STATUS_INTERVAL_SECONDS}`,
    '```',
    '',
    'It prints `poli idle` when no task has run on that socket, and `poli T3 completed` (or how it ended) after one.',
    '',
  ].join('\n');
}

function latest(tasks: readonly TaskRecord[]): TaskRecord | undefined {
  let best: TaskRecord | undefined;
  for (const t of tasks) if (!best || Number(t.id.slice(1)) > Number(best.id.slice(1))) best = t;
  return best;
}

function quoteForShell(arg: string): string {
  return /^[A-Za-z0-9_./=:-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** tmux.conf: single quotes take everything literally; double quotes expand `$VAR` and `\\` escapes. */
function quoteForTmuxConf(value: string): string {
  return value.includes("'") ? `"${value.replace(/(["\\$])/g, '\\$1')}"` : `'${value}'`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
