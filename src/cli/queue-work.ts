/**
 * `poli work` (issue 20, item 2): the worker with its real effects — the stores, git, a poli process per pair, tmux
 * for ending a pair's session, the machine's load for `--parallel auto`, and Ctrl+C / SIGTERM that stop it cleanly
 * (each pair ends its task with its state kept; the next `poli work` resumes them).
 */
import { open, stat } from 'node:fs/promises';
import { availableParallelism, freemem, loadavg } from 'node:os';
import { SETTINGS, type Settings } from '../config.ts';
import type { ApproveMode } from '../settings.ts';
import type { AppIO } from '../host.ts';
import { createGitOps } from '../queue/git-real.ts';
import { launchPair, pairLog } from '../queue/pairs.ts';
import { QueueWorker, type WorkSummary } from '../queue/worker.ts';
import type { QueueBudgetHooks } from '../queue/worker-deps.ts';
import { readQueueBudget, writeQueueBudget } from '../queue/queue-budget.ts';
import { sendControl } from '../human/control.ts';
import { isProcessAlive } from '../state/lock.ts';
import { INTERRUPT_SIGNALS, interruptReason } from '../terminal/interrupts.ts';
import { createTmuxRunner } from '../tmux/runner.ts';
import type { SettingFlags } from './args.ts';
import type { QueueAction } from './queue-args.ts';
import { openStores, queueLogDir } from './queue-stores.ts';
import path from 'node:path';

/** Settings a pair does not take as flags from `poli work`: each pair has its own worktree and session (approve: WorkerRun). */
// (--planner-cmd and --executer-cmd are passed: a task's own, given after them, wins: the last of a flag given twice counts.)
const NOT_PASSED = new Set(['projectDir', 'stateDir', 'socket', 'approve', 'killOnExit', 'session']);
/** The most pairs `--parallel auto` starts. */
const AUTO_MAX = 16;
/** A pair (two CLIs and a poli) wants about this much memory free before it starts. */
const PAIR_MEMORY = 1.5 * 1024 ** 3;

export async function runWork(io: AppIO, action: Extract<QueueAction, { verb: 'work' }>, flags: SettingFlags, settings: Settings): Promise<number> {
  const interrupt = new AbortController();
  const off = INTERRUPT_SIGNALS.map((signal) => io.onSignal(signal, () => interrupt.abort(interruptReason(signal))));
  io.stdout.write(`poli: working on the queue in ${settings.stateDir} with up to ${String(action.parallel)} pair(s) at once (tmux -L ${settings.socket}; Ctrl+C stops, poli work resumes)\n`);
  // `--serve`: the dashboard lives as long as the worker (a port in use stops poli work before it starts a pair).
  let dashboard: { close(): Promise<void> } | undefined;
  try {
    if (action.serve !== undefined) dashboard = await (await import('./serve-command.ts')).startDashboard(io, settings, action.serve);
    const approve = flags.approve as ApproveMode | undefined;
    const summary = await runQueueWorker(io, settings, { ...action, passed: passThrough(flags), ...(approve !== undefined ? { approve } : {}) }, interrupt.signal);
    return report(io, summary);
  } finally {
    off.forEach((f) => f());
    await dashboard?.close();
  }
}

/** How a worker runs: `poli work`'s options, and the settings flags its pairs take. */
export interface WorkerRun {
  parallel: number | 'auto';
  check: string | undefined;
  strategy: 'merge' | 'rebase';
  mergeRetries: number;
  watch: boolean;
  passed: readonly string[];
  /**
   * `poli work --approve plans|all`: each pair asks before forwarding, answered from the dashboard. Only the flag
   * counts: a POLI_APPROVE meant for runs at a terminal must not leave every pair waiting for a dashboard (default off).
   */
  approve?: ApproveMode;
  /** `--budget`: each task's, unless it has its own. */
  budget?: number;
  /** `--queue-budget`: what the whole run may spend. */
  queueBudget?: number;
}

/** Runs a queue worker over the state dir's queue until it is drained (or, with watch, until `signal` aborts). */
export async function runQueueWorker(io: AppIO, settings: Settings, run: WorkerRun, signal: AbortSignal): Promise<WorkSummary> {
  const { queue, records } = await openStores(io, settings, false);
  const logDir = queueLogDir(settings.stateDir);
  const passed = [...run.passed, '--socket', settings.socket, '--state-dir', settings.stateDir];
  const tmux = createTmuxRunner({ socket: settings.socket });
  const worker = new QueueWorker(
    {
      queue,
      records,
      git: createGitOps(),
      launch: (task) =>
        launchPair({
          id: task.id,
          worktree: task.worktree ?? '',
          logDir,
          flags: passed,
          ...(run.approve !== undefined ? { approve: run.approve } : {}),
          ...(task.plannerCmd !== undefined ? { plannerCmd: task.plannerCmd } : {}),
          ...(task.executerCmd !== undefined ? { executerCmd: task.executerCmd } : {}),
          env: { INIT_CWD: io.cwd },
        }),
      stopPair: (pid) => {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // gone already
        }
      },
      isAlive: isProcessAlive,
      killSession: async (id) => {
        await tmux(['kill-session', '-t', `=${id}`]).catch(() => undefined);
      },
      capacity,
      logTail: (id) => tail(pairLog(logDir, id)),
      now: io.now,
      sleep: (ms, s) => sleep(ms, s),
      say: (line) => io.stdout.write(`${line}\n`),
      warn: (line) => io.stderr.write(`${line}\n`),
      pid: io.pid,
      random: Math.random,
    },
    {
      parallel: run.parallel === 'auto' ? AUTO_MAX : run.parallel,
      auto: run.parallel === 'auto',
      ...(run.check !== undefined ? { check: run.check } : {}),
      checkTimeoutMs: 30 * 60_000,
      strategy: run.strategy,
      mergeRetries: run.mergeRetries,
      worktreeRoot: path.join(settings.stateDir, 'worktrees'),
      watch: run.watch,
      tickMs: 500,
      ...(run.budget !== undefined ? { budget: run.budget } : {}),
      ...(run.queueBudget !== undefined ? { queueBudget: await queueBudgetHooks(io, settings, run.queueBudget) } : {}),
    },
  );
  try {
    return await worker.run(signal);
  } finally {
    queue.close();
  }
}

/**
 * `--queue-budget`: the limit goes into queue-budget.json under this worker's pid (where `poli resume --queue-budget N`
 * raises it), and a pair is told through its control inbox, as `poli resume T7` would.
 */
async function queueBudgetHooks(io: AppIO, settings: Settings, limit: number): Promise<QueueBudgetHooks> {
  await writeQueueBudget(settings.stateDir, { pid: io.pid, limit });
  return {
    limit,
    readLimit: async () => {
      const file = await readQueueBudget(settings.stateDir);
      return file?.pid === io.pid ? file.limit : undefined;
    },
    tell: (id, command) =>
      sendControl(io.runtimeDir, settings.socket, command, { isPidAlive: isProcessAlive, clock: { now: io.now }, session: id }).then(
        () => true,
        () => false,
      ),
  };
}

/** The settings given to `poli work` as flags, for each pair's poli. */
export function passThrough(flags: SettingFlags): string[] {
  const args: string[] = [];
  for (const spec of SETTINGS) {
    const value = flags[spec.name];
    if (value === undefined || NOT_PASSED.has(spec.name)) continue;
    if (typeof value === 'boolean') args.push(value ? `--${spec.flag}` : `--no-${spec.flag}`);
    else args.push(`--${spec.flag}`, String(value));
  }
  return args;
}

/** `--parallel auto`: room for one more pair unless memory is short or the load is past the cores. */
function capacity(): { ok: true } | { ok: false; reason: string } {
  const cores = availableParallelism();
  const load = loadavg()[0] ?? 0;
  if (freemem() < PAIR_MEMORY) return { ok: false, reason: `the machine is full: ${(freemem() / 1024 ** 3).toFixed(1)} GiB of memory free (a pair wants about 1.5)` };
  if (load > cores * 1.5) return { ok: false, reason: `the machine is full: load ${load.toFixed(1)} on ${cores} cores` };
  return { ok: true };
}

function report(io: AppIO, summary: WorkSummary): number {
  if (summary.interrupted) {
    io.stderr.write('poli: stopped; every task keeps its state and branch. poli work picks them up again.\n');
    return 130;
  }
  const left = summary.left;
  io.stdout.write(`poli: the queue is drained: ${summary.merged.length} task(s) merged${left.length > 0 ? `, ${left.length} left for you (poli ps)` : ''}.\n`);
  // A task waiting for the person keeps its CLIs, with their context, for a look (poli attach T7) or a revision.
  const waiting = left.filter((t) => t.state === 'needs_merge').map((t) => t.id);
  if (waiting.length > 0) io.stdout.write(`poli: the CLIs of ${waiting.join(', ')} keep running for you: poli attach ${waiting[0] ?? ''} (tmux sessions ${waiting.join(', ')}).\n`);
  return left.some((t) => ['failed', 'needs_merge', 'blocked'].includes(t.state)) ? 1 : 0;
}

async function tail(file: string, bytes = 2000): Promise<string> {
  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  if (size === 0) return '';
  const handle = await open(file, 'r');
  try {
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
