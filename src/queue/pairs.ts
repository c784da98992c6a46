/**
 * A task's pair: a `poli` process of its own that runs the task's dialogue in the task's worktree, its PLANNER and
 * EXECUTER in a tmux session named after the task on poli's server (`--session T7`). One process per pair keeps every
 * guarantee of a one-shot task (receipts, resume, replies through the tool) and keeps a pair that hangs or crashes
 * from stalling the others. The process is detached and writes to the task's log: a `poli work` killed with -9 leaves
 * it running, and the next `poli work` adopts it.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import type { ApproveMode } from '../settings.ts';

/** The command that runs poli itself: node with the same loader flags and entry script as this process. */
export function selfCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1] ?? 'poli'];
}

export interface PairLaunch {
  id: string;
  worktree: string;
  /** The queue's log directory: `<dir>/T7.log`. */
  logDir: string;
  /** Settings given to `poli work` that the pair takes too (`--mock`, timeouts, socket, state dir). */
  flags: readonly string[];
  plannerCmd?: string;
  executerCmd?: string;
  command?: readonly string[];
  env?: Record<string, string | undefined>;
  /**
   * `--approve` of the pair (default off). A pair has no terminal: with plans or all it waits for each answer from the
   * dashboard (`poli serve`, human/approval-files.ts).
   */
  approve?: ApproveMode;
}

/** The log file of a task's pair. */
export function pairLog(logDir: string, id: string): string {
  return path.join(logDir, `${id}.log`);
}

/** The arguments of a pair's poli: resume the task (a queued task resumes from its start) in its worktree. */
export function pairArgs(launch: PairLaunch): string[] {
  return [
    '--resume',
    launch.id,
    '--session',
    launch.id,
    '--project-dir',
    launch.worktree,
    // Nobody is at a pair's terminal: its approvals are answered from the dashboard; off unless `poli work --approve`.
    '--approve',
    launch.approve ?? 'off',
    ...launch.flags,
    ...(launch.plannerCmd !== undefined ? ['--planner-cmd', launch.plannerCmd] : []),
    ...(launch.executerCmd !== undefined ? ['--executer-cmd', launch.executerCmd] : []),
  ];
}

/** Starts the pair's poli; returns its pid (undefined when it could not start). */
export function launchPair(launch: PairLaunch): number | undefined {
  mkdirSync(launch.logDir, { recursive: true });
  const log = openSync(pairLog(launch.logDir, launch.id), 'a');
  try {
    const [bin, ...pre] = launch.command ?? selfCommand();
    const child = spawn(bin ?? process.execPath, [...pre, ...pairArgs(launch)], {
      cwd: launch.worktree,
      detached: true,
      stdio: ['ignore', log, log],
      // POLI_WORKER_TASK lets this process start a queued task (`--resume` of a queued task is refused otherwise).
      env: { ...process.env, ...launch.env, POLI_WORKER_TASK: launch.id },
    });
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}
