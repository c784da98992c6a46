import { describe, expect, it } from 'vitest';
import { startedDialogue } from '../../test/helpers/fake-dialogue.ts';
import { holdWhileRetrying, onFailedRequest, sendAgain } from './retries.ts';
import { FAILED_SETTLE_MS, Retries } from './retry-counts.ts';
import { newTurn } from './turn.ts';

describe('Retries', () => {
  it('holds a message up to the maximum, then lets the timeouts run', () => {
    const retries = new Retries();
    expect(retries.hold('m1', 600, 1_000)).toBe(true);
    expect(retries.hold('m1', 600, 1_000)).toBe(true);
    expect(retries.hold('m1', 600, 1_000)).toBe(false);
    expect(retries.hold('m2', 600, 1_000)).toBe(true);
  });

  it('gives each message one re-send', () => {
    const retries = new Retries();
    expect(retries.takeResend('m1')).toBe(true);
    expect(retries.takeResend('m1')).toBe(false);
    expect(retries.takeResend('m2')).toBe(true);
  });

  it('settles a failed line per turn', () => {
    const retries = new Retries();
    const turn = newTurn('PLANNER', 'm1', 0, 'text');
    expect(retries.failedSettled(turn, 100)).toBe(false);
    expect(retries.failedSettled(turn, 100 + FAILED_SETTLE_MS)).toBe(true);
    expect(retries.failedSettled(newTurn('PLANNER', 'm1', 0, 'text'), 100 + FAILED_SETTLE_MS)).toBe(false);
  });
});

describe('the retry and failure handlers', () => {
  it('holds the time while the CLI retries and tells each retry line once', async () => {
    const { dialogue, notices } = await startedDialogue();
    const turn = dialogue.turn!;
    const screen = { kind: 'retrying' as const, line: 'API Error (529 overloaded) · Retrying in 5 seconds' };
    expect(holdWhileRetrying(dialogue, turn, screen, 400)).toBe('held');
    expect(holdWhileRetrying(dialogue, turn, screen, 400)).toBe('held');
    expect(dialogue.held.ms).toBe(800);
    expect(notices.filter((n) => n.kind === 'retrying').map((n) => n.text)).toEqual([
      'PLANNER is retrying its request (API Error (529 overloaded) · Retrying in 5 seconds); timeouts paused',
    ]);
  });

  it('sends the message again once after a failed request, and fails the task on the second', async () => {
    const fake = await startedDialogue();
    const { dialogue, panes } = fake;
    const screen = { kind: 'failed' as const, line: 'API Error: 500' };
    const first = dialogue.turn!;
    expect(await onFailedRequest(dialogue, first, screen, 'idle', 0)).toBe('go');
    expect(await onFailedRequest(dialogue, first, screen, 'idle', FAILED_SETTLE_MS)).toBe('restart');
    expect(panes.PLANNER.submitted).toHaveLength(2);
    expect(panes.PLANNER.submitted[1]).toBe(panes.PLANNER.submitted[0]);
    const second = dialogue.turn!;
    expect(second).not.toBe(first);
    expect(await onFailedRequest(dialogue, second, screen, 'idle', 10_000)).toBe('go');
    expect(await onFailedRequest(dialogue, second, screen, 'idle', 10_000 + FAILED_SETTLE_MS)).toBe('restart');
    expect(fake.ends).toEqual([{ status: 'failed', reason: "the PLANNER's request failed again: API Error: 500" }]);
  });

  it('leaves a failure on a dead pane to the liveness check', async () => {
    const { dialogue, panes } = await startedDialogue();
    panes.PLANNER.dead = true;
    const turn = dialogue.turn!;
    const screen = { kind: 'failed' as const, line: 'API Error: 500' };
    await onFailedRequest(dialogue, turn, screen, 'idle', 0);
    expect(await onFailedRequest(dialogue, turn, screen, 'idle', FAILED_SETTLE_MS)).toBe('go');
    expect(panes.PLANNER.submitted).toHaveLength(1);
  });

  it('types the pending message again under the same id, on a fresh turn; not a message no longer pending', async () => {
    const { dialogue, panes, notices } = await startedDialogue();
    const turn = dialogue.turn!;
    await sendAgain(dialogue, turn, 'because');
    expect(panes.PLANNER.submitted).toEqual([turn.text, turn.text]);
    expect(dialogue.turn?.id).toBe('m1');
    expect(notices.at(-1)?.text).toBe('because: sent message m1 to the PLANNER again (same id)');
    await sendAgain(dialogue, newTurn('PLANNER', 'other', 0, 'x'), 'because');
    expect(panes.PLANNER.submitted).toHaveLength(2);
  });
});
