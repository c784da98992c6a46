/**
 * How the rest of poli reaches tmux: a runner for commands plus a way to wait until a pane may
 * have changed. This is the one seam between the dialogue and the transport.
 *
 * - {@link createPollingClient}: each command a new tmux process, waits are sleeps.
 * - {@link createTmuxClient}: starts the same way (the server and session do not exist yet, and
 *   a control client must attach to a session), then upgrades to one control-mode client
 *   (control-client.ts) at the first wait for a pane, or when {@link TmuxClient.attach} is
 *   called: commands then go over it, and waits end on the panes' output. When control mode
 *   cannot attach, or stops later, it falls back to polling and says so once.
 */
import { TmuxServerGoneError } from '../errors.ts';
import { ControlClient, ControlClientClosedError } from './control-client.ts';
import { isReadOnly } from './control-protocol.ts';
import { createTmuxRunner, isServerGone, spawnTmuxControl, type ControlProcess } from './runner.ts';
import type { Clock, TmuxRunner } from './types.ts';

export interface TmuxClient {
  run: TmuxRunner;
  /** Resolves when one of `paneIds` may have new output, or after `maxWaitMs` at the latest. */
  waitForChange(paneIds: readonly string[], maxWaitMs: number): Promise<void>;
  /**
   * Switches to control mode, attached to `target` (a session name or a pane id of it); resolves
   * false, and keeps polling, when that fails. Does nothing for a polling-only client. The client
   * attaches once: a later call with another target resolves as the first did and stays where it
   * is, hearing that session's panes only (pairs in other sessions: TmuxServer.linkWindow).
   */
  attach(target: string): Promise<boolean>;
  /** Stops whatever the client keeps running (a control-mode process); commands fail after it. */
  close(): Promise<void>;
  /** 'poll' or 'control' (right now), for logs and benchmarks. */
  readonly mode: 'poll' | 'control';
  /**
   * Every pane's output as text while control mode runs (nothing while polling). Returns an unsubscribe. Listeners
   * must be cheap: they run in the control client's read loop.
   */
  onOutput(listener: (paneId: string, text: string) => void): () => void;
  /** Told when output of a pane may have been lost, or screens rewrapped (see ControlClient.onResync). */
  onResync(listener: (paneId: string | undefined) => void): () => void;
  /**
   * Told when control mode stops (tmux said %exit: a person's `tmux attach -d` detaches every other client, poli's
   * too): no more output reaches onOutput, so a model fed by it is stale from here on. Returns an unsubscribe.
   */
  onStop?(listener: () => void): () => void;
}

export interface TmuxClientOptions {
  socket: string;
  configFile?: string;
  clock: Clock;
}

export interface ControlModeOptions extends TmuxClientOptions {
  /** Told once when control mode is not available (or stops) and poli polls instead. */
  warn?(message: string): void;
  /** Starts the control-mode process (tests swap it); default: runner.ts spawnTmuxControl. */
  spawnControl?: (target: string) => ControlProcess;
  /** Runs one command as its own tmux process (tests swap it); default: runner.ts createTmuxRunner. */
  processRun?: TmuxRunner;
}



/** A client that runs each command as its own tmux process and sleeps between reads. */
export function createPollingClient(options: TmuxClientOptions): TmuxClient {
  const run = createTmuxRunner({ socket: options.socket, ...(options.configFile ? { configFile: options.configFile } : {}) });
  return {
    run,
    mode: 'poll',
    waitForChange: (_paneIds, maxWaitMs) => options.clock.sleep(maxWaitMs),
    attach: async () => false,
    close: async () => undefined,
    onOutput: () => () => undefined,
    onResync: () => () => undefined,
    onStop: () => () => undefined,
  };
}

/** A client that upgrades itself to tmux control mode once poli's session exists (see the module comment). */
export function createTmuxClient(options: ControlModeOptions): TmuxClient {
  const { socket, clock } = options;
  const runnerOptions = { socket, ...(options.configFile ? { configFile: options.configFile } : {}) };
  const processRun = options.processRun ?? createTmuxRunner(runnerOptions);
  const spawnControl = options.spawnControl ?? ((target: string) => spawnTmuxControl({ ...runnerOptions, target }));
  let control: ControlClient | undefined;
  let attaching: Promise<boolean> | undefined;
  const output = listenerSet<[paneId: string, text: string]>();
  const resync = listenerSet<[paneId: string | undefined]>();
  const stop = listenerSet<[]>();
  let closing = false;
  let warned = false;
  const warn = (message: string): void => {
    if (warned || closing) return;
    warned = true;
    options.warn?.(`${message}; polling the panes instead (every --poll-ms)`);
  };
  const active = (): ControlClient | undefined => (control?.closed === undefined ? control : undefined);

  const attach = (target: string): Promise<boolean> => {
    // The server went away under the control client and poli started its session again: attach to the new one.
    if (control?.closed !== undefined && !closing) {
      control = undefined;
      attaching = undefined;
    }
    attaching ??= ControlClient.attach({
      socket,
      spawn: () => spawnControl(target),
      fallbackRun: processRun,
      onClose: (reason) => {
        warn(`tmux control mode ${reason}`);
        stop.emit();
      },
    }).then(
      (client) => {
        control = client;
        client.onOutput(output.emit);
        client.onResync(resync.emit);
        return true;
      },
      (error: unknown) => {
        warn(error instanceof Error ? error.message : String(error));
        return false;
      },
    );
    return attaching;
  };

  return {
    run: createFallbackRunner(active, processRun, socket),
    get mode() {
      return active() === undefined ? 'poll' : 'control';
    },
    async waitForChange(paneIds, maxWaitMs) {
      if (attaching === undefined && paneIds[0] !== undefined && !closing) await attach(paneIds[0]);
      const client = active();
      if (client === undefined) return clock.sleep(maxWaitMs);
      await client.waitForChange(paneIds, maxWaitMs);
    },
    attach,
    onOutput: output.add,
    onResync: resync.add,
    onStop: stop.add,
    async close() {
      closing = true;
      await attaching;
      await control?.close();
    },
  };
}

/**
 * Runs each command over the control client while one is attached, else as its own tmux process; when the control
 * client stopped under a command, tells "the server is gone" from "only the control client stopped".
 */
function createFallbackRunner(active: () => ControlClient | undefined, processRun: TmuxRunner, socket: string): TmuxRunner {
  return async (args, callOptions) => {
    const client = active();
    if (client === undefined) return processRun(args, callOptions);
    try {
      return await client.run(args, callOptions);
    } catch (error) {
      if (!(error instanceof ControlClientClosedError)) throw error;
      // Tell "the server is gone" (what callers handle) from "only the control client stopped".
      const probe = await processRun(['display-message', '-p', '#{pid}']);
      if (isServerGone(probe)) throw new TmuxServerGoneError(socket, probe.stderr.trim(), { cause: error });
      // Only the control client stopped (a person's `tmux attach -d` detaches every other client, poli's too): a
      // read is safe to run again as its own process; a command that types or pastes is not run twice, since
      // whether tmux ran it before the detach is unknown, and the caller's own checks decide.
      if (isReadOnly(args)) return processRun(args, callOptions);
      throw error;
    }
  };
}

/** Listeners told in the order they were added; `add` returns the unsubscribe. */
function listenerSet<A extends unknown[]>(): { add(listener: (...args: A) => void): () => void; emit(...args: A): void } {
  const listeners = new Set<(...args: A) => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(...args) {
      for (const listener of listeners) listener(...args);
    },
  };
}
