/** A workspace's terminal output: the live progress line, and the logger whose lines go above it on a terminal. */
import { Writable } from 'node:stream';
import { realClock, type AppIO } from '../host.ts';
import { createLogger, type Logger } from '../records/logger.ts';
import type { Settings } from '../settings.ts';
import { createProgressDisplay, type ProgressDisplay } from '../terminal/live-progress.ts';

/** The terminal output of an open workspace. */
export interface WorkspaceOutput {
  /** stdout is a terminal. */
  tty: boolean;
  live: ProgressDisplay;
  logger: Logger;
}

/** The live line and the logger, coloured unless NO_COLOR or no terminal. */
export function openOutput(io: AppIO, settings: Settings): WorkspaceOutput {
  const tty = io.stdout.isTTY === true;
  // no-color.org: set and not empty.
  const noColor = (io.env.NO_COLOR ?? '') !== '';
  const live = createProgressDisplay({
    write: (text) => io.stdout.write(text),
    tty,
    color: !noColor,
    now: () => realClock.now(),
    columns: (io.stdout as { columns?: number }).columns ?? 100,
  });
  const logStream = tty ? lineStream((line) => live.line(line)) : io.stderr;
  const logger = createLogger({
    dir: settings.stateDir,
    level: settings.logLevel,
    console: true,
    // Colour only for a terminal: a file or a pipe gets plain text.
    noColor: noColor || !(tty || (io.stderr as { isTTY?: boolean }).isTTY === true),
    // On a terminal, log lines go above the live progress line instead of through it.
    stream: logStream,
  });
  return { tty, live, logger };
}

/** A stream that hands each written chunk, without its final newline, to `line`. */
export function lineStream(line: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      line(String(chunk).replace(/\n$/, ''));
      done();
    },
  });
}
