/** A stand-in for a `tmux -C` process, for unit tests of the control-mode client and what sits on it. */
import type { ControlProcess } from '../../src/tmux/runner.ts';

/** A control-mode process that answers each written command line through `answer`. */
export function createFakeProcess(answer: (line: string, n: number) => string = () => '') {
  const lines: string[] = [];
  let listener: (chunk: Buffer) => void = () => undefined;
  let exit: (value: { exitCode: number | undefined; stderr: string }) => void = () => undefined;
  let number = 100;
  const process: ControlProcess & { lines: string[]; emit(text: string): void; end(stderr?: string): void; killed: boolean } = {
    lines,
    killed: false,
    write(text) {
      for (const line of text.split('\n').filter((l) => l !== '')) {
        lines.push(line);
        const reply = answer(line, number);
        // Answer asynchronously, like a real process.
        queueMicrotask(() => process.emit(reply));
        number += 1;
      }
    },
    onData(l) {
      listener = l;
    },
    exited: new Promise((resolve) => {
      exit = resolve;
    }),
    kill() {
      process.killed = true;
      exit({ exitCode: undefined, stderr: '' });
    },
    emit(text) {
      if (text !== '') listener(Buffer.from(text, 'utf8'));
    },
    end(stderr = '') {
      exit({ exitCode: 1, stderr });
    },
  };
  return process;
}

/** A reply block per command on the line: `ok` output lines, or an error. */
export function reply(n: number, lines: string[], ok = true): string {
  return `%begin 1700000000 ${n} 1\n${lines.map((l) => `${l}\n`).join('')}%${ok ? 'end' : 'error'} 1700000000 ${n} 1\n`;
}

export const ATTACHED = '%begin 1700000000 1 0\n%end 1700000000 1 0\n%session-changed $0 poli\n';
