/** What a queue worker (`poli work`) is given: the stores, git, how to start a pair, and the clock. */
import type { ControlCommand } from '../human/control.ts';
import type { MessageRecord, TaskPatch, TaskRecord } from '../state/types.ts';
import type { GitOps, MergeStrategy } from './git-ops.ts';
import type { QueueStore } from './store.ts';
import type { QueuedTask } from './types.ts';

/** The task records (tasks/T7.json, state/store.ts) as the worker uses them. */
export interface TaskRecords {
  get(id: string): Promise<TaskRecord | undefined>;
  update(id: string, patch: TaskPatch): Promise<TaskRecord>;
  appendMessage(id: string, message: MessageRecord): Promise<TaskRecord>;
}

export interface WorkerDeps {
  queue: QueueStore;
  records: TaskRecords;
  git: GitOps;
  /** Starts the task's pair (its own poli process); its pid, or undefined when it could not start. */
  launch(task: QueuedTask): number | undefined;
  /** Asks a pair's process to end its task (SIGTERM): its state is kept and the next `poli work` resumes it. */
  stopPair(pid: number): void;
  isAlive(pid: number): boolean;
  /** Ends the task's tmux session (its CLIs). */
  killSession(id: string): Promise<void>;
  /** Whether the machine has room for another pair (`--parallel auto`); a reason when it has not. */
  capacity(): { ok: true } | { ok: false; reason: string };
  /** The end of the pair's log, for a task whose pair died before it started its dialogue. */
  logTail(id: string): Promise<string>;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  say(line: string): void;
  warn(line: string): void;
  pid: number;
  random(): number;
}

export interface WorkerOptions {
  /** The most pairs at once. */
  parallel: number;
  /** `--parallel auto`: up to `parallel`, while `capacity` says there is room. */
  auto: boolean;
  check?: string;
  checkTimeoutMs: number;
  strategy: MergeStrategy;
  /** How often the merge queue sends a task back to its dialogue before it waits for the person. */
  mergeRetries: number;
  /** Where the worktrees go: `<stateDir>/worktrees/T7`. */
  worktreeRoot: string;
  /** Keep waiting for new tasks once the queue is drained (`--watch`). */
  watch: boolean;
  tickMs: number;
  /** `poli work --budget 3`: USD each task it starts may spend, unless the task has its own (poli add --budget). */
  budget?: number;
  /** `poli work --queue-budget 30`: what the whole run may spend (queue-budget.ts). */
  queueBudget?: QueueBudgetHooks;
}

/** The run's queue budget: its first limit, where a raised one is read, and how a pair is told. */
export interface QueueBudgetHooks {
  limit: number;
  /** The limit `poli resume --queue-budget N` wrote for this worker (undefined: none yet). */
  readLimit(): Promise<number | undefined>;
  /** Hands the pair of task `id` the control command (reached or raised); false when it could not (no live pair). */
  tell(id: string, command: Extract<ControlCommand, { kind: 'queue-budget' }>): Promise<boolean>;
}
