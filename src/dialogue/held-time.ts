/**
 * Held time: time that does not count against the reply timeouts. A person paused the task, a CLI waits at a
 * permission prompt for a person, a usage limit or a login is waited out, or the CLI retries a request by itself.
 */

/** The dialogue's held time and whether a person paused it. */
export class HeldTime {
  #ms = 0;
  /** Paused by a person (poli pause) until poli resume: the loop only holds time. */
  paused = false;

  /** @param elapsed the monotonic reading (ms) every duration of the dialogue is measured on. */
  constructor(private readonly elapsed: () => number) {}

  /** Holds `ms` more (a wake of the loop the CLI could not answer in). */
  hold(ms: number): void {
    this.#ms += ms;
  }

  /** Holds the time from `since` (a monotonic reading) to now. */
  holdSince(since: number): void {
    this.hold(this.elapsed() - since);
  }

  /** All time held so far (ms). */
  get ms(): number {
    return this.#ms;
  }

  /** The time the timeouts run on: the monotonic reading less the time held. */
  now(): number {
    return this.elapsed() - this.#ms;
  }
}
