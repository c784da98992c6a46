/**
 * Long task texts: `--task-file FILE`, and `--task -` / `--task-file -` for stdin. Linux refuses one argument over
 * 128 KiB (MAX_ARG_STRLEN), so a 1 MB specification can only come through a file or a pipe. Also the short head of
 * a task that the terminal shows instead of the whole text.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.ts';

/** The argument that means "read the task from stdin". */
export const STDIN_SOURCE = '-';

/**
 * The task text from a file, or from `stdin` when `source` is `-` (read to its end).
 * @throws ConfigError when the file cannot be read, stdin is a terminal, or the text is blank.
 */
export async function readTaskText(source: string, stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  let text: string;
  if (source === STDIN_SOURCE) {
    if (stdin.isTTY === true) {
      throw new ConfigError(
        'the task is to be read from stdin (-), but stdin is a terminal: pipe it in (poli --task - < task.md) or name a file: poli --task-file task.md',
      );
    }
    text = await readAll(stdin);
  } else {
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      throw new ConfigError(`--task-file ${source}: cannot read it (${code || (error as Error).message}); give a readable text file, or - for stdin`, {
        cause: error,
      });
    }
  }
  if (text.trim() === '') {
    throw new ConfigError(`the task read from ${source === STDIN_SOURCE ? 'stdin' : source} is empty; write the task there, or pass it with --task "TEXT"`);
  }
  return text;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Longest head of a task shown on one terminal line. */
export const TASK_HEAD_CHARS = 100;

/**
 * The task as the "task started" line shows it: whole when it is one short line, else its first line that says
 * something, cut at `max`, and how long the whole is (`… (2,345 lines, 120 KB)`): a 120 KB specification echoed
 * whole pushed everything else off the terminal.
 */
export function taskHead(task: string, max = TASK_HEAD_CHARS): string {
  const lines = task.split('\n');
  if (lines.length === 1 && task.length <= max) return task;
  const first = lines.map((l) => l.trim()).find((l) => l !== '') ?? '';
  const head = first.length > max ? `${first.slice(0, max - 1)}…` : first;
  const bytes = Buffer.byteLength(task, 'utf8');
  const size = bytes >= 1024 ? `${Math.round(bytes / 1024).toLocaleString('en-US')} KB` : `${bytes} bytes`;
  return `${head} (${lines.length.toLocaleString('en-US')} line${lines.length === 1 ? '' : 's'}, ${size})`;
}
