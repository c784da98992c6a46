/** Result of one tmux invocation. Non-zero exit codes are returned, not thrown. */
export interface TmuxResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs one tmux command (argv only, never through a shell) against poli's private server.
 * The runner adds `-L <socket>` itself; callers pass the tmux arguments after it.
 * Injected everywhere so unit tests can use a fake that records calls.
 */
export type TmuxRunner = (args: readonly string[], options?: TmuxRunOptions) => Promise<TmuxResult>;

export interface TmuxRunOptions {
  /** Text for the command's stdin (load-buffer -). */
  input?: string;
  /**
   * Called with the result at the very moment it arrives, before any later notification is handled: a control-mode
   * client delivers a pane's `%output` in order with command replies, so a capture taken with this hook splits the
   * output stream exactly into "already on the captured screen" and "after it" (reading/pane-watch.ts).
   */
  onReply?: (result: TmuxResult) => void;
}

/** Liveness of one pane as tmux reports it (with `remain-on-exit on`). */
export interface PaneLiveness {
  paneId: string;
  dead: boolean;
  /** Exit status when the program exited normally. */
  exitStatus?: number;
  /** Signal number when the program was killed by a signal. */
  signal?: number;
}

/** What a CLI screen looks like right now, judged from its bottom lines only. */
export type ScreenState = 'idle' | 'busy' | 'approval' | 'error' | 'unknown';

/** Per-CLI behaviour the tmux layer needs (full profiles arrive with the real-CLI work). */
export interface SendProfile {
  /** Minimum delay between the paste landing and Enter (Claude Code swallows an Enter within ~100 ms of a paste). */
  minEnterDelayMs: number;
  /** Classify the screen from its last lines (ANSI already stripped). */
  classify(bottomLines: readonly string[]): ScreenState;
  /**
   * The text currently in the CLI's input box, read from the last lines of the screen
   * ('' for an empty prompt), or undefined when this profile cannot tell.
   */
  readInput(bottomLines: readonly string[]): string | undefined;
}

/** Injected clock: tests use a fake that advances instantly. */
export interface Clock {
  /**
   * Wall time (ms since the epoch): for timestamps shown to people and recorded, and for reset times read off a
   * screen. It steps when the system clock is corrected (NTP): never measure a duration with it.
   */
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * A monotonic reading (ms, any origin) for durations: timeouts, settle times, waits. Never steps. Absent (simple
   * test clocks), durations use `now()`; read it through `monotonicNow` (clock.ts).
   */
  monotonic?(): number;
}
