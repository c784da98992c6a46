/**
 * What the real-CLI tests compare for token usage (issue 22): the sums of what a fake model server reported for the
 * main turns it answered, and the totals poli recorded for a role in `--state --json`. Side requests (titles,
 * routers) are left out of the served sums: the CLIs write them nowhere, so poli cannot count them (and must not).
 */
import type { Role } from '../../src/protocol/types.ts';
import type { FakeServer } from './fake-server.ts';

/** Four counts and the number of calls; a count is null where the CLI cannot know it. */
export interface UsageSums {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  calls: number;
}

/** What a CLI cannot record of what the server reported: Gemini's API has no cache-write count. */
export interface SumOptions {
  cacheWrite?: 'unknown';
}

/** The sums of every main turn's usage `server` reported, as poli should have read them. */
export function servedTurnSums(server: FakeServer, options: SumOptions = {}): UsageSums {
  const turns = server.served.filter((served) => served.kind === 'turn');
  const sum = (pick: (usage: (typeof turns)[number]['usage']) => number) => turns.reduce((total, served) => total + pick(served.usage), 0);
  return {
    input: sum((u) => u.input),
    output: sum((u) => u.output),
    cacheRead: sum((u) => u.cacheRead),
    cacheWrite: options.cacheWrite === 'unknown' ? null : sum((u) => u.cacheWrite),
    calls: turns.length,
  };
}

/** The shape of the usage part of a task in `--state --json` this file reads (the record has more). */
interface RecordedTask {
  usage?: { byRole?: Partial<Record<Role, UsageSums & Record<string, unknown>>> };
}

/** The four counts and calls poli recorded for `role` on `task` (undefined when it recorded no usage for it). */
export function recordedSums(task: unknown, role: Role): UsageSums | undefined {
  const totals = (task as RecordedTask | undefined)?.usage?.byRole?.[role];
  if (!totals) return undefined;
  const { input, output, cacheRead, cacheWrite, calls } = totals;
  return { input, output, cacheRead, cacheWrite, calls };
}

/** The models poli recorded for `role` on `task`. */
export function recordedModels(task: unknown, role: Role): unknown {
  return (task as RecordedTask | undefined)?.usage?.byRole?.[role]?.models;
}
