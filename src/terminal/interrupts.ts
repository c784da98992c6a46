/**
 * What ends poli from outside, at any time: Ctrl+C (SIGINT), SIGTERM, a terminal that hangs up (SIGHUP) and a reader
 * of stdout that went away (`poli … | head -1`, quitting `less`: EPIPE, reported as the pseudo-signal SIGPIPE by
 * main.ts). Each takes the same clean path as Ctrl+C mid-task: the task ends `interrupted`, the lock and the session
 * files are released, --kill-on-exit kills the server, and poli exits 1.
 */
import { PoliError } from '../errors.ts';
import type { InterruptSignal } from '../host.ts';

export const INTERRUPT_SIGNALS: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE'];

/** The reason a task interrupted by `signal` records (the first two are the ones poli always wrote). */
export function interruptReason(signal: InterruptSignal): string {
  switch (signal) {
    case 'SIGINT':
      return 'interrupted by Ctrl+C (SIGINT)';
    case 'SIGTERM':
      return 'terminated (SIGTERM)';
    case 'SIGHUP':
      return 'the terminal hung up (SIGHUP)';
    case 'SIGPIPE':
      return "stdout was closed (EPIPE: nobody reads poli's output any more)";
  }
}

/** poli was interrupted while it started the session, before any task began. */
export class StartInterruptedError extends PoliError {
  constructor(reason: string) {
    super('INTERRUPTED', `${reason} while starting the CLIs; no task was started.`);
  }
}

/**
 * `work`, or a StartInterruptedError as soon as `signal` aborts (with the abort's reason). `work` goes on in the
 * background; its late failure is dropped, as the caller is already cleaning up after the interruption.
 */
export async function unlessInterrupted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  const interrupted = (): StartInterruptedError => new StartInterruptedError(String(signal.reason));
  if (signal.aborted) {
    work.catch(() => undefined);
    throw interrupted();
  }
  let off = (): void => undefined;
  const stop = new Promise<never>((_, reject) => {
    const onAbort = () => reject(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    off = () => signal.removeEventListener('abort', onAbort);
  });
  try {
    return await Promise.race([work, stop]);
  } catch (error) {
    work.catch(() => undefined);
    throw error;
  } finally {
    off();
  }
}
