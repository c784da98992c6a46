/**
 * A small TUI in the style of Claude Code: raw-mode stdin with bracketed paste, replies above a bottom area (rule,
 * `❯ ` input, rule, footer). How it reaches the terminal is the renderer's business (renderers.ts: classic
 * scrollback, or a full-screen repaint on the normal or alternate screen); this class holds the state (input,
 * spinner, permission prompt, submission queue) and the submission quirks (--submit-on-paste, --enters,
 * --echo-char-ms through key-pacer.ts).
 */
import { InputBuffer } from './input-buffer.ts';
import { KeyPacer } from './key-pacer.ts';
import { KeyParser, type KeyEvent } from './keys.ts';
import { createRenderer, type Renderer, type RowsFn } from './renderers.ts';
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
import { sleepUnlessAborted, TurnInterruptedError, type Turn } from './turn.ts';
import type { TuiOptions } from './tui-options.ts';
import { layOutWithGutter } from './wrap.ts';

export { TurnInterruptedError, type SubmitHandler, type Turn } from './turn.ts';
export type { TuiInput, TuiOptions, TuiOutput } from './tui-options.ts';

/** Claude Code absorbs an Enter this soon after a paste (the most reported send failure). */
const SWALLOW_ENTER_WINDOW_MS = 100;
const SPINNER_INTERVAL_MS = 120;
/** Time a lone ESC waits for the rest of an escape sequence before it counts as the Escape key. */
const ESCAPE_WAIT_MS = 50;
const EXIT_HINT_MS = 2000;
/** `--redraw-half-on-submit`: how long the bottom half stays blank after a submission. */
const REDRAW_HALF_MS = 300;
const BRACKETED_PASTE_ON = `${ESC}[?2004h`;
const BRACKETED_PASTE_OFF = `${ESC}[?2004l`;
const CURSOR_HIDE = `${ESC}[?25l`;
const CURSOR_SHOW = `${ESC}[?25h`;

interface Approval {
  title: string;
  detail: string;
  selected: 0 | 1;
  resolve: (yes: boolean) => void;
}

interface Menu {
  question: string;
  choices: readonly string[];
  selected: number;
  resolve: (choice: number) => void;
}

export class Tui {
  private readonly parser = new KeyParser();
  private readonly pacer: KeyPacer;
  private readonly renderer: Renderer;
  private readonly now: () => number;
  private readonly input = new InputBuffer();
  private lastPasteAt = Number.NEGATIVE_INFINITY;
  private enterSwallowed = true;
  private entersInRow = 0;
  /** `--enter-newline-first`: the line break the last Enter put into the input (the next Enter submits). */
  private newlineInserted = false;
  private busySince: number | undefined;
  private frame = 0;
  private tick = 0;
  private spinner: NodeJS.Timeout | undefined;
  private animation: NodeJS.Timeout | undefined;
  private escapeTimer: NodeJS.Timeout | undefined;
  private exitHintUntil = 0;
  private abort: AbortController | undefined;
  private approval: Approval | undefined;
  private menu: Menu | undefined;
  private restarted = false;
  /** The footer shows idle while a turn still runs (`Turn.idle`). */
  private looksIdle = false;
  private readonly queue: string[] = [];
  private stopped = false;

  constructor(private readonly options: TuiOptions) {
    this.now = options.now ?? Date.now;
    const { output } = options;
    this.renderer = createRenderer(options.draw ?? 'classic', {
      write: (text) => this.write(text),
      area: (columns) =>
        renderArea(this.view(), columns, {
          tick: options.animateMs === undefined ? undefined : this.tick,
          minRows: options.bottomRows,
          inputBox: options.inputBox ?? 'claude',
        }),
      columns: output.columns ?? 80,
      rows: output.rows ?? 24,
    });
    this.pacer = new KeyPacer(options.echoCharMs ?? 0, {
      apply: (event) => this.onKey(event),
      preview: (text) => (this.input.preview = text),
      settled: () => this.redraw(),
    }, this.now);
  }

  start(): void {
    const { input, output, animateMs } = this.options;
    if (input.isTTY === true) input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.on('data', (chunk) => this.onData(String(chunk)));
    input.resume();
    output.on('resize', () => this.renderer.resize(output.columns ?? 80, output.rows ?? 24));
    this.write(this.renderer.enter + BRACKETED_PASTE_ON + CURSOR_HIDE);
    this.printBanner();
    if (animateMs !== undefined) {
      this.animation = setInterval(() => {
        this.tick++;
        this.redraw();
      }, animateMs);
    }
  }

  /** Erases the input area and restores the terminal (paste mode, cursor, cooked mode, normal screen). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.spinner);
    clearInterval(this.animation);
    clearTimeout(this.escapeTimer);
    this.pacer.stop();
    this.write(this.renderer.leave() + BRACKETED_PASTE_OFF + CURSOR_SHOW);
    const { input } = this.options;
    if (input.isTTY === true) input.setRawMode?.(false);
    input.pause();
  }

  exit(code: number): void {
    this.stop();
    this.options.onExit(code);
  }

  private printBanner(): void {
    const { title, subtitle } = this.options;
    this.print((columns) => renderBanner(title, subtitle, columns));
  }

  private onData(chunk: string): void {
    const lag = this.options.inputLagMs ?? 0;
    if (lag > 0) {
      setTimeout(() => this.readData(chunk), lag);
      return;
    }
    this.readData(chunk);
  }

  private readData(chunk: string): void {
    if (this.stopped) return;
    clearTimeout(this.escapeTimer);
    this.pacer.push(this.parser.feed(chunk));
    if (this.parser.hasPendingEscape) {
      this.escapeTimer = setTimeout(() => {
        this.pacer.push(this.parser.flush());
        this.redraw();
      }, ESCAPE_WAIT_MS);
    }
    this.redraw();
  }

  private onKey(event: KeyEvent): void {
    if (this.stopped) return;
    if (event.kind === 'ctrl-c') return this.onCtrlC();
    if (this.approval !== undefined) return this.onApprovalKey(event, this.approval);
    if (this.menu !== undefined) return this.onMenuKey(event, this.menu);
    if (event.kind !== 'enter') {
      this.entersInRow = 0;
      this.newlineInserted = false;
    }
    switch (event.kind) {
      case 'text':
        return this.input.type(event.text);
      case 'newline':
        return this.input.type('\n');
      case 'paste':
        this.lastPasteAt = this.now();
        this.enterSwallowed = false;
        this.input.paste(event.text);
        if (this.options.submitOnPaste === true) this.submitInput();
        return;
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
    if (this.input.expand().trim() === '') return;
    if (this.options.enterNewlineFirst === true && !this.newlineInserted) {
      // Like a multi-line editor: Enter breaks the line, a second Enter (on the empty last line) sends.
      this.newlineInserted = true;
      this.input.type('\n');
      return;
    }
    this.entersInRow++;
    if (this.entersInRow < (this.options.enters ?? 1)) return;
    this.submitInput();
  }

  private submitInput(): void {
    this.entersInRow = 0;
    // The line break the first Enter inserted is not part of the message (CLIs trim the input they send).
    const text = this.newlineInserted ? this.input.expand().replace(/\n$/, '') : this.input.expand();
    this.newlineInserted = false;
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

  private onMenuKey(event: KeyEvent, menu: Menu): void {
    const answer = (choice: number) => {
      this.menu = undefined;
      menu.resolve(choice);
    };
    const last = menu.choices.length - 1;
    if (event.kind === 'up' || event.kind === 'down') menu.selected = Math.min(last, Math.max(0, menu.selected + (event.kind === 'up' ? -1 : 1)));
    else if (event.kind === 'enter') answer(menu.selected + 1);
    else if (event.kind === 'escape') answer(0);
    else if (event.kind === 'text' && /^[1-9]$/.test(event.text) && Number(event.text) <= menu.choices.length) answer(Number(event.text));
  }

  private async runQueue(): Promise<void> {
    for (let text = this.queue.shift(); text !== undefined; text = this.queue.shift()) {
      this.print((columns) => ['', ...renderEcho(text, columns)]);
      if (this.options.redrawHalfOnSubmit === true) this.renderer.blankHalf(REDRAW_HALF_MS);
      const started = this.now();
      this.startBusy();
      const abort = new AbortController();
      this.abort = abort;
      this.restarted = false;
      let doneRows: RowsFn = () => ['', renderTurnDone(this.now() - started)];
      try {
        await this.options.onSubmit(text, this.makeTurn(abort.signal));
        // Some CLIs keep their spinner a while after the reply (hooks, a summary): still busy, input waits.
        if ((this.options.busyAfterReplyMs ?? 0) > 0) await sleepUnlessAborted(this.options.busyAfterReplyMs ?? 0, abort.signal);
        const elapsed = this.now() - started;
        doneRows = () => ['', renderTurnDone(elapsed)];
      } catch (error) {
        // Claude Code prints no "Worked for" line after an interrupted turn.
        if (error instanceof TurnInterruptedError) doneRows = (columns) => renderNotice('Interrupted by user', columns);
        else this.print((columns) => ['', ...renderError(`Error: ${String(error)}`, columns)]);
      }
      this.abort = undefined;
      this.approval = undefined;
      this.menu = undefined;
      if (this.stopped) return;
      this.stopBusy();
      if (this.restarted) this.redraw();
      else this.print(doneRows);
    }
  }

  private makeTurn(signal: AbortSignal): Turn {
    const live = () => !signal.aborted && !this.stopped;
    return {
      reply: (text) => {
        if (live()) this.print((columns) => ['', ...renderReply(text, columns)]);
      },
      print: (lines) => {
        if (live()) this.print((columns) => lines.flatMap((line) => layOutWithGutter(line, columns, '  ')));
      },
      sleep: (ms) => sleepUnlessAborted(ms, signal),
      confirm: (title, detail) =>
        new Promise<boolean>((resolve) => {
          this.approval = { title, detail, selected: 0, resolve };
          this.redraw();
        }),
      choose: (question, choices) =>
        new Promise<number>((resolve) => {
          this.menu = { question, choices, selected: 0, resolve };
          this.redraw();
        }),
      crash: (code, message) => {
        this.print((columns) => ['', ...renderError(message, columns)]);
        this.exit(code);
      },
      clearScreen: () => {
        if (live()) this.renderer.clearScreen();
      },
      replaceLast: (text) => {
        if (live()) this.renderer.replaceLast((columns) => ['', ...renderReply(text, columns)]);
      },
      idle: async (ms) => {
        // Only the look changes: the turn still runs, and what is submitted meanwhile waits in the queue.
        this.looksIdle = true;
        this.redraw();
        try {
          await sleepUnlessAborted(ms, signal);
        } finally {
          this.looksIdle = false;
          this.redraw();
        }
      },
      restart: () => {
        if (!live()) return;
        this.restarted = true;
        this.stopBusy();
        this.input.clear();
        this.renderer.clearScreen();
        this.printBanner();
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

  private view(): AreaView {
    if (this.menu !== undefined) {
      const { question, choices, selected } = this.menu;
      return { kind: 'menu', question, choices, selected };
    }
    if (this.approval !== undefined) {
      const { title, detail, selected } = this.approval;
      return { kind: 'approval', title, detail, selected };
    }
    let footer: Footer = { kind: 'idle' };
    if (this.now() < this.exitHintUntil) footer = { kind: 'exit-hint' };
    else if (this.busySince !== undefined && !this.looksIdle) {
      footer = { kind: 'busy', elapsedMs: this.now() - this.busySince, frame: this.frame };
    }
    return { kind: 'input', input: this.input.display, footer };
  }

  /** Prints rows above the input area, then redraws the area, in one write. */
  private print(rows: RowsFn): void {
    if (!this.stopped) this.renderer.print(rows);
  }

  private redraw(): void {
    if (!this.stopped) this.renderer.redraw();
  }

  private write(text: string): void {
    if (text !== '') this.options.output.write(text);
  }
}
