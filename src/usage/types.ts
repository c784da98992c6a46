/**
 * Token usage of the CLIs, as each records it in its own transcript (issue 22). The contract between the per-CLI
 * parsers (src/profiles/usage/), the ledger that reads and attributes (src/usage/ledger.ts), prices (src/usage/prices.ts),
 * totals (src/usage/totals.ts) and what poli records and shows.
 */

/**
 * The tokens of one API call, normalised to four disjoint numbers whatever the API counts: `input` is the prompt
 * tokens neither read from nor written to the cache, `output` includes reasoning/thoughts, `cacheRead` and
 * `cacheWrite` the cached prompt tokens. `null`: the CLI does not record that number (unknown, never guessed).
 */
export interface TokenCounts {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  /**
   * Of `cacheWrite`, the tokens written with a one-hour lifetime (Claude's `ephemeral_1h_input_tokens`), which cost
   * more than five-minute writes; absent where the CLI does not tell them apart. Priced, not summed into totals.
   */
  cacheWrite1h?: number;
}

/** One API call as a CLI's transcript records it. */
export interface UsageCall {
  /** The CLI's own id of the call (Claude message.id, Codex response_id, …): a call written twice is counted once. */
  callId: string;
  /** The model the CLI names for the call; null when the transcript names none. */
  model: string | null;
  counts: TokenCounts;
}

/**
 * What a parser finds in one transcript record: a prompt typed into the CLI (its text, to attribute the calls that
 * follow it to the poli message it starts with), or an API call's usage.
 */
export type UsageEntry = { kind: 'prompt'; text: string } | ({ kind: 'call' } & UsageCall);

/**
 * Reads one CLI's transcript records in file order. Stateful where the CLI spreads one call over several records
 * (Codex names the model in `turn_context`, before the calls of its turn): one parser per transcript file.
 */
export interface UsageParser {
  feed(record: unknown): UsageEntry[];
}

/** Where a call's cost is charged: the poli message whose turn made it, or what else started the turn. */
export type Attribution =
  | { via: 'header' | 'reminder'; messageId: string }
  | { via: 'primer' | 'unattributed' };

/** A call with the role of the pane that made it and the turn it belongs to. */
export interface AttributedCall extends UsageCall {
  role: 'PLANNER' | 'EXECUTER';
  /** The CLI's profile name (claude, codex, …). */
  cli: string;
  attribution: Attribution;
  /** ISO 8601 time poli read it. */
  at: string;
}

/** A sum of calls. A count is null when any call summed left it unknown; `cost` null when no price was known. */
export interface UsageTotals extends TokenCounts {
  calls: number;
  /** US dollars, computed from integer micro-dollars; null: no call's cost known. */
  cost: number | null;
  /** False when some call's cost (or a part of it) is unknown: then `cost` is a lower bound. */
  costComplete: boolean;
  models: string[];
}
