/**
 * `poli attach`: hands the person's terminal to tmux, attached to poli's session.
 */
import { spawnSync } from 'node:child_process';

/** The command a person runs to watch or step in (`session`: that session of the server, e.g. a task's `T7`). */
export function attachCommand(socket: string, session?: string): string {
  return `tmux -L ${socket} attach${session === undefined ? '' : ` -t ${session}`}`;
}

/** Attaches the current terminal (inherits stdio) to the server, or to `session` of it; returns tmux's exit code. */
export function attachTerminal(socket: string, session?: string): number {
  const target = session === undefined ? [] : ['-t', `=${session}`];
  const result = spawnSync('tmux', ['-L', socket, 'attach', ...target], { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}
