import { spawn } from 'node:child_process';

/** How much of a check's output is kept: the end, where test runners print their summary and failures. */
export const CHECK_OUTPUT_CHARS = 4000;

/** What a check said. */
export interface CheckResult {
  ok: boolean;
  /** The exit code; undefined when the check was killed (timeout, or a signal). */
  exitCode: number | undefined;
  /** The last {@link CHECK_OUTPUT_CHARS} characters of stdout and stderr, interleaved as they arrived. */
  output: string;
  timedOut: boolean;
}

/** What to run, where, and for how long at most. */
export interface CheckSpec {
  worktree: string;
  command: string;
  timeoutMs: number;
}

/** Runs a check; injected so that callers can be tested without processes. */
export type CheckRunner = (spec: CheckSpec) => Promise<CheckResult>;

/** Keeps the end of `text` (pure), marking the cut so that a reader knows the start is missing. */
export function tailOutput(text: string, max = CHECK_OUTPUT_CHARS): string {
  return text.length <= max ? text : `[… ${text.length - max} earlier characters cut]\n${text.slice(-max)}`;
}

/**
 * The real check: `sh -c COMMAND` in the worktree, in a process group of its own, so that a timeout kills the whole
 * group (a test runner's workers too, not only `sh`), and the output says it was killed.
 */
export const runCheck: CheckRunner = ({ worktree, command, timeoutMs }) =>
  new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd: worktree, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const keep = (chunk: Buffer): void => {
      // Bounded as it arrives: a check may print megabytes.
      output = (output + chunk.toString('utf8')).slice(-4 * CHECK_OUTPUT_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const note = timedOut ? `\n[poli: the check "${command}" ran past ${timeoutMs} ms; its process group was killed]` : '';
      const exitCode = timedOut || code === null ? undefined : code;
      resolve({ ok: exitCode === 0, exitCode, output: tailOutput(output) + note, timedOut });
    });
  });

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone: nothing left to kill.
  }
}
