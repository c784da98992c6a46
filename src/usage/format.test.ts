import { describe, expect, it } from 'vitest';
import { formatCost, formatTokenLine } from './format.ts';

describe('formatCost', () => {
  it.each([
    [1.234, true, '$1.23'],
    [0.0042, true, '$0.0042'],
    [0, true, '$0.00'],
    [2.5, false, '≥$2.50'],
    [null, false, '—'],
  ] as const)('%s (complete %s) → %s', (usd, complete, text) => {
    expect(formatCost(usd, complete)).toBe(text);
  });
});

describe('formatTokenLine', () => {
  it('names every count, unknown where the CLI records none, and the models', () => {
    const line = formatTokenLine({ calls: 3, input: 1234, output: 567, cacheRead: 12_345, cacheWrite: null, cost: 0.01, costComplete: false, models: ['gemini-3.8-flash'] });
    expect(line).toBe('3 calls · input 1,234 · output 567 · cache read 12,345 · cache write unknown · gemini-3.8-flash');
  });
});
