/**
 * Durations from an injected {@link Clock}: measured on its monotonic reading, never on wall time, which steps when
 * the system clock is corrected (an NTP correction of an hour would stop every timeout and settle time, or fire them
 * at once).
 */
import type { Clock } from './types.ts';

/** The clock's reading for durations: monotonic when it has one. */
export function monotonicNow(clock: Clock): number {
  return clock.monotonic ? clock.monotonic() : clock.now();
}

/**
 * A clock whose `now()` is the monotonic reading: for code that only ever measures durations with `now()` (the
 * session's readiness and re-read times, the send pipeline, the reply files' settle time).
 */
export function durationClock(clock: Clock): Clock {
  return {
    now: () => monotonicNow(clock),
    sleep: (ms) => clock.sleep(ms),
    ...(clock.monotonic ? { monotonic: () => monotonicNow(clock) } : {}),
  };
}
