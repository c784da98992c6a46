/**
 * How long a test waits for something it expects to see (a line on the screen, a file, a state) before it fails:
 * generous, because the suite must pass beside another heavy job on 2 cores, where what takes 1 s idle takes 10.
 * A limit for hangs, never a measurement.
 */
export const LOADED_WAIT_MS = 60_000;
