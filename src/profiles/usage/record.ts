/**
 * Small readers shared by the per-CLI usage parsers: transcript records are untyped JSON, and a token count is only a
 * count when it is a finite non-negative number.
 */
import type { TokenCounts } from '../../usage/types.ts';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A token count from a record field: a finite number ≥ 0, else undefined (absent or not a count). */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Whether two calls' counts (and model) are the same, so a record written again adds nothing new. */
export function sameCounts(a: TokenCounts, b: TokenCounts): boolean {
  return a.input === b.input && a.output === b.output && a.cacheRead === b.cacheRead && a.cacheWrite === b.cacheWrite;
}
