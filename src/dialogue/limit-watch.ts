/**
 * The limits of a CLI's model API, acted on: waits out a usage limit or a login (status `waiting`, timeouts held),
 * holds the timeouts while the CLI retries by itself, sends the message again once (same id) after a failed request,
 * and switches a role to its fallback CLI at a usage limit (--on-limit switch). The screens are read by
 * profiles/limit-screens.ts; the waits are planned by limits.ts and kept in limit-waits.ts.
 */
import type { LimitScreen } from '../profiles/limit-screens.ts';
import type { DialogueCore } from './core.ts';
import { type LimitWait, planAuthWait, planUsageWait } from './limits.ts';
import { expectLine } from './machine.ts';
import { type LimitStep, holdWhileRetrying, onFailedRequest, sendAgain } from './retries.ts';
import type { Turn } from './turn.ts';

export type { LimitStep };

/** The readings one look at the limits works with: wall time for what a screen says, monotonic time for durations. */
interface Look {
  turn: Turn;
  screenState: string;
  screen: LimitScreen | undefined;
  now: number;
  mono: number;
  /** This wake of the loop (ms): held when the CLI cannot answer. */
  wake: number;
}

/**
 * Looks at what the pending CLI's screen says about its model API and acts on it. 'restart': the loop starts over;
 * 'held': this wake's time was held.
 */
export async function watchLimits(d: DialogueCore, turn: Turn, screenState: string, loopStart: number): Promise<LimitStep> {
  const channel = d.channels[turn.role];
  if (!channel.limit) return 'go';
  // Wall time for what a screen says (reset times) and the waits built on it; the monotonic reading for durations.
  const now = d.clock.now();
  const mono = d.elapsed();
  const screen = await channel.limit(now).catch(() => undefined);
  d.limitWaits.keepEpisodeOf(turn.id);
  const look: Look = { turn, screenState, screen, now, mono, wake: mono - loopStart };
  const wait = d.limitWaits.wait;
  if (wait) {
    d.held.hold(look.wake);
    return wait.kind === 'usage' ? continueUsageWait(d, wait, look) : continueAuthWait(d, wait, look);
  }
  if (!screen || d.limitWaits.isStale(turn, screenState, mono, screen)) {
    d.retries.noticed = undefined;
    return 'go';
  }
  return onLimitScreen(d, { ...look, screen });
}

/** A limit, a login, a retry or a failure newly on the screen. */
async function onLimitScreen(d: DialogueCore, look: Look & { screen: LimitScreen }): Promise<LimitStep> {
  const { turn, screen, screenState, now } = look;
  switch (screen.kind) {
    case 'usage':
      if (screenState === 'busy' && !screen.dialog) return 'go';
      return startUsageWait(d, turn, screen, now);
    case 'auth': {
      if (screenState === 'busy') return 'go';
      const channel = d.channels[turn.role];
      const wait = planAuthWait(screen, turn.role, now, channel.program ?? 'the CLI', channel.paneId, d.options.socket ?? '<socket>');
      await startWait(d, wait, turn.id);
      return 'held';
    }
    case 'retrying':
    case 'compacting':
      return holdWhileRetrying(d, turn, screen, look.wake);
    case 'failed':
    case 'context_full':
      return onFailedRequest(d, turn, screen, screenState, look.mono);
  }
}

/** In a usage-limit wait: over when the CLI goes on by itself, or at the reset time (or poli resume): type it again. */
async function continueUsageWait(d: DialogueCore, wait: LimitWait, look: Look): Promise<LimitStep> {
  const { turn, screen, screenState, now } = look;
  const cutShort = d.limitWaits.cutShort;
  if (screenState === 'busy' && screen?.kind !== 'usage') {
    await endWait(d, `the ${turn.role} went on by itself`);
    return 'held';
  }
  if (!cutShort && wait.until !== null && now < wait.until) return 'held';
  if (screenState === 'busy' || screenState === 'approval') return 'held';
  if (screen?.kind === 'usage' && screen.dialog) {
    // A dialog waits for a key (Claude: "What do you want to do?", Gemini: "Keep trying"). The profile's dialog rule
    // answers it with the choice that stops and waits (screenState, cli-dialogs.ts); one without a rule is left
    // to a person, and poli waits on within --limit-wait.
    d.limitWaits.wait = null;
    return startUsageWait(d, turn, screen, now);
  }
  await endWait(d, cutShort ? 'cut short by poli resume' : 'the reset time came');
  await sendAgain(d, turn, `the ${turn.role} was at its usage limit`);
  return 'restart';
}

/** In a login wait: over once the screen no longer shows it and the CLI is idle, or on poli resume. */
async function continueAuthWait(d: DialogueCore, wait: LimitWait, look: Look): Promise<LimitStep> {
  const { turn, screen, screenState, now } = look;
  const cutShort = d.limitWaits.cutShort;
  if (!cutShort && now - wait.since >= d.policy.limitWaitMs) {
    await d.apply({ kind: 'fail', reason: `nobody logged in to the ${turn.role} within --limit-wait: ${wait.line}` });
    return 'restart';
  }
  if (!cutShort && screen?.kind === 'auth') return 'held';
  if (screenState === 'busy') {
    await endWait(d, `the ${turn.role} went on`);
    return 'held';
  }
  if (screenState !== 'idle' && !cutShort) return 'held';
  await endWait(d, cutShort ? 'cut short by poli resume' : 'the pane is idle again');
  await sendAgain(d, turn, `the ${turn.role} was logged out`);
  return 'restart';
}

/** A usage limit: switch to the fallback CLI if there is one, else wait (or give up past --limit-wait). */
async function startUsageWait(d: DialogueCore, turn: Turn, screen: LimitScreen, now: number): Promise<'restart' | 'held'> {
  if (await switchCli(d, turn, screen)) return 'restart';
  const plan = planUsageWait(screen, turn.role, now, d.limitWaits.nextEpisode(turn.id, now), d.policy);
  if ('giveUp' in plan) {
    await d.apply({ kind: 'fail', reason: plan.giveUp });
    return 'restart';
  }
  await startWait(d, plan.wait, turn.id);
  return 'held';
}

/**
 * --on-limit switch: the role's pane now runs its fallback CLI, which is sent the pending message again under the same
 * id, with the task and the dialogue so far. False when there is no fallback (or no recorded body): poli waits.
 */
async function switchCli(d: DialogueCore, turn: Turn, screen: LimitScreen): Promise<boolean> {
  const sent = d.sent.body(turn.id);
  if (!d.options.switchCli || !sent || d.state.pending?.id !== turn.id) return false;
  const switched = await d.options.switchCli(turn.role, screen);
  if (!switched) return false;
  d.limitWaits.forget();
  d.retries.failedSeen = undefined;
  await d.apply({ kind: 'resend' });
  d.notice(
    'progress',
    `the ${turn.role} hit its usage limit (${screen.line}); switched it to ${switched.program}: sending message ${turn.id} again (same id) with the task and the dialogue so far`,
    turn.id,
  );
  const body = `${sent.body}\n\n${switched.context}`;
  await d.send({ to: turn.role, type: sent.type, id: turn.id, body, expect: expectLine(turn.role, turn.id), ...(sent.extra ? { extra: sent.extra } : {}) });
  return true;
}

/** A wait begins: recorded (status `waiting`) and told. */
export async function startWait(d: DialogueCore, wait: LimitWait, id: string): Promise<void> {
  d.limitWaits.begin(wait);
  await d.options.recorder.waiting?.({
    kind: wait.kind,
    role: wait.role,
    reason: wait.reason,
    since: new Date(wait.since).toISOString(),
    until: wait.until === null ? null : new Date(wait.until).toISOString(),
    ...(wait.resetAt !== undefined ? { resetAt: new Date(wait.resetAt).toISOString() } : {}),
  });
  d.notice('limit', `waiting: ${wait.reason}`, id, wait);
}

/** The wait poli is in, if any, ends: recorded (status `running`) and told. */
export async function endWait(d: DialogueCore, why: string): Promise<void> {
  const wait = d.limitWaits.end();
  if (!wait) return;
  await d.options.recorder.waiting?.(null);
  d.notice('limit', `the wait for the ${wait.role} is over (${why})`, d.state.pending?.id);
}
