/**
 * Retries and re-sends, acted on: time held while a CLI retries a request by itself (or compacts its context), the one
 * re-send after a failed request, and typing the pending message again under the same id. The counts are kept in
 * retry-counts.ts.
 */
import type { LimitScreen } from '../profiles/limit-screens.ts';
import type { DialogueCore } from './core.ts';
import type { Turn } from './turn.ts';

/** What a step of the limit watch asks of the loop: start over, go on with this wake's time held, or go on. */
export type LimitStep = 'restart' | 'held' | 'go';

/** The CLI retries a request (or compacts its context) by itself: timeouts are held, up to the policy's maximum. */
export function holdWhileRetrying(d: DialogueCore, turn: Turn, screen: LimitScreen, wake: number): LimitStep {
  if (!d.retries.hold(turn.id, wake, d.policy.retryHoldMaxMs)) return 'go';
  d.held.hold(wake);
  const line = screen.line.slice(0, 40);
  if (d.retries.noticed !== line) {
    d.retries.noticed = line;
    const what = screen.kind === 'compacting' ? 'compacting its context' : 'retrying its request';
    d.notice('retrying', `${turn.role} is ${what} (${screen.line}); timeouts paused`, turn.id);
  }
  return 'held';
}

/**
 * A failed request or a full context stood on an idle screen: the message goes again once (same id) after a failed
 * request; a second failure, or a full context, fails the task.
 */
export async function onFailedRequest(d: DialogueCore, turn: Turn, screen: LimitScreen, screenState: string, mono: number): Promise<LimitStep> {
  if (screenState === 'busy') return 'go';
  // A CLI that crashes may print an error as it goes: that is for the liveness check (a restart), not a re-send.
  // The CLIs leave a failed request's line standing; act once it has stood for a while with the pane alive.
  if (!d.retries.failedSettled(turn, mono)) return 'go';
  const channel = d.channels[turn.role];
  const panes = await d.channels.liveness().catch(() => []);
  if (panes.some((p) => p.paneId === channel.paneId && p.dead)) return 'go';
  if (screen.kind === 'failed' && d.retries.takeResend(turn.id)) {
    await sendAgain(d, turn, `the ${turn.role}'s request failed (${screen.line})`);
    return 'restart';
  }
  const what = screen.kind === 'context_full' ? 'context is full' : 'request failed again';
  await d.apply({ kind: 'fail', reason: `the ${turn.role}'s ${what}: ${screen.line}` });
  return 'restart';
}

/** Types the pending message again under the same id, on a fresh turn. */
export async function sendAgain(d: DialogueCore, turn: Turn, why: string): Promise<void> {
  if (!d.state.pending || d.state.pending.id !== turn.id) return;
  if (!turn.text) {
    // A resumed turn poli did not type itself: its message, as recorded, goes again the way a lost one does.
    const again = turn.lost;
    turn.lost = undefined;
    if (again) {
      d.notice('progress', `${why}: sending message ${turn.id} to the ${turn.role} again (same id)`, turn.id);
      await again();
    }
    return;
  }
  await d.apply({ kind: 'resend' });
  const fresh = await d.startTurn(turn.role, turn.id, turn.text, turn.sentType);
  d.turn = fresh;
  d.limitWaits.typedAgain(fresh, d.elapsed());
  d.notice('progress', `${why}: sent message ${turn.id} to the ${turn.role} again (same id)`, turn.id);
  await d.channels[turn.role].submit(turn.text);
}
