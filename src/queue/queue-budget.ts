/**
 * `poli work --queue-budget 30` (issue 22, item 3): what the whole run may spend, in USD. The worker sums what the tasks
 * it runs spent during the run (each task's cost less its cost when the run first saw it); at 80 % it warns once, at
 * 100 % it tells each running pair to hold before its next message (control command `queue-budget`: the task waits,
 * kind budget, its CLIs and context kept) and starts no new task. `poli resume --queue-budget 50` raises it: the
 * command writes the new limit into `<stateDir>/queue-budget.json`, which the worker that owns it reads at each tick,
 * and the pairs go on. The file names the worker's pid, so a limit is never raised for a run that is over.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PoliError } from '../errors.ts';
import { checkBudget, describeBudgetStep, raiseBudget, type BudgetState, type BudgetStep } from '../usage/budget.ts';
import { formatUsd } from '../usage/format.ts';

/** The file the running worker's queue budget lives in, so that `poli resume --queue-budget N` can raise it. */
export function queueBudgetFile(stateDir: string): string {
  return path.join(stateDir, 'queue-budget.json');
}

/** The queue budget of the `poli work` run with this pid. */
export interface QueueBudgetFile {
  pid: number;
  limit: number;
}

/** `poli resume --queue-budget N` while no `poli work` with a --queue-budget runs. */
export class NoQueueBudgetError extends PoliError {
  constructor(file: string) {
    super('NO_QUEUE_BUDGET', `no poli work with a --queue-budget is running (nothing live in ${file}); start one with poli work --queue-budget 30`);
  }
}

/** Reads the file; undefined when there is none (or it is not one). */
export async function readQueueBudget(stateDir: string): Promise<QueueBudgetFile | undefined> {
  const text = await readFile(queueBudgetFile(stateDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<QueueBudgetFile>;
    return typeof value.pid === 'number' && typeof value.limit === 'number' ? { pid: value.pid, limit: value.limit } : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the file atomically (temp file, then rename). */
export async function writeQueueBudget(stateDir: string, budget: QueueBudgetFile): Promise<void> {
  const file = queueBudgetFile(stateDir);
  const tmp = `${file}.${budget.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(budget)}\n`, 'utf8');
  await rename(tmp, file);
}

/**
 * `poli resume --queue-budget N`: the live worker's limit becomes N; returns the line to print.
 * @throws NoQueueBudgetError when no live worker runs with a queue budget.
 */
export async function raiseQueueBudget(stateDir: string, limit: number, isAlive: (pid: number) => boolean): Promise<string> {
  const current = await readQueueBudget(stateDir);
  if (current === undefined || !isAlive(current.pid)) throw new NoQueueBudgetError(queueBudgetFile(stateDir));
  await writeQueueBudget(stateDir, { pid: current.pid, limit });
  return `poli: the queue budget of poli work (pid ${current.pid}) is now ${formatUsd(limit)} (was ${formatUsd(current.limit)}); its pairs go on once it is above what the run spent.`;
}

/** What one look at the queue budget asks of the worker. */
export type QueueBudgetStep = BudgetStep & { text?: string };

/**
 * The run's spend and its budget, for the worker: fed each task's current cost (null: unknown), it says at each tick
 * whether to warn, hold the pairs, or let them go on. Pure apart from the costs it is fed.
 */
export class QueueBudget {
  #state: BudgetState;
  /** Each task's cost when this run first saw it (its spend before the run does not count). */
  readonly #baseline = new Map<string, number>();
  readonly #latest = new Map<string, number>();
  #unknown = false;

  constructor(limit: number) {
    this.#state = { limit };
  }

  get limit(): number {
    return this.#state.limit;
  }

  get reached(): boolean {
    return this.#state.reached === true;
  }

  /** A task's cost now (USD; null: not known although its CLIs answered; undefined: nothing spent yet). */
  see(id: string, cost: number | null | undefined): void {
    if (cost === null) {
      this.#unknown = true;
      return;
    }
    const usd = cost ?? 0;
    if (!this.#baseline.has(id)) this.#baseline.set(id, usd);
    this.#latest.set(id, usd);
  }

  /** What the run spent so far. */
  spent(): number {
    let sum = 0;
    for (const [id, usd] of this.#latest) sum += usd - (this.#baseline.get(id) ?? usd);
    return sum;
  }

  /** A new limit (`poli resume --queue-budget N`). */
  raise(limit: number): void {
    this.#state = raiseBudget(limit, this.spent());
  }

  /** The step now: warn once at 80 %, say once that an unknown cost cannot be counted, reached at 100 %. */
  step(): QueueBudgetStep {
    const spent = this.spent();
    // A task whose cost is unknown cannot be counted: said once, and the known spend still counts.
    const spend = this.#unknown && this.#latest.size === 0 ? null : { usd: spent, complete: !this.#unknown };
    const { step, next } = checkBudget(spend, this.#state);
    this.#state = next ?? this.#state;
    return step.kind === 'go' ? step : { ...step, text: describeBudgetStep(step, 'the queue budget') };
  }
}
