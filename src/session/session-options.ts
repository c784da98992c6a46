/** What poli's tmux session is opened with (session.ts): the tmux runner and client, the CLIs, timing and hooks. */
import type { PaneChannel } from '../reading/channel.ts';
import type { Role } from '../protocol/types.ts';
import type { TmuxClient } from '../tmux/client.ts';
import type { Clock, TmuxRunner } from '../tmux/types.ts';
import type { CliSpec } from './cli-spec.ts';

/** tmux's session name for poli's two panes. */
export const SESSION_NAME = 'poli';

export interface SessionOptions {
  run: TmuxRunner;
  /**
   * The control-mode side of the tmux client: given, each pane is read from a terminal model fed by its output
   * (reading/pane-watch.ts) once the dialogue starts; absent (or when control mode is unavailable), by capture-pane.
   */
  client?: Pick<TmuxClient, 'run' | 'attach' | 'onOutput' | 'onResync'>;
  /** Resolves when a pane may have changed (see TmuxClient); defaults to sleeping. */
  waitForChange?: (paneIds: readonly string[], maxWaitMs: number) => Promise<void>;
  socket: string;
  /**
   * The tmux session holding this pair of panes (default {@link SESSION_NAME}). Several pairs on one server, one
   * dialogue each, each take their own: a session is found, reused and repaired by name, and holds one pair. Given,
   * its window is named after it too, and `PoliSession.kill` kills only it (and the server once none is left).
   */
  session?: string;
  clock: Clock;
  projectDir: string;
  clis: Record<Role, CliSpec>;
  /** How long a CLI may take to show its prompt after starting, or to answer its primer. */
  readyTimeoutMs: number;
  /** How often a CLI that exits while starting or answering its primer is started again. */
  restarts?: number;
  pollMs: number;
  log?(message: string): void;
  debug?(message: string): void;
  /** Wraps each pane's channel once more, outside the file channel (the structured intake, src/mcp/intake.ts). */
  wrapChannel?(channel: PaneChannel): PaneChannel;
  /** Leaves the CLIs to prime for `PoliSession.primeRemaining`, once a task exists to show a limit met then. */
  deferPriming?: boolean;
}
