import { describe, expect, it } from 'vitest';
import type { LimitWait } from './limits.ts';
import { LimitWaits, STALE_LIMIT_MS } from './limit-waits.ts';
import { newTurn } from './turn.ts';

const wait: LimitWait = { kind: 'usage', role: 'PLANNER', reason: 'r', line: 'limit', since: 0, until: 10 };

describe('LimitWaits', () => {
  it('begins and ends a wait; ending clears a cut-short and returns the wait once', () => {
    const waits = new LimitWaits();
    waits.begin(wait);
    waits.cutShort = true;
    expect(waits.end()).toBe(wait);
    expect(waits.cutShort).toBe(false);
    expect(waits.end()).toBeNull();
  });

  it('counts usage waits per message: another id starts a new episode', () => {
    const waits = new LimitWaits();
    expect(waits.nextEpisode('a', 100)).toEqual({ id: 'a', firstSince: 100, waits: 1 });
    expect(waits.nextEpisode('a', 900)).toEqual({ id: 'a', firstSince: 100, waits: 2 });
    waits.keepEpisodeOf('a');
    expect(waits.episode?.waits).toBe(2);
    waits.keepEpisodeOf('b');
    expect(waits.episode).toBeNull();
    expect(waits.nextEpisode('b', 1_000)).toEqual({ id: 'b', firstSince: 1_000, waits: 1 });
    waits.begin(wait);
    waits.forget();
    expect([waits.wait, waits.episode]).toEqual([null, null]);
  });

  it('takes the limit line right after typing the message again for the old one, until busy or STALE_LIMIT_MS', () => {
    const waits = new LimitWaits();
    const turn = newTurn('PLANNER', 'm1', 0, 'text');
    const usage = { kind: 'usage' as const, line: 'limit' };
    expect(waits.isStale(turn, 'idle', 0, usage)).toBe(false);
    waits.typedAgain(turn, 1_000);
    expect(waits.isStale(turn, 'idle', 1_000 + STALE_LIMIT_MS - 1, usage)).toBe(true);
    expect(waits.isStale(turn, 'idle', 1_000 + STALE_LIMIT_MS, usage)).toBe(false);
    // A retry on the screen is new whatever the time.
    expect(waits.isStale(turn, 'idle', 1_001, { kind: 'retrying', line: 'retrying' })).toBe(false);
    // Another turn, or the CLI went busy: the mark is gone for good.
    expect(waits.isStale(newTurn('PLANNER', 'm1', 0, 'text'), 'idle', 1_001, usage)).toBe(false);
    expect(waits.isStale(turn, 'idle', 1_001, usage)).toBe(false);
    waits.typedAgain(turn, 2_000);
    expect(waits.isStale(turn, 'busy', 2_001, usage)).toBe(false);
    expect(waits.isStale(turn, 'idle', 2_002, usage)).toBe(false);
  });
});
