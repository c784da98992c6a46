/**
 * What a task does when a CLI is at its usage limit (or logged out) as poli primes it — at start-up, after a crash, or
 * when a fallback is started: as during a turn, it switches the pane to the fallback CLI (--on-limit switch), or it
 * waits with the task `waiting` until the reset time (or `poli resume`), then has the primer typed again.
 */
import { DEFAULT_LIMIT_POLICY, type LimitEpisode, type LimitWait, planAuthWait, planUsageWait } from '../dialogue/limits.ts';
import type { ControlCommand } from '../human/control.ts';
import { PoliError } from '../errors.ts';
import type { LimitScreen } from '../profiles/limit-screens.ts';
import type { Role } from '../protocol/types.ts';
import type { WaitRecord } from '../state/types.ts';
import type { Clock } from '../tmux/types.ts';
import type { PrimingLimitHandler } from './priming-limits.ts';
import type { CliSpec } from './cli-spec.ts';

/** A CLI stayed at its limit past --limit-wait while poli primed it, or the task was stopped during that wait. */
export class PrimingLimitError extends PoliError {
  constructor(message: string, readonly interrupted = false) {
    super('PRIMING_LIMIT', message);
  }
}

export interface PrimingWaitOptions {
  clock: Clock;
  /** --limit-wait, in ms. */
  limitWaitMs: number;
  socket: string;
  /** --on-limit switch: each role's fallback CLI (none with --on-limit wait). */
  fallbacks: Partial<Record<Role, CliSpec>>;
  /** Roles switched already in this task (each switches once; shared with the turn's switch). */
  switched: Set<Role>;
  paneOf(role: Role): string;
  /** The name of the CLI the role's pane runs (for the login reason). */
  program(role: Role): string;
  /** The task's `waiting` (null: over). */
  waiting(wait: WaitRecord | null): Promise<void>;
  /** Tells the person (progress line, log, event): a wait that starts carries it. */
  notice(role: Role, text: string, wait?: LimitWait): void;
  /** Commands from `poli resume`/`poli stop`; the others are kept for the dialogue. */
  control(): Promise<ControlCommand[]>;
  keep(commands: ControlCommand[]): void;
  signal: AbortSignal;
}

/** How often the wait looks at the clock, the commands and the stop signal. */
const LOOK_MS = 500;

export function primingLimitHandler(options: PrimingWaitOptions): PrimingLimitHandler {
  const { clock } = options;
  const episodes = new Map<Role, LimitEpisode>();
  return async (role: Role, screen: LimitScreen): Promise<CliSpec | undefined> => {
    const fallback = options.fallbacks[role];
    if (screen.kind === 'usage' && fallback && !options.switched.has(role)) {
      options.switched.add(role);
      options.notice(role, `the ${role} CLI is at its usage limit as poli starts it (${screen.line}); switching its pane to the fallback ${fallback.profile.name} (${fallback.command})`);
      return fallback;
    }
    const now = clock.now();
    let wait: LimitWait;
    if (screen.kind === 'usage') {
      const episode = episodes.get(role) ?? { id: `primer-${role}`, firstSince: now, waits: 0 };
      episode.waits += 1;
      episodes.set(role, episode);
      const plan = planUsageWait(screen, role, now, episode, { ...DEFAULT_LIMIT_POLICY, limitWaitMs: options.limitWaitMs });
      if ('giveUp' in plan) throw new PrimingLimitError(`${plan.giveUp} (while poli primed it)`);
      wait = plan.wait;
    } else {
      wait = planAuthWait(screen, role, now, options.program(role), options.paneOf(role), options.socket);
    }
    await options.waiting({
      kind: wait.kind,
      role,
      reason: wait.reason,
      since: new Date(wait.since).toISOString(),
      until: wait.until === null ? null : new Date(wait.until).toISOString(),
      ...(wait.resetAt !== undefined ? { resetAt: new Date(wait.resetAt).toISOString() } : {}),
    });
    options.notice(role, `waiting: ${wait.reason}`, wait);
    const why = await waitOut(options, wait);
    await options.waiting(null);
    options.notice(role, `the wait for the ${role} is over (${why}); typing its primer again`);
    return undefined;
  };
}

/** Until the reset time (a usage limit), `poli resume`, or --limit-wait for a login; a stop ends the task. */
async function waitOut(options: PrimingWaitOptions, wait: LimitWait): Promise<string> {
  const { clock, signal } = options;
  for (;;) {
    if (signal.aborted) throw new PrimingLimitError(`stopped while waiting for the ${wait.role}: ${String(signal.reason)}`, true);
    const commands = await options.control();
    const stop = commands.find((c) => c.kind === 'stop');
    if (stop) throw new PrimingLimitError(`stopped by the human (poli stop) while waiting for the ${wait.role}`, true);
    const resumed = commands.some((c) => c.kind === 'resume');
    // Notes (poli say) were taken by the task's intake already; a pause waits for the dialogue.
    options.keep(commands.filter((c) => c.kind !== 'resume' && c.kind !== 'say'));
    if (resumed) return 'cut short by poli resume';
    const now = clock.now();
    if (wait.until !== null && now >= wait.until) return 'the reset time came';
    if (now - wait.since >= options.limitWaitMs) {
      throw new PrimingLimitError(`the ${wait.role} was still waiting after --limit-wait while poli primed it: ${wait.line}`);
    }
    await clock.sleep(wait.until === null ? LOOK_MS : Math.max(1, Math.min(LOOK_MS, wait.until - now)));
  }
}
