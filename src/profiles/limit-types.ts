/**
 * What a limit reader returns: the kinds of refusal a CLI's screen shows, and the reader's signature. Kept apart from
 * limit-screens.ts (Claude Code, Codex, Gemini CLI, and the choice of reader) and limit-screens-more.ts (the CLIs on
 * OpenAI-compatible APIs) so that both use them without importing each other.
 */
import type { LimitClock } from './reset-time.ts';

export type LimitKind =
  /** The account's usage limit: no more turns until `resetAt` (when shown). */
  | 'usage'
  /** A rate limit, an overload or another passing error the CLI is retrying by itself. */
  | 'retrying'
  /** The CLI gave up on the request: its error line is the last thing after the prompt. */
  | 'failed'
  /** The login expired or the key is invalid: a person must log in. */
  | 'auth'
  /** The context is being compacted (the CLI goes on by itself). */
  | 'compacting'
  /** The context is full: the CLI cannot go on in this conversation. */
  | 'context_full';

export interface LimitScreen {
  kind: LimitKind;
  /** The CLI's own line saying so (trimmed), for reasons and logs. */
  line: string;
  /** usage: when the limit resets (ms since the epoch), when the screen shows it. */
  resetAt?: number;
  /** usage: the reset time as the screen shows it (`7:30am (UTC)`, `Dec 1st, 2026 5:11 AM`). */
  resetText?: string;
  /** usage: the reset time is shown to the second (a provider's ISO 8601 time), not to the minute. */
  resetExact?: boolean;
  /** usage: the CLI will continue by itself after the reset (Claude's automatic continue). */
  autoContinue?: boolean;
  /** usage: a dialog waits for a key (Claude's "What do you want to do?", Gemini's "Keep trying / Stop"). */
  dialog?: boolean;
  /** retrying: attempt k of n, when shown. */
  attempt?: { k: number; of: number };
  /** retrying: the CLI's own countdown to its next try, seconds (Claude only). */
  retryInSec?: number;
}

export type LimitReader = (bottomLines: readonly string[], clock: LimitClock) => LimitScreen | undefined;
