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

export function createLineInput(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
): LineInput {
  let rl: Interface | null = null;
  let closed = false;
  let released = 0;
  const lines: string[] = [];
  /** At a terminal: what was typed while nothing was asked (while a task ran); never taken as an answer. */
  const typeAhead: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  const deliver = (text: string) => {
    const next = waiting.shift();
    if (next) next(text);
    else if (terminal) typeAhead.push(text);
    else lines.push(text);
  };
  const interruptHandlers = new Set<() => void>();
  const terminal = input.isTTY === true;
  const open = (): Interface => {
    if (rl) return rl;
    const reader = createInterface({ input, output, terminal });
    rl = reader;
    // At a terminal, the lines of one paste are one entry: between bracketed-paste markers (a paste that ends
    // mid-line ends with the person's Enter), or, from a terminal without them, the lines of one read burst.
    const group: string[] = [];
    let pasting = false;
    let pasteOpen = false;
    let flushing = false;
    const flush = () => {
      flushing = false;
      if (pasting || pasteOpen || group.length === 0) return;
      deliver(group.splice(0).join('\n'));
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
      if (!terminal) return deliver(line);
      group.push(line);
      pasteOpen = false;
      scheduleFlush();
    });
    if (terminal) {
      input.on('keypress', onKeypress);
      output.write(BRACKETED_PASTE_ON);
    }
    reader.on('close', () => {
      if (terminal) {
        input.off('keypress', onKeypress);
        output.write(BRACKETED_PASTE_OFF);
      }
      // Closed only to hand the terminal to an editor: a new reader opens for the next question.
      if (rl !== reader) return;
      closed = true;
      for (const next of waiting.splice(0)) next(null);
    });
    reader.on('SIGINT', () => {
      // Forget what was typed (readline keeps it otherwise, and the next Enter would send it).
      if (terminal) {
        reader.write(null, { ctrl: true, name: 'e' });
        reader.write(null, { ctrl: true, name: 'u' });
      }
      const asking = waiting.length > 0;
      if (asking) output.write('^C\n');
      for (const handler of [...interruptHandlers]) handler();
      // A handler may have withdrawn the question (the task was stopped while asking).
      if (asking && waiting.length > 0 && !closed) reader.prompt();
    });
    return reader;
  };
  return {
    question(prompt, signal) {
      const reader = open();
      if (signal?.aborted) return Promise.resolve(null);
      if (lines.length > 0) {
        output.write(prompt);
        return Promise.resolve(lines.shift() ?? null);
      }
      if (closed) return Promise.resolve(null);
      reader.setPrompt(prompt);
      reader.prompt();
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
    },
    onInterrupt(handler) {
      interruptHandlers.add(handler);
      return () => interruptHandlers.delete(handler);
    },
    async releaseTerminal(child) {
      const reader = rl;
      released += 1;
      if (reader && !closed) {
        rl = null;
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
      return typeAhead.splice(0);
    },
    get terminalReleased() {
      return released > 0;
    },
    close() {
      rl?.close();
    },
  };
}
