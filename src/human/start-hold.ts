/**
 * A pause the person sent while no task ran (at the interactive prompt, or while poli was starting) holds the next
 * task before its text is typed into the PLANNER: the dialogue only looks at commands once the task was sent, so
 * without this the task's text went out and only the reply was held.
 */
import { applyControlCommands, type ControlCommand } from './control.ts';

export interface StartHoldOptions {
  /** Takes the commands that arrived since the last look (ControlInbox.poll). */
  poll(): Promise<ControlCommand[]>;
  sleep(ms: number): Promise<void>;
  /** How often to look for `poli resume` / `poli stop`. */
  everyMs: number;
  /** The task was stopped from this process (Ctrl+C, a signal, a closed stdout). */
  signal: AbortSignal;
  /** Called once when the hold begins, and once when it ends with a resume. */
  onHold(on: boolean): void;
}

/** How the hold ended, and every command taken (for the dialogue: the notes among them, and the pause it ended). */
export type StartHoldResult =
  | { outcome: 'go'; commands: ControlCommand[] }
  | { outcome: 'stopped'; reason: string; commands: ControlCommand[] };

/**
 * Folds `carried` with what is waiting now; while that leaves the task paused, waits for `poli resume` (go) or
 * `poli stop` / `signal` (stopped). Returns at once when nothing holds the task.
 */
export async function holdBeforeStart(carried: readonly ControlCommand[], options: StartHoldOptions): Promise<StartHoldResult> {
  const commands = [...carried, ...(await options.poll())];
  let state = applyControlCommands(false, commands);
  if (state.stop) return { outcome: 'stopped', reason: 'stopped by the human (poli stop)', commands };
  if (!state.paused) return { outcome: 'go', commands };
  options.onHold(true);
  for (;;) {
    if (options.signal.aborted) return { outcome: 'stopped', reason: String(options.signal.reason), commands };
    await options.sleep(options.everyMs);
    const more = await options.poll();
    commands.push(...more);
    state = applyControlCommands(state.paused, more);
    if (state.stop) return { outcome: 'stopped', reason: 'stopped by the human (poli stop)', commands };
    if (!state.paused) {
      options.onHold(false);
      return { outcome: 'go', commands };
    }
  }
}
