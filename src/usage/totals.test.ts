import { describe, expect, it } from 'vitest';
import { addTotals, emptyTotals, foldCalls, NO_PRICES, priceCall, sumTotals, type CostOf } from './totals.ts';
import type { AttributedCall } from './types.ts';

function call(over: Partial<AttributedCall> = {}): AttributedCall {
  return {
    callId: 'c1',
    model: 'm1',
    counts: { input: 10, output: 2, cacheRead: 100, cacheWrite: 5 },
    role: 'EXECUTER',
    cli: 'claude',
    attribution: { via: 'header', messageId: 'T1-R1-aaaaaa' },
    at: '2026-12-07T00:00:00.000Z',
    ...over,
  };
}

/** 0.1 cent per token of any kind: exact micros. */
const cents: CostOf = (c) => ({ micros: 1000 * ((c.counts.input ?? 0) + (c.counts.output ?? 0)), complete: true });

describe('foldCalls', () => {
  it('sums per task, role and message, with costs summed in micro-dollars', () => {
    const calls = [
      call(),
      call({ callId: 'c2', counts: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 } }),
      call({ callId: 'c3', role: 'PLANNER', cli: 'codex', model: 'm2', attribution: { via: 'primer' } }),
    ].map((c) => priceCall(c, cents));
    const fold = foldCalls(calls, cents);
    expect(fold.total).toEqual({ input: 21, output: 5, cacheRead: 200, cacheWrite: 10, calls: 3, cost: 0.026, costComplete: true, models: ['m1', 'm2'] });
    expect(fold.byRole.EXECUTER).toMatchObject({ input: 11, calls: 2, cost: 0.014 });
    expect(Object.keys(fold.byMessage).sort()).toEqual(['T1-R1-aaaaaa', 'primer:PLANNER']);
    expect(fold.unknown).toEqual([]);
  });

  it('keeps a count a CLI does not record unknown, and says so', () => {
    const calls = [call(), call({ callId: 'c2', cli: 'gemini', counts: { input: 1, output: 1, cacheRead: 0, cacheWrite: null } })];
    const fold = foldCalls(calls.map((c) => priceCall(c, cents)), cents);
    expect(fold.total.cacheWrite).toBeNull();
    expect(fold.total.input).toBe(11);
    expect(fold.unknown).toEqual(['EXECUTER (gemini) records no cache-write tokens']);
  });

  it('never makes an unknown price 0: the cost is unknown, or a lower bound, naming the model', () => {
    const none = foldCalls([priceCall(call(), NO_PRICES)], NO_PRICES);
    expect(none.total).toMatchObject({ cost: null, costComplete: false });
    expect(none.unknown).toEqual(['no price for m1']);
    const some: CostOf = (c) => (c.model === 'm1' ? cents(c) : { micros: null, complete: false, missing: 'no price for gpt-fake' });
    const mixed = foldCalls([call(), call({ callId: 'c2', model: 'gpt-fake' })].map((c) => priceCall(c, some)), some);
    expect(mixed.total).toMatchObject({ cost: 0.012, costComplete: false });
    expect(mixed.unknown).toEqual(['no price for gpt-fake']);
  });
});

describe('addTotals', () => {
  it('adds costs exactly (no float drift over many calls) and an empty side changes nothing', () => {
    const tenth = { ...emptyTotals(), calls: 1, cost: 0.1, costComplete: true };
    expect(sumTotals(Array.from({ length: 10 }, () => tenth)).cost).toBe(1);
    expect(addTotals(emptyTotals(), tenth)).toEqual(tenth);
  });
});
