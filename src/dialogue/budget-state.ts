/**
 * The dialogue's budget part as state (budget-gate.ts acts on it): the message held for the budget, the queue budget's
 * word from `poli work`, a raise not applied yet; and where the budget and spend are read. Apart from budget-gate.ts so
 * that the dialogue's core can hold it without a cycle.
 */
import type { ControlCommand } from '../human/control.ts';
import type { BudgetState } from '../usage/budget.ts';
import type { UsageTotals } from '../usage/types.ts';

/** A message poli holds: what the dialogue needs to type it later (core.ts Outgoing, structurally). */
interface HeldMessage {
  to: 'PLANNER' | 'EXECUTER';
  id: string;
}

/** Where the dialogue reads the task's budget and spend, and records the budget's state (the task record). */
export interface BudgetSource {
  read(): Promise<{ budget: BudgetState | undefined; total: UsageTotals | undefined }>;
  write(budget: BudgetState): Promise<void>;
}

/** What a budget notice says, for the event stream. */
export interface BudgetNotice {
  level: 'warn' | 'reached' | 'raised' | 'unknown';
  spent: number | null;
  limit: number;
  scope: 'task' | 'queue';
}

/** The dialogue's budget part: the message held for the budget, the queue budget's word, a raise not yet applied. */
export class BudgetGate<M extends HeldMessage = HeldMessage> {
  /** The message poli did not type because the budget is spent; typed once the limit is raised. */
  held: M | null = null;
  /** The run's --queue-budget is spent (from `poli work`): no message goes out until it is raised. */
  queue: { spent: number | null; limit: number } | null = null;
  /** `poli resume --budget N` arrived: applied at the loop's next look. */
  raisedTo: number | undefined;
  /** The queue budget was raised (to this limit) while a message may be held: look again. */
  queueLifted: number | undefined;

  /** Takes the budget's commands among the person's (and the worker's). */
  take(commands: readonly ControlCommand[]): void {
    for (const command of commands) {
      if (command.kind === 'resume' && command.budget !== undefined) this.raisedTo = command.budget;
      if (command.kind === 'queue-budget') {
        this.queue = command.reached ? { spent: command.spent, limit: command.limit } : null;
        if (!command.reached) this.queueLifted = command.limit;
      }
    }
  }
}
