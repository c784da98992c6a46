/**
 * Facts about where poli runs: its package root, its role files, the real clock, and what it takes from the process
 * (`AppIO`). Kept apart so modules need not import the composition root: main.ts builds the real `AppIO`, src/cli
 * hands it down, and the session layer uses it without importing src/cli.
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from './tmux/types.ts';

/** poli's package root (where config/, mocks/ and node_modules/ are). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The wall clock, a monotonic reading for durations, and real timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  // Epoch-like (the process's start on the wall clock, plus the monotonic time since), but it never steps.
  monotonic: () => performance.timeOrigin + performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Reads a role file from config/ (`planner_primer.txt`, `executer_primer.txt`). */
export async function readPrimer(name: 'planner' | 'executer'): Promise<string> {
  return (await readFile(path.join(PACKAGE_ROOT, 'config', `${name}_primer.txt`), 'utf8')).trimEnd();
}

/**
 * Per-user directory for what belongs to a tmux socket rather than to a state directory: the lock
 * that keeps a second poli off the socket, the inbox of say/pause/resume/stop, and where the
 * running poli keeps its state. Keyed by socket, so it holds whatever --state-dir each poli uses.
 */
export function runtimeDir(env: Record<string, string | undefined>, uid: number): string {
  return path.join(env.TMUX_TMPDIR || tmpdir(), `poli-${uid}`);
}

/** The signals that interrupt a running poli; `SIGPIPE` stands for stdout's reader going away (see {@link AppIO}). */
export type InterruptSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGPIPE';

/** Everything poli takes from the process; main.ts passes the real ones. */
export interface AppIO {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  cwd: string;
  pid: number;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /**
   * Registers a handler for a process signal; returns a function that removes it. `SIGPIPE` stands for stdout's
   * reader going away (EPIPE on a write), which main.ts reports here.
   */
  onSignal(signal: InterruptSignal, handler: () => void): () => void;
  now(): number;
  /** Per-user directory for socket locks and control inboxes (see {@link runtimeDir}). */
  runtimeDir: string;
}
