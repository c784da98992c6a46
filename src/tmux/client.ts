/**
 * How the rest of poli reaches tmux: a runner for commands plus a way to wait until a pane may
 * have changed. This is the one seam between the dialogue and the transport; today it polls
 * (each command a new tmux process, waits are sleeps). An event-driven client (tmux control
 * mode) plugs in here without changes elsewhere.
 */
import { createTmuxRunner } from './runner.ts';
import type { Clock, TmuxRunner } from './types.ts';

export interface TmuxClient {
  run: TmuxRunner;
  /** Resolves when one of `paneIds` may have new output, or after `maxWaitMs` at the latest. */
  waitForChange(paneIds: readonly string[], maxWaitMs: number): Promise<void>;
  /** Stops whatever the client keeps running (a control-mode process); commands fail after it. */
  close(): Promise<void>;
  /** 'poll' or 'control', for logs and benchmarks. */
  readonly mode: 'poll' | 'control';
}

export interface TmuxClientOptions {
  socket: string;
  configFile?: string;
  clock: Clock;
}

/** A client that runs each command as its own tmux process and sleeps between reads. */
export function createPollingClient(options: TmuxClientOptions): TmuxClient {
  const run = createTmuxRunner({ socket: options.socket, ...(options.configFile ? { configFile: options.configFile } : {}) });
  return {
    run,
    mode: 'poll',
    waitForChange: (_paneIds, maxWaitMs) => options.clock.sleep(maxWaitMs),
    close: async () => undefined,
  };
}
