/**
 * One persistent tmux control-mode client (`tmux -C attach -t SESSION`) per poli session. It
 * carries poli's tmux commands (~0.05 ms each instead of ~3 ms for a new process, measured) and
 * turns the session's `%output` into "this pane changed" signals, so readers capture a pane only
 * when it changed and waits end on output instead of after a fixed sleep.
 *
 * - Commands are framed by their `%begin/%end` triple and counted per command, not per line
 *   (control-protocol.ts). Replies come in the order the commands were written.
 * - `load-buffer -` (the payload on stdin) cannot go through the control client's stdin, which
 *   carries command lines: the payload is written to a file (mode 0600, in a private 0700
 *   directory), loaded from there and deleted as soon as tmux has answered.
 * - Flow control: `pause-after` makes tmux pause a pane's output to a client that lags instead
 *   of buffering it without limit (and dropping the client after 300 s). A `%pause` is answered
 *   with `continue` and reported as a change: the reader resyncs from the screen, which is what
 *   it reads anyway.
 * - Reads of one pane (PaneReader's `display-message -p ; capture-pane -p`, see
 *   control-protocol.ts paneReadTarget) are answered from the previous identical read while the
 *   pane has not printed, changed mode, died or been resized since that read was sent: a pane is
 *   captured again only when it changed. Only panes whose output this client has seen qualify
 *   (a pane of another session never reports output), and any command that is not a read
 *   (send-keys, paste-buffer, clear-history, …) empties the cache.
 * - Pane death has no `%` notification under `remain-on-exit on`: a `#{pane_dead}` subscription
 *   reports it (within ~1 s) and is turned into a change too.
 * - The client never sends `refresh-client -C`: a control client without a size leaves the
 *   window's size alone.
 * - When the process ends (server killed, session gone), pending commands reject with
 *   ControlClientClosedError and every wait resolves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { PoliError } from '../errors.ts';
import { ControlParser, countCommands, formatCommandLine, isReadOnly, paneReadTarget, type ControlEvent } from './control-protocol.ts';
import type { ControlProcess } from './runner.ts';
import type { TmuxResult, TmuxRunner } from './types.ts';

/** The control-mode client could not attach, or stopped while commands were pending. */
export class ControlClientClosedError extends PoliError {
  constructor(socket: string, detail: string, options?: { cause?: unknown }) {
    super(
      'TMUX_CONTROL_CLOSED',
      `the tmux control-mode client on socket "${socket}" ${detail}. ` +
        `Check that the server still runs (tmux -L ${socket} ls); poli falls back to one tmux process per command.`,
      options,
    );
  }
}

export interface ControlClientOptions {
  socket: string;
  /** Starts `tmux … -C attach-session -t TARGET` (runner.ts spawnTmuxControl in production). */
  spawn: () => ControlProcess;
  /** Runs what a command line cannot carry (arguments with newlines, stdin other than load-buffer). */
  fallbackRun: TmuxRunner;
  /** Quiet time after the last output before a wait resolves (TUIs redraw in bursts). */
  debounceMs?: number;
  /** A wait resolves at the latest this long after the first output, however busy the pane. */
  maxDebounceMs?: number;
  /** `pause-after` seconds; 0 leaves flow control off. */
  pauseAfterSec?: number;
  /** Called once when the client stops, with why. */
  onClose?: (reason: string) => void;
  now?: () => number;
}

interface Pending {
  args: readonly string[];
  onReply?: ((result: TmuxResult) => void) | undefined;
  /** Replies still expected (a failing command ends the line early). */
  remaining: number;
  stdout: string;
  resolve: (result: TmuxResult) => void;
  reject: (error: Error) => void;
}

interface Waiter {
  paneIds: readonly string[];
  resolve: (changed: boolean) => void;
  timer: NodeJS.Timeout | undefined;
  debounce: NodeJS.Timeout | undefined;
  firstChangeAt: number | undefined;
}

const DEFAULT_DEBOUNCE_MS = 2;
const DEFAULT_MAX_DEBOUNCE_MS = 20;
/** Seconds a pane's output may lag before tmux pauses it for this client; poli reads at once. */
const DEFAULT_PAUSE_AFTER_SEC = 2;
/** The subscription that reports each pane's `#{pane_dead}` (0 or 1) as it changes. */
export const DEAD_SUBSCRIPTION = 'poli-pane-dead';
/** Distinct reads kept (PaneReader issues a handful per pane: snapshot, bottom lines, readSince). */
const MAX_CACHED_READS = 64;

export class ControlClient {
  private readonly parser = new ControlParser();
  private readonly pending: Pending[] = [];
  private readonly waiters = new Set<Waiter>();
  /** Output counter and time of the last output, per pane. */
  private readonly changes = new Map<string, { seq: number; at: number }>();
  /** What each kind of wait (by its pane list) had seen when it last returned. */
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly decoders = new Map<string, StringDecoder>();
  /** Answers of pane reads, by command line, with the pane's change counter when the read was sent. */
  private readonly reads = new Map<string, { paneId: string; seq: number; result: TmuxResult }>();
  private readonly outputListeners = new Set<(paneId: string, text: string) => void>();
  private readonly resyncListeners = new Set<(paneId: string | undefined) => void>();
  private readonly eventListeners = new Set<(event: ControlEvent) => void>();
  private readonly process: ControlProcess;
  private readonly now: () => number;
  private attachedResolve: ((ok: boolean, lines: string[]) => void) | undefined;
  private tempDir: string | undefined;
  private closedReason: string | undefined;
  private finished = false;
  /** Attached and set up: from then on, stopping is news for onClose. */
  private ready = false;

  private constructor(private readonly options: ControlClientOptions) {
    this.now = options.now ?? (() => performance.now());
    this.process = options.spawn();
    this.process.onData((chunk) => this.onData(chunk));
    void this.process.exited.then(({ exitCode, stderr }) => {
      const why = stderr.trim() || (exitCode === undefined ? 'was killed' : `exited with code ${exitCode}`);
      this.shutdown(this.closedReason ?? `stopped: ${why}`);
    });
  }

  /**
   * Starts the client and waits for tmux to answer the attach. Throws ControlClientClosedError
   * when it cannot attach (no such session, no server); the process is gone then.
   */
  static async attach(options: ControlClientOptions): Promise<ControlClient> {
    const client = new ControlClient(options);
    const { ok, lines } = await new Promise<{ ok: boolean; lines: string[] }>((resolve) => {
      client.attachedResolve = (ok, lines) => resolve({ ok, lines });
    });
    if (!ok) {
      await client.close();
      throw new ControlClientClosedError(options.socket, `could not attach: ${lines.join(' ').trim() || 'no answer'}`);
    }
    const pauseAfter = options.pauseAfterSec ?? DEFAULT_PAUSE_AFTER_SEC;
    const setup = [
      ...(pauseAfter > 0 ? ['refresh-client', '-f', `pause-after=${pauseAfter}`, ';'] : []),
      'refresh-client', '-B', `${DEAD_SUBSCRIPTION}:%*:#{pane_dead}`,
    ];
    const result = await client.run(setup);
    if (result.exitCode !== 0) {
      await client.close();
      throw new ControlClientClosedError(options.socket, `could not set up flow control: ${result.stderr.trim()}`);
    }
    client.ready = true;
    return client;
  }

  /** Undefined while the client runs; why it stopped afterwards. */
  get closed(): string | undefined {
    return this.closedReason;
  }

  /** A {@link TmuxRunner} over this client; rejects with ControlClientClosedError once it stopped. */
  readonly run: TmuxRunner = async (args, callOptions) => {
    if (this.closedReason !== undefined) throw this.closedError(args);
    const input = callOptions?.input;
    if (input !== undefined) return this.runWithInput(args, input);
    const line = formatCommandLine(args);
    if (line === undefined) return this.options.fallbackRun(args);
    const paneId = paneReadTarget(args);
    const seq = paneId === undefined ? undefined : this.changes.get(paneId)?.seq;
    const onReply = callOptions?.onReply;
    if (paneId !== undefined && seq !== undefined && onReply === undefined) {
      const cached = this.reads.get(line);
      if (cached !== undefined && cached.seq === seq) return { ...cached.result };
    } else if (!isReadOnly(args)) {
      this.reads.clear();
    }
    const result = await new Promise<TmuxResult>((resolve, reject) => {
      this.pending.push({ args, onReply, remaining: countCommands(args), stdout: '', resolve, reject });
      this.process.write(`${line}\n`);
    });
    if (paneId !== undefined && seq !== undefined && result.exitCode === 0) {
      if (this.reads.size >= MAX_CACHED_READS) this.reads.clear();
      this.reads.set(line, { paneId, seq, result: { ...result } });
    }
    return result;
  };

  /**
   * Resolves true when one of `paneIds` printed something (or paused, or died) since the last
   * wait for the same panes returned — at once if that already happened — once the output has
   * been quiet for `debounceMs`; false after `maxWaitMs` without a change or when the client stops.
   */
  waitForChange(paneIds: readonly string[], maxWaitMs: number): Promise<boolean> {
    if (this.closedReason !== undefined) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const key = paneIds.join(',');
      const waiter: Waiter = { paneIds, resolve: () => undefined, timer: undefined, debounce: undefined, firstChangeAt: undefined };
      waiter.resolve = (changed) => {
        clearTimeout(waiter.timer);
        clearTimeout(waiter.debounce);
        this.waiters.delete(waiter);
        this.seen.set(key, new Map(paneIds.map((id) => [id, this.changes.get(id)?.seq ?? 0])));
        resolve(changed);
      };
      this.waiters.add(waiter);
      waiter.timer = setTimeout(() => waiter.resolve(false), Math.max(0, maxWaitMs));
      const seen = this.seen.get(key);
      if (paneIds.some((id) => (this.changes.get(id)?.seq ?? 0) > (seen?.get(id) ?? 0))) this.onChange(waiter);
    });
  }

  /** Receives every pane's output as text (UTF-8 decoded across notifications). Returns an unsubscribe. */
  onOutput(listener: (paneId: string, text: string) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /**
   * Told when a pane's output may have been lost or its screen rewrapped without output: flow control paused it
   * (`%pause`; the paneId), or a layout changed (undefined: every pane). Returns an unsubscribe.
   */
  onResync(listener: (paneId: string | undefined) => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /**
   * Receives every event read from tmux, after the client handled it: for watchers that need notifications the
   * client itself passes over (a window closed, a pane's `#{pane_dead}` subscription). Returns an unsubscribe.
   */
  onEvent(listener: (event: ControlEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Detaches (ends the client process); pending commands reject, waits resolve. */
  async close(): Promise<void> {
    if (this.closedReason === undefined) {
      this.closedReason = 'was closed';
      this.process.kill();
    }
    await this.process.exited;
    this.shutdown(this.closedReason);
  }

  private async runWithInput(args: readonly string[], input: string): Promise<TmuxResult> {
    const at = loadBufferStdinIndex(args);
    if (at === undefined) return this.options.fallbackRun(args, { input });
    this.tempDir ??= mkdtempSync(join(tmpdir(), 'poli-paste-'));
    const file = join(this.tempDir, `${process.pid}-${Math.random().toString(36).slice(2)}`);
    await writeFile(file, input, { mode: 0o600 });
    try {
      return await this.run(args.map((arg, i) => (i === at ? file : arg)));
    } finally {
      await rm(file, { force: true });
    }
  }

  private onData(chunk: Buffer): void {
    for (const event of this.parser.feed(chunk)) {
      this.handle(event);
      for (const listener of this.eventListeners) listener(event);
    }
  }

  private handle(event: ControlEvent): void {
    switch (event.kind) {
      case 'reply':
        return this.onReply(event.flags, event.ok, event.lines);
      case 'output':
        this.markChanged(event.paneId);
        if (this.outputListeners.size > 0) this.emitOutput(event.paneId, event.data);
        return;
      case 'pause':
        // Output of this pane is dropped until it continues: resume it and let readers resync.
        void this.run(['refresh-client', '-A', `${event.paneId}:continue`]).catch(() => undefined);
        this.markChanged(event.paneId);
        for (const listener of this.resyncListeners) listener(event.paneId);
        return;
      case 'subscription':
        if (event.name === DEAD_SUBSCRIPTION && event.paneId !== undefined) this.markChanged(event.paneId);
        return;
      case 'pane-mode':
        return this.markChanged(event.paneId);
      case 'layout':
        for (const paneId of [...this.changes.keys()]) this.markChanged(paneId);
        for (const listener of this.resyncListeners) listener(undefined);
        return;
      case 'exit':
        this.closedReason ??= `stopped: tmux said %exit${event.reason ? ` (${event.reason})` : ''}`;
        return;
      case 'continue':
      case 'other':
        return;
    }
  }

  private onReply(flags: string, ok: boolean, lines: string[]): void {
    if (this.attachedResolve !== undefined) {
      // The first reply answers the attach itself (flags 0).
      const resolve = this.attachedResolve;
      this.attachedResolve = undefined;
      resolve(ok, lines);
      return;
    }
    if (flags === '0') return; // not an answer to a command of ours
    const head = this.pending[0];
    if (head === undefined) return;
    for (const line of ok ? lines : []) head.stdout += `${line}\n`;
    head.remaining -= 1;
    if (ok && head.remaining > 0) return;
    this.pending.shift();
    const result = { stdout: head.stdout, stderr: ok ? '' : lines.map((l) => `${l}\n`).join(''), exitCode: ok ? 0 : 1 };
    head.onReply?.(result);
    head.resolve(result);
  }

  private markChanged(paneId: string): void {
    const change = this.changes.get(paneId) ?? { seq: 0, at: 0 };
    change.seq += 1;
    change.at = this.now();
    this.changes.set(paneId, change);
    for (const waiter of this.waiters) if (waiter.paneIds.includes(paneId)) this.onChange(waiter);
  }

  /** Resolves the waiter once its panes have been quiet for debounceMs (capped by maxDebounceMs). */
  private onChange(waiter: Waiter): void {
    const debounceMs = this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    const maxDebounceMs = this.options.maxDebounceMs ?? DEFAULT_MAX_DEBOUNCE_MS;
    const now = this.now();
    waiter.firstChangeAt ??= now;
    const lastAt = Math.max(...waiter.paneIds.map((id) => this.changes.get(id)?.at ?? 0));
    const quietIn = lastAt + debounceMs - now;
    const capIn = waiter.firstChangeAt + maxDebounceMs - now;
    clearTimeout(waiter.debounce);
    if (quietIn <= 0 || capIn <= 0) return waiter.resolve(true);
    waiter.debounce = setTimeout(() => this.onChange(waiter), Math.min(quietIn, capIn));
  }

  private emitOutput(paneId: string, data: Buffer): void {
    let decoder = this.decoders.get(paneId);
    if (decoder === undefined) {
      decoder = new StringDecoder('utf8');
      this.decoders.set(paneId, decoder);
    }
    const text = decoder.write(data);
    if (text !== '') for (const listener of this.outputListeners) listener(paneId, text);
  }

  private shutdown(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.closedReason ??= reason;
    this.attachedResolve?.(false, [this.closedReason]);
    this.attachedResolve = undefined;
    for (const pending of this.pending.splice(0)) pending.reject(this.closedError(pending.args));
    for (const waiter of [...this.waiters]) waiter.resolve(false);
    if (this.tempDir !== undefined) rmSync(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
    // A client that never attached is reported by attach()'s rejection instead.
    if (this.ready) this.options.onClose?.(this.closedReason);
  }

  private closedError(args: readonly string[]): ControlClientClosedError {
    return new ControlClientClosedError(this.options.socket, `${this.closedReason ?? 'stopped'} (command: tmux ${args.join(' ').slice(0, 120)})`);
  }
}

/**
 * Index of the `-` (stdin) path argument of a `load-buffer` command in `args`, when the line
 * holds one: load-buffer takes its path as the last argument of its command.
 */
export function loadBufferStdinIndex(args: readonly string[]): number | undefined {
  let start = 0;
  for (let i = 0; i <= args.length; i += 1) {
    if (i < args.length && args[i] !== ';') continue;
    const name = args[start];
    if ((name === 'load-buffer' || name === 'loadb') && i - 1 > start && args[i - 1] === '-') return i - 1;
    start = i + 1;
  }
  return undefined;
}
