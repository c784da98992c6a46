/** What the TUI is built from: its terminal streams, texts, the submit handler, and the misbehaviour switches. */
import type { SubmitHandler } from './turn.ts';

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
  rows?: number;
}

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
  draw?: 'classic' | 'repaint' | 'alt';
  /** A clock row in the area changes every N ms (`--animate-ms`). */
  animateMs?: number;
  /** The area is at least this many rows tall (`--bottom-rows`). */
  bottomRows?: number;
  submitOnPaste?: boolean;
  /** Enters in a row that submit a non-empty input (`--enters`, default 1). */
  enters?: number;
  echoCharMs?: number;
  /** The first Enter after input inserts a line break, the next submits (`--enter-newline-first`). */
  enterNewlineFirst?: boolean;
  /** The input area's look (`--input-box`, default claude). */
  inputBox?: 'claude' | 'plain' | 'opencode';
  /** Full-screen draws: each submission blanks the bottom half of the screen (input area, spinner) for 300 ms (`--redraw-half-on-submit`). */
  redrawHalfOnSubmit?: boolean;
  /** The spinner keeps going this many ms after each turn (`--busy-after-reply-ms`). */
  busyAfterReplyMs?: number;
  /** Each chunk of input is read this many ms after it arrived (`--input-lag-ms`). */
  inputLagMs?: number;
}
