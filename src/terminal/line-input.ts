/**
 * Lines typed by the person at poli's terminal: the interactive prompt and the approval gate
 * share one reader, so two readline interfaces never compete for stdin.
 */
import { createInterface, type Interface } from 'node:readline';

export interface LineInput {
  /**
   * Shows `prompt` and resolves with the next line, or null at end of input (Ctrl+D, a closed
   * pipe, no terminal) or when `signal` aborts (the question is withdrawn).
   */
  question(prompt: string, signal?: AbortSignal): Promise<string | null>;
  /**
   * Ctrl+C typed at the terminal (readline turns it into an event instead of a signal). The typed
   * text is cleared first; at a prompt, `^C` ends the line and the prompt is shown again after
   * the handlers ran. Returns a function that removes the handler.
   */
  onInterrupt(handler: () => void): () => void;
  /**
   * Runs `child` (an editor) with the terminal all its own: poli stops reading stdin and puts the terminal back in
   * cooked mode first, and reads again once `child` settled. Without this, readline kept the terminal raw and took
   * keystrokes meant for the editor.
   */
  releaseTerminal<T>(child: () => Promise<T>): Promise<T>;
  /**
   * At a terminal, the entries typed while nothing was asked (type-ahead while a task ran), oldest first, taken: they
   * are never taken as the answer to a question, so the caller shows them and asks first. Piped input has none (its
   * lines are answers in order).
   */
  takeTypeAhead(): string[];
  /** True while `releaseTerminal` runs: a Ctrl+C then belongs to the editor, not to poli. */
  readonly terminalReleased: boolean;
  close(): void;
}

/** xterm's bracketed paste mode (tmux and most terminals): a paste comes between ESC[200~ and ESC[201~. */
const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';

/** What the readers share: lines not asked for yet, and the questions waiting for a line. */
interface Lines {
  /** Piped input: lines that came before they were asked for, answers in order. */
  readonly queued: string[];
  /** At a terminal: what was typed while nothing was asked (while a task ran); never taken as an answer. */
  readonly typeAhead: string[];
  readonly waiting: ((line: string | null) => void)[];
  readonly interruptHandlers: Set<() => void>;
  /** The current reader; null before the first question and while the terminal is released to an editor. */
  reader: Interface | null;
  /** Input ended (Ctrl+D, a closed pipe): every question from here on is answered null. */
  closed: boolean;
}

export function createLineInput(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
): LineInput {
  const terminal = input.isTTY === true;
  const lines: Lines = { queued: [], typeAhead: [], waiting: [], interruptHandlers: new Set(), reader: null, closed: false };
  let released = 0;
  const open = (): Interface => lines.reader ?? openReader(lines, input, output, terminal);
  return {
    question(prompt, signal) {
      const reader = open();
      if (signal?.aborted) return Promise.resolve(null);
      if (lines.queued.length > 0) {
        output.write(prompt);
        return Promise.resolve(lines.queued.shift() ?? null);
      }
      if (lines.closed) return Promise.resolve(null);
      reader.setPrompt(prompt);
      reader.prompt();
      return awaitLine(lines.waiting, signal);
    },
    onInterrupt(handler) {
      lines.interruptHandlers.add(handler);
      return () => lines.interruptHandlers.delete(handler);
    },
    async releaseTerminal(child) {
      const reader = lines.reader;
      released += 1;
      if (reader && !lines.closed) {
        lines.reader = null;
        // Closing (not pausing) is what leaves raw mode: readline's pause() keeps the terminal raw.
        reader.close();
      }
      try {
        return await child();
      } finally {
        released -= 1;
      }
    },
    takeTypeAhead() {
      return lines.typeAhead.splice(0);
    },
    get terminalReleased() {
      return released > 0;
    },
    close() {
      lines.reader?.close();
    },
  };
}

/** A question's answer: the next line delivered, or null once `signal` aborts (the question is withdrawn). */
function awaitLine(waiting: Lines['waiting'], signal: AbortSignal | undefined): Promise<string | null> {
  return new Promise((resolve) => {
    const done = (line: string | null) => {
      signal?.removeEventListener('abort', withdraw);
      resolve(line);
    };
    const withdraw = () => {
      const at = waiting.indexOf(done);
      if (at >= 0) waiting.splice(at, 1);
      resolve(null);
    };
    signal?.addEventListener('abort', withdraw, { once: true });
    waiting.push(done);
  });
}

/** Hands a line (or a paste) to the question waiting, else keeps it: as type-ahead at a terminal, queued from a pipe. */
function deliver(lines: Lines, terminal: boolean, text: string): void {
  const next = lines.waiting.shift();
  if (next) next(text);
  else if (terminal) lines.typeAhead.push(text);
  else lines.queued.push(text);
}

/** Opens a readline reader on `input` and makes it the current one. */
function openReader(lines: Lines, input: NodeJS.ReadableStream, output: NodeJS.WritableStream, terminal: boolean): Interface {
  const reader = createInterface({ input, output, terminal });
  lines.reader = reader;
  if (terminal) groupPastes(reader, input, output, (text) => deliver(lines, terminal, text));
  else reader.on('line', (line) => deliver(lines, terminal, line));
  reader.on('close', () => {
    // Closed only to hand the terminal to an editor: a new reader opens for the next question.
    if (lines.reader !== reader) return;
    lines.closed = true;
    for (const next of lines.waiting.splice(0)) next(null);
  });
  reader.on('SIGINT', () => interruptAtReader(lines, reader, output, terminal));
  return reader;
}

/**
 * At a terminal, the lines of one paste are one entry: between bracketed-paste markers (a paste that ends mid-line
 * ends with the person's Enter), or, from a terminal without them, the lines of one read burst.
 */
function groupPastes(reader: Interface, input: NodeJS.ReadableStream, output: NodeJS.WritableStream, deliverText: (text: string) => void): void {
  const group: string[] = [];
  let pasting = false;
  let pasteOpen = false;
  let flushing = false;
  const flush = () => {
    flushing = false;
    if (pasting || pasteOpen || group.length === 0) return;
    deliverText(group.splice(0).join('\n'));
  };
  const scheduleFlush = () => {
    if (flushing) return;
    flushing = true;
    setImmediate(flush);
  };
  const onKeypress = (_text: unknown, key?: { name?: string }) => {
    if (key?.name === 'paste-start') pasting = true;
    else if (key?.name === 'paste-end') {
      pasting = false;
      pasteOpen = reader.line !== '';
      scheduleFlush();
    }
  };
  reader.on('line', (line) => {
    group.push(line);
    pasteOpen = false;
    scheduleFlush();
  });
  input.on('keypress', onKeypress);
  output.write(BRACKETED_PASTE_ON);
  reader.on('close', () => {
    input.off('keypress', onKeypress);
    output.write(BRACKETED_PASTE_OFF);
  });
}

/** Ctrl+C at the reader: the typed text is forgotten, the handlers run, and a question still open is asked again. */
function interruptAtReader(lines: Lines, reader: Interface, output: NodeJS.WritableStream, terminal: boolean): void {
  // Forget what was typed (readline keeps it otherwise, and the next Enter would send it).
  if (terminal) {
    reader.write(null, { ctrl: true, name: 'e' });
    reader.write(null, { ctrl: true, name: 'u' });
  }
  const asking = lines.waiting.length > 0;
  if (asking) output.write('^C\n');
  for (const handler of [...lines.interruptHandlers]) handler();
  // A handler may have withdrawn the question (the task was stopped while asking).
  if (asking && lines.waiting.length > 0 && !lines.closed) reader.prompt();
}
