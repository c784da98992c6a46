/**
 * A task's priming: the CLIs the session left unprimed (one task to run) are primed once the task exists, so a usage
 * limit met then makes the task wait, as in a turn.
 */
import type { TaskRecorder } from '../dialogue/run-task.ts';
import type { ControlCommand } from '../human/control.ts';
import type { Role } from '../protocol/types.ts';
import { formatProgress } from '../terminal/progress.ts';
import { PrimingLimitError, primingLimitHandler } from './priming-wait.ts';
import type { Workspace } from './workspace-api.ts';

/**
 * Primes the CLIs the session left unprimed, a usage limit met meanwhile handled by priming-wait.ts. Returns the reason
 * when an interrupt ended the priming (the task ends interrupted), nothing when both CLIs are primed.
 */
export async function primeForTask(
  ws: Workspace,
  taskId: string,
  signal: AbortSignal,
  switched: Set<Role>,
  control: () => Promise<ControlCommand[]>,
  keep: (commands: ControlCommand[]) => void,
  recorder: TaskRecorder,
  round: () => number,
  started: number,
): Promise<string | undefined> {
  const { settings, clock } = ws;
  const handler = primingLimitHandler({
    clock,
    limitWaitMs: settings.limitWait * 3600_000,
    socket: settings.socket,
    fallbacks: ws.fallbacks,
    switched,
    paneOf: (role) => ws.session.paneIds[role],
    program: (role) => ws.session.channels[role].program ?? 'the CLI',
    waiting: async (wait) => recorder.waiting?.(wait),
    notice: (role, text, wait) => {
      ws.progress(formatProgress(clock.now() - started, round(), role, text, wait !== undefined));
      ws.logger.warn(text, { event: wait ? 'waiting' : 'restart', task: taskId, round: round(), role, fileOnly: true });
      if (wait) {
        const until = wait.until === null ? null : new Date(wait.until).toISOString();
        ws.notify(ws.events.emit({ event: 'waiting', task: taskId, round: round(), role, pane: ws.session.paneIds[role], reason: text, for: wait.kind, until }));
      }
    },
    control,
    keep,
    signal,
  });
  const priming = ws.session.primeRemaining(handler);
  // Interrupted meanwhile (Ctrl+C, SIGTERM, SIGHUP, a closed stdout): the task ends as interrupted, at once; what is
  // left of the priming goes on until poli cleans up, and its late failure is nobody's to report.
  const stopped = new Promise<string>((resolve) => {
    if (signal.aborted) resolve(String(signal.reason));
    else signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true });
  });
  try {
    const result = await Promise.race([priming.then(() => undefined), stopped]);
    if (result !== undefined) priming.catch(() => undefined);
    return result;
  } catch (error) {
    if (error instanceof PrimingLimitError && error.interrupted) return error.message;
    // Ended before the dialogue began: recorded here, as the dialogue records its own end.
    await recorder.finish('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
}

