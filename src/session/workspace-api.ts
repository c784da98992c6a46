/** What tasks and the command line see of an open workspace (built in workspace.ts and workspace-open.ts). */
import type { AppIO } from '../host.ts';
import type { ControlInbox } from '../human/control.ts';
import type { Role } from '../protocol/types.ts';
import type { EventLog, PoliEvent } from '../records/events.ts';
import type { Logger } from '../records/logger.ts';
import type { Settings } from '../settings.ts';
import type { StateStore } from '../state/store.ts';
import type { TaskRecord } from '../state/types.ts';
import type { LineInput } from '../terminal/line-input.ts';
import type { ProgressDisplay } from '../terminal/live-progress.ts';
import type { Clock } from '../tmux/types.ts';
import type { CliSpec } from './cli-spec.ts';
import type { PoliSession } from './session.ts';

export interface Workspace {
  io: AppIO;
  settings: Settings;
  session: PoliSession;
  /**
   * Before a task in a session poli keeps open (interactive mode): when the tmux session is gone (its server was
   * killed) or one of its panes is, starts it again, or the missing pane (saying so at the terminal).
   */
  ensureSession(): Promise<void>;
  /** --on-limit switch: the fallback CLI of each role that has one. */
  fallbacks: Partial<Record<Role, CliSpec>>;
  store: StateStore;
  logger: Logger;
  clock: Clock;
  events: EventLog;
  /** Commands from other terminals (poli say/pause/resume/stop). */
  control: ControlInbox;
  /** Lines typed at poli's terminal (interactive prompt, approval gate). */
  input: LineInput;
  /** A line for the person at the terminal (stdout). */
  say(line: string): void;
  /** A progress line while a task runs (stdout). */
  progress(line: string): void;
  /** A line on stderr (a failure, a warning for the person), never glued to the live line. */
  error(line: string): void;
  /**
   * Runs `ask` (a question to the person at the terminal) with the live line put away, rings the
   * terminal bell and runs --notify with `event`; the live line comes back afterwards.
   */
  ask<T>(event: PoliEvent, ask: () => Promise<T>): Promise<T>;
  /** Tells the person they are needed: the terminal bell on a TTY, and --notify with the event. */
  notify(event: PoliEvent): void;
  /** The live status line at the bottom of a terminal (a no-op elsewhere). */
  live: ProgressDisplay;
  /**
   * The longest the dialogue waits between two looks at the panes. Event-driven (control mode),
   * output wakes it at once, so the cap only paces timeout checks: a long one keeps poli idle
   * while the CLIs think (measured 0.2 % of a core at 1 s against 0.9 % at 250 ms). Polling,
   * it is --poll-ms.
   */
  waitCapMs(): number;
  writeTranscript(task: TaskRecord): Promise<void>;
  /**
   * The task is ending: replies through poli's tool and command for its turns are refused as closed from now on
   * (never answered "delivered" and then dropped).
   */
  closeReplies(): void;
  /** Shows a line at the right of the status bar of poli's tmux server (best effort). */
  setStatus(line: string): Promise<void>;
  close(): Promise<void>;
}
