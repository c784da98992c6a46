/**
 * The worker's side of `--queue-budget` (issue 22, item 3): at each tick it reads what its running tasks spent, warns
 * once at 80 %, and at 100 % tells each running pair to hold before its next message and starts no new task, until
 * `poli resume --queue-budget N` raises the limit (read through the hooks) and the pairs are told to go on.
 */
import { formatUsd } from '../usage/format.ts';
import { QueueBudget } from './queue-budget.ts';
import type { QueueBudgetHooks, WorkerDeps } from './worker-deps.ts';

export class QueueBudgetWatch {
  readonly #budget: QueueBudget;
  /** Tasks whose pair was told the budget is spent (told again if it could not be reached yet). */
  readonly #told = new Set<string>();
  #holding = false;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly hooks: QueueBudgetHooks,
  ) {
    this.#budget = new QueueBudget(hooks.limit);
  }

  /** While true the worker starts no new task. */
  get holding(): boolean {
    return this.#holding;
  }

  /** One look: the running tasks' costs, a raised limit, then the step (warn, hold, go on). */
  async look(): Promise<void> {
    const running = this.deps.queue.list().filter((t) => t.state === 'running' && t.workerPid === this.deps.pid);
    for (const task of running) {
      const record = await this.deps.records.get(task.id);
      const total = record?.usage?.total;
      this.#budget.see(task.id, total === undefined ? undefined : total.cost);
    }
    const raised = await this.hooks.readLimit();
    if (raised !== undefined && raised !== this.#budget.limit) {
      this.#budget.raise(raised);
      this.deps.say(`poli: the queue budget is now ${formatUsd(raised)} (${formatUsd(this.#budget.spent())} spent in this run)`);
    }
    const step = this.#budget.step();
    if (step.kind === 'warn' || step.kind === 'unknown') this.deps.warn(`poli: ${step.text ?? ''}`);
    if (step.kind === 'reached') {
      if (!this.#holding) this.deps.warn(`poli: ${step.text ?? ''}: the running tasks wait after their turn and no task starts; poli resume --queue-budget N raises it`);
      this.#holding = true;
      for (const task of running) {
        if (this.#told.has(task.id)) continue;
        if (await this.hooks.tell(task.id, { kind: 'queue-budget', reached: true, spent: step.spent, limit: step.limit })) this.#told.add(task.id);
      }
      return;
    }
    if (!this.#holding) return;
    this.#holding = false;
    for (const id of this.#told) await this.hooks.tell(id, { kind: 'queue-budget', reached: false, spent: this.#budget.spent(), limit: this.#budget.limit });
    this.#told.clear();
    this.deps.say(`poli: the queue budget ${formatUsd(this.#budget.limit)} is above what the run spent: the pairs go on, new tasks start`);
  }
}
