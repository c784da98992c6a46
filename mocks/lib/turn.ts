/** What a submit handler gets from the TUI for one turn, and the interruptible sleep behind `Turn.sleep`. */

/** Raised inside a turn's `sleep` when the user pressed Esc. */
export class TurnInterruptedError extends Error {
  constructor() {
    super('turn interrupted by the user (Esc)');
    this.name = 'TurnInterruptedError';
  }
}

/** What a submit handler can do while its turn runs (the footer shows the spinner meanwhile). */
export interface Turn {
  /** Prints a reply (`● ` + gutter, wrapped at the pane width) above the input area. */
  reply(text: string): void;
  /** Prints plain tool-output lines (2-space gutter) above the input area, in one write. */
  print(lines: readonly string[]): void;
  /** Waits, spinner running; throws TurnInterruptedError if the user presses Esc. */
  sleep(ms: number): Promise<void>;
  /** Shows a Claude-like permission prompt in place of the input box; true for Yes. */
  confirm(title: string, detail: string): Promise<boolean>;
  /**
   * Shows a numbered menu in place of the input box (`question`, `❯ 1. …`, `Enter to confirm · Esc to cancel`), as
   * Claude Code's usage-limit options; resolves with the chosen number (a digit picks at once), 0 on Esc.
   */
  choose(question: string, choices: readonly string[]): Promise<number>;
  /** Prints `message` in red, restores the terminal and exits with `code`. */
  crash(code: number, message: string): void;
  /** Writes ESC[2J ESC[3J ESC[H (Ink's clearTerminal); the next reply starts at the top of the empty screen. */
  clearScreen(): void;
  /** Erases what the last reply or print drew and draws `text` as a reply in its place (a streaming renderer's redraw). */
  replaceLast(text: string): void;
  /** Looks idle (no spinner) for `ms`, then busy again: a CLI that pauses mid-reply. */
  idle(ms: number): Promise<void>;
  /** Acts as if the CLI restarted in the pane: clear, banner, idle input box; the turn ends without a trace. */
  restart(): void;
}

export type SubmitHandler = (text: string, turn: Turn) => Promise<void>;

export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new TurnInterruptedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new TurnInterruptedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
