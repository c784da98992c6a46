import { describe, expect, it } from 'vitest';
import { checkBudget, describeBudgetStep, parseBudget, raiseBudget, spendOf } from './budget.ts';
import { formatUsd } from './format.ts';
import type { UsageTotals } from './types.ts';

const totals = (cost: number | null, costComplete = true, calls = 2): UsageTotals => ({
  input: 100,
  output: 20,
  cacheRead: 0,
  cacheWrite: 0,
  calls,
  cost,
  costComplete,
  models: ['mock-model'],
});

describe('checkBudget', () => {
  it('lets everything go without a budget', () => {
    expect(checkBudget({ usd: 100, complete: true }, undefined)).toEqual({ step: { kind: 'go' }, next: undefined });
  });

  it('goes under 80 %, and before anything was spent', () => {
    expect(checkBudget({ usd: 3.99, complete: true }, { limit: 5 })).toEqual({ step: { kind: 'go' }, next: { limit: 5 } });
    expect(checkBudget(undefined, { limit: 5 })).toEqual({ step: { kind: 'go' }, next: { limit: 5 } });
  });

  it('warns once at 80 %', () => {
    const first = checkBudget({ usd: 4, complete: true }, { limit: 5 });
    expect(first).toEqual({ step: { kind: 'warn', spent: 4, limit: 5 }, next: { limit: 5, warned: true } });
    expect(checkBudget({ usd: 4.5, complete: true }, first.next)).toEqual({ step: { kind: 'go' }, next: { limit: 5, warned: true } });
  });

  it('is reached at 100 %, on a lower bound too (an incomplete cost is at least that)', () => {
    expect(checkBudget({ usd: 5, complete: true }, { limit: 5 })).toEqual({
      step: { kind: 'reached', spent: 5, limit: 5, complete: true },
      next: { limit: 5, warned: true, reached: true },
    });
    expect(checkBudget({ usd: 6.2, complete: false }, { limit: 5, warned: true }).step).toEqual({ kind: 'reached', spent: 6.2, limit: 5, complete: false });
  });

  it('says once that an unknown cost cannot be enforced, and never holds on it', () => {
    const first = checkBudget(null, { limit: 5 });
    expect(first).toEqual({ step: { kind: 'unknown', limit: 5 }, next: { limit: 5, warned: true } });
    expect(checkBudget(null, first.next)).toEqual({ step: { kind: 'go' }, next: { limit: 5, warned: true } });
  });

  it('goes again once the limit is above the spend', () => {
    expect(checkBudget({ usd: 5.5, complete: true }, { limit: 8, warned: false, reached: true })).toEqual({ step: { kind: 'go' }, next: { limit: 8, warned: false, reached: false } });
  });
});

describe('raiseBudget', () => {
  it('starts the new limit unreached, warning again at its 80 % unless that is spent already', () => {
    expect(raiseBudget(8, 5.2)).toEqual({ limit: 8 });
    expect(raiseBudget(6, 5.2)).toEqual({ limit: 6, warned: true });
    expect(raiseBudget(6, undefined)).toEqual({ limit: 6 });
  });
});

describe('spendOf', () => {
  it('reads the total cost, unknown when no cost is known once a CLI answered', () => {
    expect(spendOf(undefined, false)).toBeUndefined();
    expect(spendOf(undefined, true)).toBeNull();
    expect(spendOf(totals(null), true)).toBeNull();
    expect(spendOf(totals(1.25, false), true)).toEqual({ usd: 1.25, complete: false });
    expect(spendOf(totals(0.5), false)).toEqual({ usd: 0.5, complete: true });
  });
});

describe('words', () => {
  it('formats amounts in USD, small ones with four decimals', () => {
    expect(formatUsd(5)).toBe('$5.00');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(0)).toBe('$0.00');
  });

  it('describes each step', () => {
    expect(describeBudgetStep({ kind: 'warn', spent: 4.1, limit: 5 }, 'its budget')).toBe('$4.10 of its budget $5.00 spent (82 %); at $5.00 the task waits');
    expect(describeBudgetStep({ kind: 'reached', spent: 5.2, limit: 5, complete: false }, 'its budget')).toBe('its budget $5.00 is spent (at least $5.20)');
    expect(describeBudgetStep({ kind: 'unknown', limit: 5 }, 'the queue budget')).toBe(
      "the queue budget $5.00 cannot be enforced: the cost of the CLIs' calls is not known (no usage read, or no price for the model); poli does not pause on a guess",
    );
  });

  it('parses budgets from the command line', () => {
    expect(parseBudget('5')).toBe(5);
    expect(parseBudget('5.00')).toBe(5);
    expect(parseBudget('$0.50')).toBe(0.5);
    expect(parseBudget('0')).toBe('a budget is an amount of US dollars above 0, e.g. 5 or 5.00; got "0"');
    expect(parseBudget('five')).toBe('a budget is an amount of US dollars above 0, e.g. 5 or 5.00; got "five"');
  });
});
