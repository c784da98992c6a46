/**
 * Progress while a task runs. On a terminal: permanent lines for what happened, plus one live
 * bottom line with a spinner, the round, whose turn it is, the elapsed time and the last message,
 * redrawn in place. Elsewhere (pipes, CI, logs): plain lines only. NO_COLOR turns colour off.
 */
import type { Role } from '../protocol/types.ts';
import { formatCountdown, formatElapsed } from './progress.ts';

export interface LiveStatus {
  round: number;
  waitingFor: Role | null;
  /** When the task started (ms, same clock as `now`). */
  startedAt: number;
  /** One-line summary of the last message. */
  last: string;
  /** poli is waiting for the person at this terminal (an approval question). */
  waitingForYou?: boolean;
  /** The person paused the task (poli pause): nothing moves until poli resume. */
  paused?: boolean;
  /**
   * The CLI cannot answer now (a usage limit, a login): what poli waits for, and when it looks again (ms, same clock
   * as `now`; null: once the pane is idle again). Shown instead of the last message, with a countdown.
   */
  held?: { role: Role; reason: string; until: number | null };
  /**
   * Nothing is sent yet (the CLIs are being primed, or the task's first message is on its way): shown as `starting`,
   * without a round, where `waitingFor: null` would read `done`.
   */
  starting?: boolean;
}

export interface ProgressDisplay {
  /** A permanent line (a message, an event). */
  line(text: string): void;
  /** Replaces what the live line shows. */
  update(status: LiveStatus): void;
  /** Removes the live line (the task ended). */
  stop(): void;
  /**
   * Writes around the live line: clears it, calls `write` (a line on stderr, a question), and
   * draws it again afterwards. Nothing may print on a terminal while the live line is shown.
   */
  above(write: () => void): void;
  /**
   * While a person is asked something: the live line is cleared and not drawn until `resume`,
   * and says "waiting for you" when it comes back before the next update.
   */
  suspend(): void;
  resume(): void;
}

export interface ProgressDisplayOptions {
  write(text: string): void;
  /** A terminal that understands carriage return and erase-line. */
  tty: boolean;
  color: boolean;
  now(): number;
  /** Width of the terminal; the live line is cut to fit so it never wraps. */
  columns?: number;
  /** Starts the timer that animates the spinner; tests pass a fake. */
  every?(ms: number, tick: () => void): () => void;
}

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ERASE_LINE = '\r\x1b[2K';
const DIM = '\x1b[2m';
const CYAN = '\x1b[36m';
const RESET = '\x1b[0m';

export function createProgressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  if (!options.tty) return createPlainDisplay(options);
  let status: LiveStatus | null = null;
  let frame = 0;
  let shown = false;
  let suspended = 0;
  let stopTimer: (() => void) | null = null;
  const every = options.every ?? everyUnref;
  const draw = (): void => {
    if (!status || suspended > 0) return;
    options.write(`${ERASE_LINE}${renderLiveLine(status, frame, options)}`);
    shown = true;
  };
  const erase = (): void => {
    if (shown) options.write(ERASE_LINE);
    shown = false;
  };

  return {
    line(text) {
      erase();
      options.write(`${text}\n`);
      draw();
    },
    update(next) {
      status = next;
      stopTimer ??= every(100, () => {
        frame += 1;
        draw();
      });
      draw();
    },
    stop() {
      stopTimer?.();
      stopTimer = null;
      erase();
      status = null;
    },
    above(write) {
      erase();
      write();
      draw();
    },
    suspend() {
      erase();
      suspended += 1;
    },
    resume() {
      suspended = Math.max(0, suspended - 1);
      draw();
    },
  };
}

/** Pipes, CI, logs: plain lines only, no live line. */
function createPlainDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  return {
    line: (text) => options.write(`${text}\n`),
    update: () => undefined,
    stop: () => undefined,
    above: (write) => write(),
    suspend: () => undefined,
    resume: () => undefined,
  };
}

/** The spinner's timer; unref'd so that it never keeps poli running. */
function everyUnref(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** The live line for `status` at spinner `frame`, cut to the terminal's width (and coloured, unless NO_COLOR). */
function renderLiveLine(status: LiveStatus, frame: number, options: ProgressDisplayOptions): string {
  const held = status.waitingForYou ? undefined : status.held;
  // The countdown before the reason, which is long and may be cut to the terminal's width.
  const heldFor = held ? `${held.role} waiting${held.until === null ? '' : `, next look ${formatCountdown(held.until - options.now())}`}` : '';
  const who = status.waitingForYou
    ? 'waiting for you'
    : status.paused
      ? 'paused'
      : held
        ? heldFor
        : status.waitingFor
          ? `${status.waitingFor} working`
          : 'done';
  const what = held ? held.reason : status.last;
  const spinner = SPINNER_FRAMES[frame % SPINNER_FRAMES.length] ?? '';
  const elapsed = formatElapsed(options.now() - status.startedAt);
  const text = status.starting ? `${spinner} ${elapsed} starting · ${status.last}` : `${spinner} ${elapsed} r${status.round} ${who} · ${what}`;
  const fitted = fit(text, (options.columns ?? 100) - 1);
  return options.color ? `${CYAN}${fitted.slice(0, 1)}${RESET}${DIM}${fitted.slice(1)}${RESET}` : fitted;
}

/** Cuts a line to `width` characters (by code point), ending in … when cut. */
function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}
