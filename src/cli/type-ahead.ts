/**
 * Type-ahead at the interactive prompt: text typed at poli's terminal while a task ran is shown and confirmed before
 * it starts a task (it used to start one unseen, its echo lost among the progress lines).
 */
import type { LineInput } from '../terminal/line-input.ts';

export const TYPE_AHEAD_QUESTION = 'Start it as the next task? [y/N] ';

/**
 * The type-ahead to run as the next task once the person confirmed it, or null (none, or declined). Entries typed
 * apart are shown and started together, as one text.
 */
export async function confirmTypeAhead(input: LineInput, say: (line: string) => void): Promise<string | null> {
  const typed = input
    .takeTypeAhead()
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (typed.length === 0) return null;
  const text = typed.join('\n');
  say('poli: you typed this while the last task ran:');
  for (const line of text.split('\n')) say(`  ${line}`);
  const answer = await input.question(TYPE_AHEAD_QUESTION);
  if (answer !== null && /^y(es)?$/i.test(answer.trim())) return text;
  say('poli: not started.');
  return null;
}
