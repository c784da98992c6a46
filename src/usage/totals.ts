/**
 * Sums of API calls (issue 22): per task, per role, per poli message, and a queue's sum of tasks. Pure; the price of
 * a call comes from an injected `costOf` (src/usage/prices.ts). Costs are summed as integer micro-dollars, so a sum
 * is exact, and shown in dollars.
 */
import type { Role } from '../protocol/types.ts';
import { attributionKey } from './attribute.ts';
import type { AttributedCall, TokenCounts, UsageCall, UsageTotals } from './types.ts';

/** What a call cost: micro-dollars (null: no price), whether every part was priced, and what was missing. */
export interface CallCost {
  micros: number | null;
  complete: boolean;
  missing?: string;
}

/** Prices one call (prices.ts PriceTable.costOf). */
export type CostOf = (call: UsageCall) => CallCost;

/** Until a price table is wired in: every cost unknown, never 0. */
export const NO_PRICES: CostOf = () => ({ micros: null, complete: false });

/** A call with its cost, as one line of `<stateDir>/usage/<taskId>.jsonl`. */
export interface PricedCall extends AttributedCall {
  costMicros: number | null;
  costComplete: boolean;
}

/** The sums of one task's calls, without the price table's name (the caller knows it). */
export interface UsageFold {
  total: UsageTotals;
  byRole: Partial<Record<Role, UsageTotals>>;
  byMessage: Record<string, UsageTotals>;
  unknown: string[];
}

const COUNT_KEYS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
const COUNT_WORDS: Record<(typeof COUNT_KEYS)[number], string> = {
  input: 'input',
  output: 'output',
  cacheRead: 'cache-read',
  cacheWrite: 'cache-write',
};

/** The call with its cost. */
export function priceCall(call: AttributedCall, costOf: CostOf): PricedCall {
  const cost = costOf(call);
  return { ...call, costMicros: cost.micros, costComplete: cost.micros !== null && cost.complete };
}

/** Nothing summed yet. */
export function emptyTotals(): UsageTotals {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, calls: 0, cost: null, costComplete: true, models: [] };
}

/** Micro-dollars of a total's cost, exact again (the cost is a dollar figure made from micros). */
function microsOf(totals: UsageTotals): number | null {
  return totals.cost === null ? null : Math.round(totals.cost * 1e6);
}

function addCounts(a: TokenCounts, b: TokenCounts): TokenCounts {
  const sum = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y);
  return { input: sum(a.input, b.input), output: sum(a.output, b.output), cacheRead: sum(a.cacheRead, b.cacheRead), cacheWrite: sum(a.cacheWrite, b.cacheWrite) };
}

/** Two sums as one (a queue is the sum of its tasks). An unknown count stays unknown; a missing cost makes it a lower bound. */
export function addTotals(a: UsageTotals, b: UsageTotals): UsageTotals {
  const ma = microsOf(a);
  const mb = microsOf(b);
  const micros = ma === null && mb === null ? null : (ma ?? 0) + (mb ?? 0);
  // A side with calls but no known cost leaves the sum incomplete; an empty side changes nothing.
  const complete = (b.calls === 0 || b.costComplete) && (a.calls === 0 || a.costComplete);
  return {
    ...addCounts(a, b),
    calls: a.calls + b.calls,
    cost: micros === null ? null : micros / 1e6,
    costComplete: complete,
    models: [...new Set([...a.models, ...b.models])].sort(),
  };
}

/** One priced call as a total of one. */
export function totalsOf(call: PricedCall): UsageTotals {
  const { input, output, cacheRead, cacheWrite } = call.counts;
  return {
    input, output, cacheRead, cacheWrite,
    calls: 1,
    cost: call.costMicros === null ? null : call.costMicros / 1e6,
    costComplete: call.costMicros !== null && call.costComplete,
    models: call.model === null ? [] : [call.model],
  };
}

/** The sum of any number of totals. */
export function sumTotals(all: readonly UsageTotals[]): UsageTotals {
  return all.reduce(addTotals, emptyTotals());
}

/**
 * Folds a task's calls (each once: the caller dedupes) into its totals per task, role and message, and says in
 * words what is unknown: a count a CLI does not record, a call no price was found for.
 */
export function foldCalls(calls: readonly PricedCall[], costOf: CostOf): UsageFold {
  const fold: UsageFold = { total: emptyTotals(), byRole: {}, byMessage: {}, unknown: [] };
  const unknown = new Set<string>();
  for (const call of calls) {
    const one = totalsOf(call);
    fold.total = addTotals(fold.total, one);
    fold.byRole[call.role] = addTotals(fold.byRole[call.role] ?? emptyTotals(), one);
    const key = attributionKey(call.attribution, call.role);
    fold.byMessage[key] = addTotals(fold.byMessage[key] ?? emptyTotals(), one);
    for (const word of unknownOf(call, costOf)) unknown.add(word);
  }
  fold.unknown = [...unknown].sort();
  return fold;
}

function unknownOf(call: PricedCall, costOf: CostOf): string[] {
  const words = COUNT_KEYS.filter((key) => call.counts[key] === null).map(
    (key) => `${call.role} (${call.cli}) records no ${COUNT_WORDS[key]} tokens`,
  );
  if (!call.costComplete) {
    const missing = costOf(call).missing;
    words.push(missing ?? (call.model === null ? `${call.role} (${call.cli}) names no model: no price` : `no price for ${call.model}`));
  }
  return words;
}
