/**
 * A CLI at its usage limit (or logged out) when poli primes it: its answer to the primer is the limit screen. The
 * session reports it to a handler (the running task's: wait for the reset with the task `waiting`, or switch to the
 * fallback CLI) instead of waiting out the start-up timeout. Only the output since the primer was typed counts: a
 * limit line left from before a wait is not a new limit.
 */
import type { CliSpec } from './cli-spec.ts';
import { limitReaderFor, type LimitScreen } from '../profiles/limit-screens.ts';
import type { Role } from '../protocol/types.ts';
import type { PaneMark, PaneReader } from '../tmux/reader.ts';

/**
 * What to do about a limit met while priming: resolve with nothing to type the primer again (the wait is over), or
 * with another CLI to start in the pane in its place (--on-limit switch). Throws to give up.
 */
export type PrimingLimitHandler = (role: Role, screen: LimitScreen) => Promise<CliSpec | undefined>;

/** The limit kinds priming stops for: the CLI answered with a usage limit or a logout. */
const STOPPING = new Set(['usage', 'auth']);

/** Lines read back from the primer's mark, at most: the limit screens are a few lines at the bottom. */
const LIMIT_LINES = 30;

/** The usage limit or logout the CLI showed since `mark` (taken as the primer was typed), if any. */
export async function limitSincePrimer(
  reader: PaneReader,
  mark: PaneMark,
  profileName: string,
  now: number,
): Promise<LimitScreen | undefined> {
  const read = limitReaderFor(profileName);
  if (!read) return undefined;
  const text = await reader.readSince(mark, { maxLines: LIMIT_LINES }).catch(() => '');
  const lines = text.split('\n');
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  const screen = read(lines, { now });
  return screen && STOPPING.has(screen.kind) ? screen : undefined;
}

/**
 * The usage limits and logouts CLIs answered their primers with while no task could wait for them (interactive mode's
 * start-up, `poli start`, a session started again at the prompt): each such CLI is left unprimed, and the next task
 * meets its limit first (PoliSession.primeRemaining).
 */
export class KeptLimits {
  private readonly met = new Map<Role, LimitScreen>();

  keep(role: Role, screen: LimitScreen, log?: (message: string) => void): void {
    this.met.set(role, screen);
    log?.(
      `the ${role} CLI answered its primer with ${screen.kind === 'usage' ? 'its usage limit' : 'a logout'} (${screen.line}); ` +
        'it is primed again when the next task starts, which waits for it (or switches, with --on-limit switch)',
    );
  }

  /**
   * The role's kept limit while its shown reset is still ahead, to wait for without typing the primer once more; past
   * its reset, with no reset shown, or a logout, nothing: the primer is typed again and the CLI says. Forgotten either
   * way.
   */
  take(role: Role, now: number): LimitScreen | undefined {
    const screen = this.met.get(role);
    this.met.delete(role);
    return screen?.kind === 'usage' && screen.resetAt !== undefined && screen.resetAt > now ? screen : undefined;
  }

  list(): { role: Role; screen: LimitScreen }[] {
    return [...this.met].map(([role, screen]) => ({ role, screen }));
  }
}
