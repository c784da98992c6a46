/**
 * How poli shows tokens and cost to a person (`--state`, `poli status`, the transcript): one wording everywhere.
 * Pure: totals in, text out.
 */
import type { UsageTotals } from './types.ts';

/**
 * A cost in US dollars: `$1.23`, `$0.0042` under a cent (one short turn costs that), `≥$1.23` when some part is
 * unknown (a lower bound), `—` when nothing could be priced.
 */
export function formatCost(usd: number | null, complete: boolean): string {
  if (usd === null) return '—';
  const text = usd !== 0 && Math.abs(usd) < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
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
