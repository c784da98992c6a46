import { mkdirSync } from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import type { LogLevel } from '../settings.ts';

/** Structured fields of a log event; `event` names what happened (`message_routed`, `pane_died`, …). */
export interface LogFields {
  event?: string;
  task?: string;
  round?: number;
  role?: string;
  /**
   * File only: the terminal already shows this as a progress line (messages of the dialogue),
   * so the console transport skips it.
   */
  fileOnly?: boolean;
  [field: string]: unknown;
}

/** What the rest of poli logs through; only this module knows about winston. */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** Flushes the log file and closes it. */
  close(): Promise<void>;
}

export interface CreateLoggerOptions {
  /** Directory of `poli_orchestrator.log` (created if missing). */
  dir: string;
  level: LogLevel;
  /** Whether to also write readable lines to the terminal stream. */
  console: boolean;
  /** Terminal stream; stderr by default so stdout stays for results. */
  stream?: NodeJS.WritableStream;
  /** True when the user set NO_COLOR: the terminal lines carry no ANSI colour. */
  noColor?: boolean;
  /** Level of the log file; the terminal level by default. */
  fileLevel?: LogLevel;
  clock?: { now(): number };
}

export const LOG_FILE_NAME = 'poli_orchestrator.log';
const MAX_LOG_FILE_BYTES = 5 * 1024 * 1024;
const MAX_LOG_FILES = 5;
const LEVEL_COLOURS: Record<string, string> = {
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[36m',
  debug: '\x1b[90m',
};
const RESET = '\x1b[0m';

/**
 * A logger writing JSON lines (`timestamp`, `level`, `message`, then the fields) to `<dir>/poli_orchestrator.log`,
 * rotated at 5 MB keeping 5 files, and, when `console` is set, `HH:MM:SS level message` lines to the terminal.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const { dir, level, stream = process.stderr, noColor = false, clock = Date } = options;
  mkdirSync(dir, { recursive: true });
  const timestamp = winston.format.timestamp({ format: () => new Date(clock.now()).toISOString() });
  const file = new winston.transports.File({
    filename: path.join(dir, LOG_FILE_NAME),
    level: options.fileLevel ?? level,
    maxsize: MAX_LOG_FILE_BYTES,
    maxFiles: MAX_LOG_FILES,
    tailable: true,
    format: winston.format.combine(timestamp, winston.format.printf(formatJsonLine)),
  });
  const transports: winston.transport[] = [file];
  if (options.console) {
    transports.push(
      new winston.transports.Stream({
        stream,
        level,
        format: winston.format.combine(
          skipFileOnly(),
          timestamp,
          winston.format.printf((info) => formatTerminalLine(info, !noColor)),
        ),
      }),
    );
  }
  const logger = winston.createLogger({ level: 'debug', transports, exitOnError: false });
  const log = (lvl: LogLevel) => (message: string, fields?: LogFields) => {
    logger.log({ ...fields, level: lvl, message });
  };
  let closed: Promise<void> | undefined;
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    close() {
      closed ??= new Promise<void>((resolve) => {
        // The file transport finishes after the logger does; waiting on it is what guarantees the lines are on disk.
        file.once('finish', () => resolve());
        logger.end();
      });
      return closed;
    },
  };
}

const skipFileOnly = winston.format((info) => (info['fileOnly'] === true ? false : info));

function formatJsonLine(info: winston.Logform.TransformableInfo): string {
  const { timestamp, level, message, fileOnly: _fileOnly, ...fields } = info;
  return JSON.stringify({ timestamp, level, message, ...fields });
}

function formatTerminalLine(info: winston.Logform.TransformableInfo, colour: boolean): string {
  const time = formatLocalTime(new Date(String(info.timestamp)));
  const level = info.level.padEnd(5);
  const shown = colour ? `${LEVEL_COLOURS[info.level] ?? ''}${level}${RESET}` : level;
  return `${time} ${shown} ${String(info.message)}`;
}

function formatLocalTime(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
