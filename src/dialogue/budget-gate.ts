/**
 * Budgets that pause rather than kill (issue 22, item 3), acted on in the dialogue: before poli types the next message
 * it reads what the task spent; at 80 % of --budget it warns once, at 100 % (or when `poli work` says the run's
 * --queue-budget is spent) it holds the message and the task waits (status `waiting`, kind `budget`) with its CLIs,
 * panes and context as they are. `poli resume T7 --budget 8` raises the limit and the held message goes out. The
 * decisions are the pure src/usage/budget.ts; the held time keeps the timeouts still meanwhile, like a pause.
 */
import { checkBudget, describeBudgetStep, raiseBudget, spendOf } from '../usage/budget.ts';
import { formatUsd } from '../usage/format.ts';
import type { BudgetState } from '../usage/budget.ts';
import type { BudgetNotice } from './budget-state.ts';
import type { DialogueCore, Outgoing } from './core.ts';

export { BudgetGate, type BudgetNotice, type BudgetSource } from './budget-state.ts';

/** The task's words for its budgets. */
const TASK_BUDGET = 'its budget';
const QUEUE_BUDGET = 'the queue budget';

/**
 * Before `message` is typed: warns at 80 % (once), says once that an unknown cost cannot be enforced, and holds the
 * message at 100 % or while the queue budget is spent. True when it was held (not typed).
 */
export async function holdForBudget(d: DialogueCore, message: Outgoing): Promise<boolean> {
  const gate = d.budget;
  await applyRaise(d);
  const source = d.options.budget;
  if (source) {
    const { budget, total } = await source.read();
    const { step, next } = checkBudget(spendOf(total, d.sent.issued.size > 0), budget);
    if (next && !sameBudget(next, budget)) await source.write(next);
    if (step.kind === 'warn' || step.kind === 'unknown') {
      const spent = step.kind === 'warn' ? step.spent : null;
      d.notice('budget', `budget: ${describeBudgetStep(step, TASK_BUDGET)}`, message.id, undefined, { level: step.kind, spent, limit: step.limit, scope: 'task' });
    }
    if (step.kind === 'reached') {
      await hold(d, message, describeBudgetStep(step, TASK_BUDGET), { level: 'reached', spent: step.spent, limit: step.limit, scope: 'task' });
      return true;
    }
  }
  if (gate.queue) {
    const { spent, limit } = gate.queue;
    const words = `${QUEUE_BUDGET} ${formatUsd(limit)} of this poli work run is spent${spent === null ? '' : ` (${formatUsd(spent)})`}`;
    await hold(d, message, words, { level: 'reached', spent, limit, scope: 'queue' });
    return true;
  }
  return false;
}

/**
 * While a message is held: a raised budget (or queue budget) lets it go out, if the spend is under the new limit.
 * Called at each look of the loop; returns true when the held message went out.
 */
export async function releaseForBudget(d: DialogueCore): Promise<boolean> {
  const gate = d.budget;
  const message = gate.held;
  const raised = gate.raisedTo;
  const lifted = gate.queueLifted;
  if (!message || (raised === undefined && lifted === undefined)) return false;
  gate.queueLifted = undefined;
  gate.held = null;
  // The wait ends for now; the gate holds it again (a new wait) when the new limit is spent too.
  await d.options.recorder.waiting?.(null);
  if (await holdForBudget(d, message)) return false;
  const scope = raised !== undefined ? 'task' : 'queue';
  const limit = raised ?? lifted ?? 0;
  const total = (await d.options.budget?.read())?.total;
  const what = scope === 'task' ? TASK_BUDGET : QUEUE_BUDGET;
  d.notice('budget', `budget: ${what} is raised to ${formatUsd(limit)}; sending message ${message.id} to the ${message.to}`, message.id, undefined, {
    level: 'raised',
    spent: total?.cost ?? null,
    limit,
    scope,
  });
  await d.send(message);
  return true;
}

/** A `poli resume --budget N` not applied yet: the task's budget becomes N (recorded), unreached. */
async function applyRaise(d: DialogueCore): Promise<void> {
  const gate = d.budget;
  const source = d.options.budget;
  const limit = gate.raisedTo;
  if (limit === undefined || !source) return;
  gate.raisedTo = undefined;
  const { total } = await source.read();
  await source.write(raiseBudget(limit, total?.cost ?? undefined));
}

/** Holds `message`: recorded as a wait (status `waiting`, kind `budget`) and told. */
async function hold(d: DialogueCore, message: Outgoing, words: string, notice: BudgetNotice): Promise<void> {
  d.budget.held = message;
  const how = notice.scope === 'task' ? `poli resume ${taskOf(message.id)} --budget N raises it` : 'poli resume --queue-budget N raises it';
  const reason = `${words}: message ${message.id} to the ${message.to} waits, its CLIs keep their context; ${how}`;
  await d.options.recorder.waiting?.({ kind: 'budget', role: message.to, reason, since: new Date(d.clock.now()).toISOString(), until: null });
  d.notice('budget', `waiting: ${reason}`, message.id, undefined, notice);
}

/** `T7` of a message id `T7-R2-ab12cd`. */
function taskOf(id: string): string {
  return /^T\d+/.exec(id)?.[0] ?? 'T?';
}

function sameBudget(a: BudgetState, b: BudgetState | undefined): boolean {
  return b !== undefined && a.limit === b.limit && Boolean(a.warned) === Boolean(b.warned) && Boolean(a.reached) === Boolean(b.reached);
}
