/**
 * The limit waits of a dialogue as a named part: the wait poli is in (a usage limit or a login), the usage-limit
 * waits under the pending message, a wait cut short by the person, and the limit line still on the screen right after
 * poli typed the message again. Pure: times in, decisions out; limit-watch.ts acts on them.
 */
import type { LimitScreen } from '../profiles/limit-screens.ts';
import type { ScreenState } from '../tmux/types.ts';
import type { LimitEpisode, LimitWait } from './limits.ts';
import type { Turn } from './turn.ts';

/** How long after typing a message again the limit line that caused it may still be the old one on the screen. */
export const STALE_LIMIT_MS = 5_000;

export class LimitWaits {
  /** The wait for a usage limit or a login poli is in, if any. */
  wait: LimitWait | null = null;
  /** Usage-limit waits under the pending message (for --limit-wait and the backoff). */
  episode: LimitEpisode | null = null;
  /** Set by `poli resume` during a wait: look at the CLI again now. */
  cutShort = false;
  /**
   * When poli typed the pending message again after a limit: until the CLI shows it took the message (busy), or for
   * {@link STALE_LIMIT_MS}, a limit on the screen is the old one, not a new limit (a CLI redraws a moment later).
   */
  #stale: { turn: Turn; at: number } | undefined;

  /** A wait begins. */
  begin(wait: LimitWait): void {
    this.wait = wait;
    this.cutShort = false;
  }

  /** The wait ends; returns the one that ended, if any. */
  end(): LimitWait | null {
    const wait = this.wait;
    this.wait = null;
    this.cutShort = false;
    return wait;
  }

  /** The role's CLI was switched to its fallback: the waits under the old CLI are over. */
  forget(): void {
    this.wait = null;
    this.episode = null;
  }

  /** Counts one more usage-limit wait under message `id` (a new id starts a new episode at `now`). */
  nextEpisode(id: string, now: number): LimitEpisode {
    if (this.episode && this.episode.id !== id) this.episode = null;
    this.episode ??= { id, firstSince: now, waits: 0 };
    this.episode.waits += 1;
    return this.episode;
  }

  /** Forgets the episode of another message than `id`. */
  keepEpisodeOf(id: string): void {
    if (this.episode && this.episode.id !== id) this.episode = null;
  }

  /** poli typed `turn`'s message again at `at` (monotonic ms). */
  typedAgain(turn: Turn, at: number): void {
    this.#stale = { turn, at };
  }

  /**
   * Whether `screen` is the old limit line still standing after poli typed the message again (seen with Qwen Code: its
   * old 'Quota exhausted' line stood a moment after the paste): not a new limit until the CLI went busy.
   */
  isStale(turn: Turn, screenState: ScreenState | string, mono: number, screen: LimitScreen | undefined): boolean {
    if (this.#stale && (this.#stale.turn !== turn || screenState === 'busy')) this.#stale = undefined;
    return this.#stale !== undefined && mono - this.#stale.at < STALE_LIMIT_MS && screen?.kind !== 'retrying' && screen?.kind !== 'compacting';
  }
}
