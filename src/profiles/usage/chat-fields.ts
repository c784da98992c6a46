/**
 * Small readers for the loosely typed JSON records of the CLIs that speak Chat Completions (Qwen Code, opencode, pi,
 * GitHub Copilot CLI): their usage parsers take numbers and texts out of records that may lack them.
 */

import { isObject, tokenCount as countOrUndefined } from './record.ts';

export { isObject };

/** A token count (record.ts's rule), rounded, or null when the field is absent or not a count: TokenCounts' unknown. */
export function tokenCount(value: unknown): number | null {
  const count = countOrUndefined(value);
  return count === undefined ? null : Math.round(count);
}

/** A non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `a − b` for the APIs that count cached tokens inside the prompt; null when either is unknown, never below 0. */
export function minus(a: number | null, ...b: (number | null)[]): number | null {
  if (a === null || b.some((n) => n === null)) return null;
  return Math.max(0, b.reduce<number>((left, n) => left - (n ?? 0), a));
}

/** The `text` of each part (`[{text}]` or `[{type:'text', text}]`) joined, or a plain string as it is. */
export function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isObject(part) && typeof part.text === 'string' && (part.type === undefined || part.type === 'text') && part.thought !== true ? part.text : ''))
    .join('');
}
