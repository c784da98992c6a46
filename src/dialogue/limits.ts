/**
 * What poli does while a CLI cannot answer for reasons of its model API (screens: profiles/limit-screens.ts): how long
 * it waits for a usage limit or a login, and what it says. Pure: times in, times and words out.
 */
import type { Role } from '../protocol/types.ts';
import type { LimitScreen } from '../profiles/limit-screens.ts';

export interface LimitPolicy {
  /** The longest poli waits for one message to get past usage limits or a login (--limit-wait, in ms). */
  limitWaitMs: number;
  /** First wait when the screen shows no reset time, doubled after each limit hit under the same message. */
  backoffFirstMs: number;
  /** The longest single wait when no reset time is shown. */
  backoffMaxMs: number;
  /**
   * Added to a shown reset time before poli looks again: times are shown to the minute, and Claude Code continues by
   * itself 30–90 s after the reset.
   */
  resetGraceMs: number;
  /** How long, per message, timeouts stay paused while the CLI retries a rate limit or an overload by itself. */
  retryHoldMaxMs: number;
}

export const DEFAULT_LIMIT_POLICY: LimitPolicy = {
  limitWaitMs: 6 * 3600_000,
  backoffFirstMs: 5 * 60_000,
  backoffMaxMs: 60 * 60_000,
  resetGraceMs: 60_000,
  retryHoldMaxMs: 15 * 60_000,
};

/** A wait poli is in: the task shows `waiting` with these. */
export interface LimitWait {
  kind: 'usage' | 'auth';
  role: Role;
  /** What poli waits for, in words (shown in progress, events, `--state`, `poli status`). */
  reason: string;
  /** The CLI's own line. */
  line: string;
  /** When the wait began (ms). */
  since: number;
  /** When poli looks at the CLI again (ms); null: when the pane is idle again (a login). */
  until: number | null;
  /** The reset time the screen showed (ms), when it showed one. */
  resetAt?: number;
}

/** Usage-limit waits under one pending message: their number and when the first began. */
export interface LimitEpisode {
  id: string;
  firstSince: number;
  waits: number;
}

/** How long after a reset Claude Code's automatic continue is given before poli types the message again. */
const AUTO_CONTINUE_MS = 150_000;

/** Added to a reset time shown to the second before poli looks again: clocks differ a little. */
const EXACT_RESET_GRACE_MS = 5_000;

export type WaitPlan = { wait: LimitWait } | { giveUp: string };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** HH:MM (UTC) of an instant, for reasons; `Dec 1 05:08 UTC` when it is not on the (UTC) day of `now`. */
export function clockText(ms: number, now: number = ms): string {
  const time = `${new Date(ms).toISOString().slice(11, 16)} UTC`;
  const day = new Date(ms);
  if (day.toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10)) return time;
  return `${MONTHS[day.getUTCMonth()]} ${day.getUTCDate()} ${time}`;
}

/**
 * The wait for a usage limit: until the shown reset time (plus the grace), or on the backoff schedule when none is
 * shown or it passed already, never beyond --limit-wait after the first hit under this message.
 */
export function planUsageWait(screen: LimitScreen, role: Role, now: number, episode: LimitEpisode, policy: LimitPolicy): WaitPlan {
  const deadline = episode.firstSince + policy.limitWaitMs;
  const hours = (policy.limitWaitMs / 3600_000).toFixed(policy.limitWaitMs % 3600_000 === 0 ? 0 : 2);
  if (now >= deadline) {
    return { giveUp: `the ${role} is still at its usage limit after --limit-wait ${hours} h: ${screen.line}` };
  }
  const backoff = Math.min(policy.backoffFirstMs * 2 ** Math.max(0, episode.waits - 1), policy.backoffMaxMs);
  // Claude Code continues by itself 30–90 s after the reset (checked every 30 s): give it the time to.
  // A reset shown to the second (a provider's ISO time) needs no minute of slack.
  const slack = screen.resetExact ? Math.min(policy.resetGraceMs, EXACT_RESET_GRACE_MS) : policy.resetGraceMs;
  const grace = screen.autoContinue ? Math.max(slack, AUTO_CONTINUE_MS) : slack;
  let until = screen.resetAt !== undefined ? screen.resetAt + grace : now + backoff;
  if (until < now + Math.min(backoff, slack)) until = now + Math.min(backoff, slack);
  if (screen.resetAt !== undefined && screen.resetAt > deadline) {
    return {
      giveUp: `the ${role} is at its usage limit until ${clockText(screen.resetAt, now)}, beyond --limit-wait ${hours} h: ${screen.line}`,
    };
  }
  until = Math.min(until, deadline);
  const shown = screen.resetAt !== undefined ? `resets ${screen.resetText ?? clockText(screen.resetAt, now)}` : 'no reset time shown';
  const how = screen.autoContinue ? 'the CLI continues by itself; poli looks again' : 'poli checks it again';
  return {
    wait: {
      kind: 'usage',
      role,
      reason: `the ${role} hit its usage limit (${shown}); ${how} at ${clockText(until, now)}`,
      line: screen.line,
      since: now,
      until,
      ...(screen.resetAt !== undefined ? { resetAt: screen.resetAt } : {}),
    },
  };
}

/** The wait for a person to log in again. */
export function planAuthWait(screen: LimitScreen, role: Role, now: number, program: string, paneId: string, socket: string): LimitWait {
  return {
    kind: 'auth',
    role,
    reason: `log in to ${program} in pane ${paneId} (tmux -L ${socket} attach): ${screen.line}`,
    line: screen.line,
    since: now,
    until: null,
  };
}
