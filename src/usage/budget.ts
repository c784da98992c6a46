/**
 * Budgets that pause rather than kill (issue 22, item 3): a task's --budget and a `poli work` run's --queue-budget,
 * in USD, checked against what the CLIs spent (TaskRecord.usage.total.cost) before poli types the next message. At
 * 80 % poli warns once; at 100 % the next message is held and the task waits (reason budget) until the limit is raised.
 * Pure: spend and limit in, the step to take and the budget's next state out.
 */
import type { UsageTotals } from './types.ts';
import { formatUsd } from './format.ts';

/** The share of the limit at which poli warns (once). */
export const BUDGET_WARN_SHARE = 0.8;

/** A budget and how far it got: `warned` once 80 % was spent (or once told it cannot be enforced), `reached` at 100 %. */
export interface BudgetState {
  /** USD. */
  limit: number;
  warned?: boolean;
  reached?: boolean;
}

/**
 * What was spent so far: USD (a lower bound when `complete` is false: some call's price is unknown), or `null` when
 * no cost is known although the CLIs answered (no usage read, or no price for the model): the budget cannot be
 * enforced, and poli never pauses on a guess. `undefined`: nothing spent yet (before the first turn).
 */
export type Spend = { usd: number; complete: boolean } | null | undefined;

/**
 * The step before the next message: `go`, `warn` (80 % reached: tell once, then go), `unknown` (the cost is not
 * known: tell once that the budget cannot be enforced, then go) or `reached` (hold the message).
 */
export type BudgetStep =
  | { kind: 'go' }
  | { kind: 'warn'; spent: number; limit: number }
  | { kind: 'unknown'; limit: number }
  | { kind: 'reached'; spent: number; limit: number; complete: boolean };

/** Decides the step for `spend` under `budget`, and the budget's state after it. No budget: always `go`. */
export function checkBudget(spend: Spend, budget: BudgetState | undefined): { step: BudgetStep; next: BudgetState | undefined } {
  if (budget === undefined) return { step: { kind: 'go' }, next: undefined };
  const { limit } = budget;
  if (spend === null) {
    if (budget.warned) return { step: { kind: 'go' }, next: budget };
    return { step: { kind: 'unknown', limit }, next: { ...budget, warned: true } };
  }
  const spent = spend?.usd ?? 0;
  if (spent >= limit) {
    return { step: { kind: 'reached', spent, limit, complete: spend?.complete ?? true }, next: { ...budget, warned: true, reached: true } };
  }
  if (spent >= limit * BUDGET_WARN_SHARE && !budget.warned) return { step: { kind: 'warn', spent, limit }, next: { ...budget, warned: true } };
  return { step: { kind: 'go' }, next: budget.reached ? { ...budget, reached: false } : budget };
}

/**
 * A budget raised to `limit` (`poli resume T7 --budget 8`): not reached any more, and warned again at 80 % of the new
 * limit unless that is spent already (then the warning would only repeat what the person just read).
 */
export function raiseBudget(limit: number, spent: number | undefined): BudgetState {
  return { limit, ...(spent !== undefined && spent >= limit * BUDGET_WARN_SHARE ? { warned: true } : {}) };
}


/** The line poli prints and records for a step (what `budget` names: `its budget`, `the queue budget`). */
export function describeBudgetStep(step: Exclude<BudgetStep, { kind: 'go' }>, what: string): string {
  switch (step.kind) {
    case 'warn':
      return `${formatUsd(step.spent)} of ${what} ${formatUsd(step.limit)} spent (${Math.floor((step.spent / step.limit) * 100)} %); at ${formatUsd(step.limit)} the task waits`;
    case 'unknown':
      return `${what} ${formatUsd(step.limit)} cannot be enforced: the cost of the CLIs' calls is not known (no usage read, or no price for the model); poli does not pause on a guess`;
    case 'reached':
      return `${what} ${formatUsd(step.limit)} is spent (${step.complete ? '' : 'at least '}${formatUsd(step.spent)})`;
  }
}

/**
 * Parses a budget given on the command line (`5`, `5.00`, `$5`): a positive number of USD.
 * @returns the amount, or the reason it is not one.
 */
export function parseBudget(text: string): number | string {
  const trimmed = text.trim().replace(/^\$/, '');
  if (!/^\d+(\.\d+)?$/.test(trimmed) || Number(trimmed) <= 0) return `a budget is an amount of US dollars above 0, e.g. 5 or 5.00; got ${JSON.stringify(text)}`;
  return Number(trimmed);
}

/**
 * What a task spent, from its usage totals: `undefined` before any CLI answered; `null` once one did and no cost is
 * known (no usage recorded at all, or no price for any call).
 */
export function spendOf(total: UsageTotals | undefined, answered: boolean): Spend {
  if (total === undefined) return answered ? null : undefined;
  if (total.cost === null) return total.calls === 0 && !answered ? undefined : null;
  return { usd: total.cost, complete: total.costComplete };
}
