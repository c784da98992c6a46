/**
 * Retries and re-sends as a named part of the dialogue: per pending message, the time held while its CLI retried a
 * request by itself, the one re-send it gets after a failed request, and when a failed request's line first showed.
 * Pure; retries.ts acts on it.
 */
import type { Turn } from './turn.ts';

/** How long a failed request's line must stand, the pane alive, before poli acts on it. */
export const FAILED_SETTLE_MS = 1_500;

/** Per pending id: time held while the CLI retried by itself, and re-sends after a failed request. */
export class Retries {
  readonly #held = new Map<string, number>();
  readonly #resends = new Map<string, number>();
  /** The start of the retry line last told, so each retry is told once. */
  noticed: string | undefined;
  /** When the pending turn's screen first showed a failed request. */
  failedSeen: { turn: Turn; since: number } | undefined;

  /** Holds `ms` for message `id` while it retries; false once its hold reached `maxMs` (timeouts run again). */
  hold(id: string, ms: number, maxMs: number): boolean {
    const held = this.#held.get(id) ?? 0;
    if (held >= maxMs) return false;
    this.#held.set(id, held + ms);
    return true;
  }

  /** Takes the one re-send message `id` gets after a failed request; false when it had it. */
  takeResend(id: string): boolean {
    const resends = this.#resends.get(id) ?? 0;
    if (resends >= 1) return false;
    this.#resends.set(id, resends + 1);
    return true;
  }

  /** Whether the failed request's line has stood {@link FAILED_SETTLE_MS} on this turn (it starts counting now). */
  failedSettled(turn: Turn, mono: number): boolean {
    if (this.failedSeen?.turn !== turn) this.failedSeen = { turn, since: mono };
    return mono - this.failedSeen.since >= FAILED_SETTLE_MS;
  }
}
