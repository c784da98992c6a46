/**
 * How poli shows tokens and cost to a person (`--state`, `poli status`, the transcript): one wording everywhere.
 * Pure: totals in, text out.
 */
import type { UsageTotals } from './types.ts';

/**
 * US dollars: `$5.00` from a dollar up; below it to a hundredth of a cent, trailing zeros trimmed to two decimals
 * (`$0.03`, `$0.015`, `$0.0042`): one short turn costs less than a cent, and a budget of `$0.015` must not read as
 * `$0.01` beside a spend of `$0.02`.
 */
export function formatUsd(usd: number): string {
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toFixed(4).replace(/(\.\d\d\d?)0+$/, '$1').replace(/(\.\d\d)0$/, '$1')}`;
}

/**
 * A cost in US dollars as `formatUsd` writes it, `≥$1.23` when some part is unknown (a lower bound), `—` when
 * nothing could be priced.
 */
export function formatCost(usd: number | null, complete: boolean): string {
  if (usd === null) return '—';
  const text = formatUsd(usd);
  return complete ? text : `≥${text}`;
}

/** The cost of a sum of calls, as `formatCost` writes it. */
export function formatTotalsCost(totals: UsageTotals): string {
  return formatCost(totals.cost, totals.costComplete);
}

/** A token count with thousands separators (`12,345`), `unknown` when the CLI does not record it. */
export function formatTokens(count: number | null): string {
  return count === null ? 'unknown' : count.toLocaleString('en-US');
}

/** `4 calls · input 1,234 · output 567 · cache read 12,345 · cache write unknown · claude-fake, gpt-fake`. */
export function formatTokenLine(totals: UsageTotals): string {
  const parts = [
    `${totals.calls} ${totals.calls === 1 ? 'call' : 'calls'}`,
    `input ${formatTokens(totals.input)}`,
    `output ${formatTokens(totals.output)}`,
    `cache read ${formatTokens(totals.cacheRead)}`,
    `cache write ${formatTokens(totals.cacheWrite)}`,
  ];
  if (totals.models.length > 0) parts.push(totals.models.join(', '));
  return parts.join(' · ');
}

/** A task's sum and its sum per role, as recorded (`TaskUsage` in the state's types has this shape and more). */
export interface RoleTotals {
  total: UsageTotals;
  byRole: Partial<Record<'PLANNER' | 'EXECUTER', UsageTotals>>;
}

/** `$1.23 (PLANNER $0.80, EXECUTER $0.43) · 12 calls · input … · models`: one wording for --state, the transcript and poli's end line. */
export function formatUsageSummary(usage: RoleTotals): string {
  const roles = (['PLANNER', 'EXECUTER'] as const).flatMap((r) => {
    const totals = usage.byRole[r];
    return totals ? [`${r} ${formatTotalsCost(totals)}`] : [];
  });
  return `${formatTotalsCost(usage.total)}${roles.length > 0 ? ` (${roles.join(', ')})` : ''} · ${formatTokenLine(usage.total)}`;
}
