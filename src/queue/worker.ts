/**
 * `poli work` (issue 20, item 2): runs queued tasks, up to N pairs at once, each in its own worktree, and merges each
 * completed one through the merge queue, one at a time. Everything it knows is in the stores: a worker killed at any
 * moment loses nothing, and the next one picks up every task where it stood (a pair still running is adopted, one
 * whose process died is resumed, a merge cut short is run again from its first step).
 */
import { pairEnded, type Relaunches } from './worker-ends.ts';
import { launchOrFail, prepareWorktree } from './launch.ts';
import { mergeNext } from './worker-merge.ts';
import type { WorkerDeps, WorkerOptions } from './worker-deps.ts';
import { newlyBlocked, readyTasks, type OutsideStatus } from './schedule.ts';
import type { QueuedTask } from './types.ts';
import { QueueBudgetWatch } from './worker-budget.ts';

export type { WorkerDeps, WorkerOptions } from './worker-deps.ts';

/** How a worker run ended. */
export interface WorkSummary {
  merged: string[];
  /** Tasks left for the person: failed, blocked, stopped, needs_merge, and queued ones that wait on those. */
  left: QueuedTask[];
  interrupted: boolean;
}

export class QueueWorker {
  private merging: Promise<void> | undefined;
  private lastCapacityNote = '';
  private readonly merged: string[] = [];
  private readonly relaunches: Relaunches = new Map();
  /** The dialogue status of each task run outside the queue (poli --task) that a queued task runs after. */
  private outsideStatus = new Map<string, string | undefined>();
  private readonly outside: OutsideStatus = (id) => this.outsideStatus.get(id);
  /** Set once run() is asked to stop: a merge that fails meanwhile is left to run again. */
  private stopping = false;
  /** `--queue-budget`: the run's spend and limit, and the pairs told to hold (worker-budget.ts). */
  private readonly budget: QueueBudgetWatch | undefined;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly options: WorkerOptions,
  ) {
    this.budget = options.queueBudget === undefined ? undefined : new QueueBudgetWatch(deps, options.queueBudget);
  }

  /** Runs until the queue is drained (or, with `watch`, until `signal` aborts); then stops its pairs on an abort. */
  async run(signal: AbortSignal): Promise<WorkSummary> {
    signal.addEventListener('abort', () => (this.stopping = true), { once: true });
    while (!signal.aborted) {
      await this.tick();
      if (!this.options.watch && this.drained()) break;
      await this.deps.sleep(this.options.tickMs, signal);
    }
    if (signal.aborted) await this.stopPairs();
    else await this.merging;
    return { merged: [...this.merged], left: this.deps.queue.list().filter((t) => !['merged', 'done'].includes(t.state)), interrupted: signal.aborted };
  }

  /** One look at the queue: pairs that ended, tasks that can no longer run, the next merge, new pairs. */
  async tick(): Promise<void> {
    await this.readOutside();
    for (const task of this.deps.queue.list().filter((t) => t.state === 'running')) await this.checkPair(task);
    this.blockDependents();
    await this.budget?.look();
    if (this.merging === undefined) {
      const started = mergeNext(this.deps, this.options, (id) => this.merged.push(id), () => this.stopping);
      if (started) this.merging = started.finally(() => (this.merging = undefined));
    }
    await this.startReady();
  }

  /** Nothing runs, nothing is merging, and no queued task can start. */
  drained(): boolean {
    const tasks = this.deps.queue.list();
    if (this.merging !== undefined) return false;
    if (tasks.some((t) => t.state === 'running' || t.state === 'merging')) return false;
    return readyTasks(tasks, this.outside).length === 0;
  }

  /**
   * `poli add --after T3` accepts a task run outside the queue (its record exists): the schedule needs its status,
   * which only its record has. Read once per tick, for the ids no queue row has.
   */
  private async readOutside(): Promise<void> {
    const tasks = this.deps.queue.list();
    const inQueue = new Set(tasks.map((t) => t.id));
    const ids = new Set(tasks.filter((t) => t.state === 'queued').flatMap((t) => t.after.filter((id) => !inQueue.has(id))));
    const statuses = new Map<string, string | undefined>();
    for (const id of ids) statuses.set(id, (await this.deps.records.get(id))?.status);
    this.outsideStatus = statuses;
  }

  /** A running task: its pair still runs (adopted if its worker died), or it ended and moves on. */
  private async checkPair(task: QueuedTask): Promise<void> {
    const { deps } = this;
    const ours = task.workerPid === deps.pid;
    if (!ours && task.workerPid !== undefined && deps.isAlive(task.workerPid)) return; // another worker's
    if (task.childPid !== undefined && deps.isAlive(task.childPid)) {
      if (!ours && deps.queue.update(task.id, { workerPid: deps.pid }, ['running'])) deps.say(`poli: ${task.id}: adopted its running pair (pid ${task.childPid})`);
      return;
    }
    if (!ours) deps.queue.update(task.id, { workerPid: deps.pid }, ['running']);
    await pairEnded(deps, { ...task, workerPid: deps.pid }, { adopted: !ours, relaunches: this.relaunches, worktreeRoot: this.options.worktreeRoot });
  }

  /** Queued tasks that run after a task that failed, was stopped or is blocked: blocked, with the reason. */
  private blockDependents(): void {
    for (const { id, reason } of newlyBlocked(this.deps.queue.list(), this.outside)) {
      if (this.deps.queue.update(id, { state: 'blocked', reason }, ['queued'])) this.deps.warn(`poli: ${id} is blocked: ${reason}`);
    }
  }

  /** Starts pairs for ready tasks while there is room (none while the queue budget is spent). */
  private async startReady(): Promise<void> {
    for (;;) {
      if (this.budget?.holding === true) return;
      const tasks = this.deps.queue.list();
      const mine = tasks.filter((t) => t.state === 'running' && t.workerPid === this.deps.pid).length;
      if (mine >= this.options.parallel) return;
      const next = readyTasks(tasks, this.outside)[0];
      if (next === undefined) return;
      if (this.options.auto && mine > 0 && !this.roomFor(next)) return;
      if (!this.claim(next)) continue;
      await this.startPair(next);
    }
  }

  /** `--parallel auto`: whether the machine has room; said once each time the answer changes. */
  private roomFor(next: QueuedTask): boolean {
    const room = this.deps.capacity();
    const note = room.ok ? '' : `poli: not starting ${next.id} yet: ${room.reason}`;
    if (note !== this.lastCapacityNote && note !== '') this.deps.say(note);
    this.lastCapacityNote = note;
    return room.ok;
  }

  private claim(task: QueuedTask): boolean {
    const startedAt = new Date(this.deps.now()).toISOString();
    return this.deps.queue.update(task.id, { state: 'running', workerPid: this.deps.pid, attempts: task.attempts + 1, startedAt, reason: undefined }, ['queued']);
  }

  /** Makes the task's worktree on its branch, then starts its pair there. */
  private async startPair(task: QueuedTask): Promise<void> {
    const prepared = await prepareWorktree(this.deps, this.options.worktreeRoot, task, this.options.budget);
    if (prepared !== undefined) launchOrFail(this.deps, prepared, `started on ${prepared.branch ?? ''} in ${prepared.worktree ?? ''}`);
  }

  /** Ctrl+C or SIGTERM: each pair ends its task (state kept) and the next `poli work` resumes it. */
  private async stopPairs(): Promise<void> {
    const { deps } = this;
    const pids = deps.queue
      .list()
      .filter((t) => t.state === 'running' && t.workerPid === deps.pid && t.childPid !== undefined)
      .map((t) => t.childPid as number);
    for (const pid of pids) deps.stopPair(pid);
    for (let waited = 0; waited < 30_000 && pids.some((pid) => deps.isAlive(pid)); waited += 200) await deps.sleep(200);
    await this.merging;
  }
}
