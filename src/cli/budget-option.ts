/** `--budget` and `--queue-budget` on the command line (issue 22, item 3): USD above 0. */
import { ConfigError } from '../errors.ts';
import { parseBudget } from '../usage/budget.ts';

/** `--budget 5.00` / `--queue-budget 30`: USD above 0, or undefined when not given. */
export function budgetOption(parsed: Record<string, unknown>, flag: 'budget' | 'queue-budget'): number | undefined {
  const value = parsed[flag];
  if (value === undefined) return undefined;
  const amount = parseBudget(String(value));
  if (typeof amount === 'string') throw new ConfigError(`--${flag}: ${amount}`);
  return amount;
}
