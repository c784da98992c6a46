/**
 * Token usage in the public view (`poli --state --json`, issue 22): only where some is known, so the output of tasks
 * without any stays as it was.
 */
import { sumTotals } from '../usage/totals.ts';
import type { UsageTotals } from '../usage/types.ts';
import type { TaskRecord } from './types.ts';

/** The sum over the tasks listed, when any has usage. */
export function queueUsage(tasks: readonly TaskRecord[]): { usage?: UsageTotals } {
  const used = tasks.flatMap((t) => (t.usage ? [t.usage.total] : []));
  return used.length > 0 ? { usage: sumTotals(used) } : {};
}

/**
 * The usage of the turn a message to a CLI caused there (a message to poli caused none). poli's own messages are typed
 * under their id; the PLANNER's plan is recorded under the PLANNER's id but typed into the EXECUTER under a new one:
 * the first delivery of its type to its CLI after it.
 */
export function messageUsage(t: TaskRecord, index: number): { usage?: UsageTotals } {
  const m = t.messages[index];
  if (!t.usage || !m || (m.to !== 'PLANNER' && m.to !== 'EXECUTER')) return {};
  const typedAs = m.from === 'ORCHESTRATOR' || m.from === 'HUMAN' ? m.id : t.deliveries?.find((d) => d.to === m.to && d.type === m.type && d.after > index)?.id;
  const turn = typedAs === undefined ? undefined : t.usage.byMessage[typedAs];
  return turn ? { usage: turn } : {};
}
