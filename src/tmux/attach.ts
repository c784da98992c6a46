/**
 * `poli attach`: hands the person's terminal to tmux, attached to poli's session.
 */
import { spawnSync } from 'node:child_process';

/** The command a person runs to watch or step in. */
export function attachCommand(socket: string): string {
  return `tmux -L ${socket} attach`;
}

/** Attaches the current terminal (inherits stdio); returns tmux's exit code. */
export function attachTerminal(socket: string): number {
  const result = spawnSync('tmux', ['-L', socket, 'attach'], { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}
