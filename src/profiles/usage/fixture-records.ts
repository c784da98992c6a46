/** Test support: the records of a usage fixture (real transcript lines in src/profiles/fixtures/usage/), parsed. */
import { readFileSync } from 'node:fs';
import type { UsageEntry, UsageParser } from '../../usage/types.ts';

export function fixtureRecords(name: string): unknown[] {
  return readFileSync(new URL(`../fixtures/usage/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** Everything a parser finds in `records`, in order. */
export function feedAll(parser: UsageParser, records: readonly unknown[]): UsageEntry[] {
  return records.flatMap((record) => parser.feed(record));
}

/** The prompt the chat CLIs' usage probe typed (test/real-cli/usage-probe-chat.ts). */
export const PROBE_PROMPT = '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1-R1-probe1"}]]\nusage probe: run touch y, then say done.\n[[/POLI:MSG]]';
