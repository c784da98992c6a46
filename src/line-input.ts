/**
 * Lines typed by the person at poli's terminal: the interactive prompt and the approval gate
 * share one reader, so two readline interfaces never compete for stdin.
 */
import { createInterface, type Interface } from 'node:readline';

export interface LineInput {
  /** Shows `prompt` and resolves with the next line, or null at end of input (Ctrl+D). */
  question(prompt: string): Promise<string | null>;
  /** Ctrl+C typed at the terminal (readline turns it into an event instead of a signal). */
  onInterrupt(handler: () => void): void;
  close(): void;
}

export function createLineInput(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
): LineInput {
  let rl: Interface | null = null;
  let closed = false;
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  const interruptHandlers: (() => void)[] = [];
  const open = (): Interface => {
    if (rl) return rl;
    rl = createInterface({ input, output, terminal: input.isTTY === true });
    rl.on('line', (line) => {
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    });
    rl.on('close', () => {
      closed = true;
      for (const next of waiting.splice(0)) next(null);
    });
    rl.on('SIGINT', () => interruptHandlers.forEach((h) => h()));
    return rl;
  };
  return {
    question(prompt) {
      const reader = open();
      if (lines.length > 0) {
        output.write(prompt);
        return Promise.resolve(lines.shift() ?? null);
      }
      if (closed) return Promise.resolve(null);
      reader.setPrompt(prompt);
      reader.prompt();
      return new Promise((resolve) => waiting.push(resolve));
    },
    onInterrupt(handler) {
      interruptHandlers.push(handler);
    },
    close() {
      rl?.close();
    },
  };
}
