/**
 * A small TUI in the style of Claude Code's classic renderer: normal screen (real scrollback), raw-mode
 * stdin with bracketed paste, and a bottom area (rule, `❯ ` input, rule, footer) that is erased and redrawn
 * in place, as Ink does, whenever something is printed above it.
 */
import { InputBuffer } from './input-buffer.ts';
import { KeyParser, type KeyEvent } from './keys.ts';
import {
  ESC,
  renderArea,
  renderBanner,
  renderEcho,
  renderError,
  renderNotice,
  renderReply,
  renderTurnDone,
  type AreaView,
  type Footer,
} from './screen.ts';
import { displayWidth } from './wrap.ts';

/** Claude Code absorbs an Enter this soon after a paste (the most reported send failure). */
const SWALLOW_ENTER_WINDOW_MS = 100;
const SPINNER_INTERVAL_MS = 120;
/** Time a lone ESC waits for the rest of an escape sequence before it counts as the Escape key. */
const ESCAPE_WAIT_MS = 50;
const EXIT_HINT_MS = 2000;
const BRACKETED_PASTE_ON = `${ESC}[?2004h`;
const BRACKETED_PASTE_OFF = `${ESC}[?2004l`;
const CURSOR_HIDE = `${ESC}[?25l`;
const CURSOR_SHOW = `${ESC}[?25h`;
const SGR_SEQUENCE = /\x1b\[[0-9;]*m/g;

export interface TuiInput {
  on(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  setEncoding(encoding: 'utf8'): unknown;
  resume(): unknown;
  pause(): unknown;
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

export interface TuiOutput {
  write(chunk: string): boolean;
  on(event: 'resize', listener: () => void): unknown;
  columns?: number;
}

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
  /** Waits, spinner running; throws TurnInterruptedError if the user presses Esc. */
  sleep(ms: number): Promise<void>;
  /** Shows a Claude-like permission prompt in place of the input box; true for Yes. */
  confirm(title: string, detail: string): Promise<boolean>;
  /** Prints `message` in red, restores the terminal and exits with `code`. */
  crash(code: number, message: string): void;
}

export type SubmitHandler = (text: string, turn: Turn) => Promise<void>;

export interface TuiOptions {
  input: TuiInput;
  output: TuiOutput;
  title: string;
  subtitle: string;
  swallowEnterAfterPaste: boolean;
  onSubmit: SubmitHandler;
  /** Called once the terminal is restored; the entry point exits the process. */
  onExit: (code: number) => void;
  now?: () => number;
}

interface Approval {
  title: string;
  detail: string;
  selected: 0 | 1;
  resolve: (yes: boolean) => void;
}

export class Tui {
  private readonly parser = new KeyParser();
  private readonly now: () => number;
  private columns: number;
  private areaRows = 0;
  /** Cell widths of the rows drawn last, to know how many rows tmux makes of them when the pane narrows. */
  private areaWidths: number[] = [];
  private readonly input = new InputBuffer();
  private lastPasteAt = Number.NEGATIVE_INFINITY;
  private enterSwallowed = true;
  private busySince: number | undefined;
  private frame = 0;
  private spinner: NodeJS.Timeout | undefined;
  private escapeTimer: NodeJS.Timeout | undefined;
  private exitHintUntil = 0;
  private abort: AbortController | undefined;
  private approval: Approval | undefined;
  private readonly queue: string[] = [];
  private stopped = false;

  constructor(private readonly options: TuiOptions) {
    this.now = options.now ?? Date.now;
    this.columns = options.output.columns ?? 80;
  }

  start(): void {
    const { input, output } = this.options;
    if (input.isTTY === true) input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.on('data', (chunk) => this.onData(String(chunk)));
    input.resume();
    output.on('resize', () => this.onResize());
    const banner = renderBanner(this.options.title, this.options.subtitle, this.columns);
    this.write(BRACKETED_PASTE_ON + CURSOR_HIDE + banner.map((row) => `${row}\n`).join(''));
    this.redraw();
  }

  /** Erases the input area and restores the terminal (paste mode, cursor, cooked mode). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.spinner);
    clearTimeout(this.escapeTimer);
    this.write(this.eraseArea() + BRACKETED_PASTE_OFF + CURSOR_SHOW);
    this.areaRows = 0;
    const { input } = this.options;
    if (input.isTTY === true) input.setRawMode?.(false);
    input.pause();
  }

  exit(code: number): void {
    this.stop();
    this.options.onExit(code);
  }

  private onData(chunk: string): void {
    if (this.stopped) return;
    clearTimeout(this.escapeTimer);
    for (const event of this.parser.feed(chunk)) this.onKey(event);
    if (this.parser.hasPendingEscape) {
      this.escapeTimer = setTimeout(() => {
        this.parser.flush().forEach((e) => this.onKey(e));
        this.redraw();
      }, ESCAPE_WAIT_MS);
    }
    this.redraw();
  }

  private onKey(event: KeyEvent): void {
    if (this.stopped) return;
    if (event.kind === 'ctrl-c') return this.onCtrlC();
    if (this.approval !== undefined) return this.onApprovalKey(event, this.approval);
    switch (event.kind) {
      case 'text':
        return this.input.type(event.text);
      case 'newline':
        return this.input.type('\n');
      case 'paste':
        this.lastPasteAt = this.now();
        this.enterSwallowed = false;
        return this.input.paste(event.text);
      case 'backspace':
        return this.input.backspace();
      case 'enter':
        return this.onEnter();
      case 'escape':
        this.abort?.abort();
        return;
      case 'ctrl-d':
        if (this.input.display === '') this.exit(0);
        return;
      default:
        return;
    }
  }

  private onCtrlC(): void {
    if (this.now() < this.exitHintUntil) return this.exit(0);
    this.input.clear();
    this.exitHintUntil = this.now() + EXIT_HINT_MS;
    setTimeout(() => this.redraw(), EXIT_HINT_MS + 10).unref();
  }

  private onEnter(): void {
    if (
      this.options.swallowEnterAfterPaste &&
      !this.enterSwallowed &&
      this.now() - this.lastPasteAt < SWALLOW_ENTER_WINDOW_MS
    ) {
      this.enterSwallowed = true;
      return;
    }
    const text = this.input.expand();
    if (text.trim() === '') return;
    this.input.clear();
    this.queue.push(text);
    if (this.busySince === undefined) void this.runQueue();
  }

  private onApprovalKey(event: KeyEvent, approval: Approval): void {
    const answer = (yes: boolean) => {
      this.approval = undefined;
      approval.resolve(yes);
    };
    if (event.kind === 'up' || event.kind === 'down') approval.selected = event.kind === 'up' ? 0 : 1;
    else if (event.kind === 'enter') answer(approval.selected === 0);
    else if (event.kind === 'escape') answer(false);
    else if (event.kind === 'text' && (event.text === '1' || event.text === '2')) answer(event.text === '1');
  }

  private async runQueue(): Promise<void> {
    for (let text = this.queue.shift(); text !== undefined; text = this.queue.shift()) {
      this.printAbove(['', ...renderEcho(text, this.columns)]);
      const started = this.now();
      this.startBusy();
      const abort = new AbortController();
      this.abort = abort;
      let doneRows = ['', renderTurnDone(this.now() - started)];
      try {
        await this.options.onSubmit(text, this.makeTurn(abort.signal));
        doneRows = ['', renderTurnDone(this.now() - started)];
      } catch (error) {
        // Claude Code prints no "Worked for" line after an interrupted turn.
        if (error instanceof TurnInterruptedError) doneRows = renderNotice('Interrupted by user', this.columns);
        else this.printAbove(['', ...renderError(`Error: ${String(error)}`, this.columns)]);
      }
      this.abort = undefined;
      this.approval = undefined;
      if (this.stopped) return;
      this.stopBusy();
      this.printAbove(doneRows);
    }
  }

  private makeTurn(signal: AbortSignal): Turn {
    return {
      reply: (text) => {
        if (!signal.aborted && !this.stopped) this.printAbove(['', ...renderReply(text, this.columns)]);
      },
      sleep: (ms) => sleepUnlessAborted(ms, signal),
      confirm: (title, detail) =>
        new Promise<boolean>((resolve) => {
          this.approval = { title, detail, selected: 0, resolve };
          this.redraw();
        }),
      crash: (code, message) => {
        this.printAbove(['', ...renderError(message, this.columns)]);
        this.exit(code);
      },
    };
  }

  private startBusy(): void {
    this.busySince = this.now();
    this.frame = 0;
    this.spinner = setInterval(() => {
      this.frame++;
      this.redraw();
    }, SPINNER_INTERVAL_MS);
  }

  private stopBusy(): void {
    clearInterval(this.spinner);
    this.spinner = undefined;
    this.busySince = undefined;
  }

  private onResize(): void {
    const next = this.options.output.columns ?? this.columns;
    if (next === this.columns) return;
    // tmux reflows lines wider than the new width onto several rows; erase all of them.
    if (this.areaRows > 0) {
      this.areaRows = this.areaWidths.reduce((sum, width) => sum + Math.max(1, Math.ceil(width / next)), 0);
    }
    this.columns = next;
    this.redraw();
  }

  private view(): AreaView {
    if (this.approval !== undefined) {
      const { title, detail, selected } = this.approval;
      return { kind: 'approval', title, detail, selected };
    }
    let footer: Footer = { kind: 'idle' };
    if (this.now() < this.exitHintUntil) footer = { kind: 'exit-hint' };
    else if (this.busySince !== undefined) {
      footer = { kind: 'busy', elapsedMs: this.now() - this.busySince, frame: this.frame };
    }
    return { kind: 'input', input: this.input.display, footer };
  }

  /** Prints rows into the scrollback above the input area, then redraws the area, in one write. */
  private printAbove(rows: readonly string[]): void {
    if (this.stopped) return;
    this.write(this.eraseArea() + rows.map((row) => `${row}\n`).join('') + this.drawArea());
  }

  private redraw(): void {
    if (this.stopped) return;
    this.write(this.eraseArea() + this.drawArea());
  }

  /** Moves to the first row of the area and clears to the end of the screen (cursor sits on its last row). */
  private eraseArea(): string {
    if (this.areaRows === 0) return '';
    const up = this.areaRows > 1 ? `${ESC}[${this.areaRows - 1}A` : '';
    this.areaRows = 0;
    return `${up}\r${ESC}[J`;
  }

  private drawArea(): string {
    const rows = renderArea(this.view(), this.columns);
    this.areaRows = rows.length;
    this.areaWidths = rows.map((row) => displayWidth(row.replace(SGR_SEQUENCE, '')));
    return rows.join('\n');
  }

  private write(text: string): void {
    if (text !== '') this.options.output.write(text);
  }
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
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
