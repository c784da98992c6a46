import { describe, expect, it } from 'vitest';
import type { UsageLedger } from '../reading/usage-ledger.ts';
import type { AttributedCall } from '../usage/types.ts';
import { UsageFeed } from './usage-feed.ts';

function fakeLedger(batches: (AttributedCall[] | Error)[]): UsageLedger {
  return {
    start: () => Promise.resolve(),
    read: () => {
      const next = batches.shift() ?? [];
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  } as unknown as UsageLedger;
}

const call = (callId: string) =>
  ({ callId, model: null, counts: { input: 1, output: 1, cacheRead: 1, cacheWrite: 1 }, role: 'PLANNER', cli: 'mock', attribution: { via: 'primer' }, at: '' }) as AttributedCall;

describe('UsageFeed', () => {
  it('keeps calls read before a task attaches (the primers) for it, and a failed read does not throw', async () => {
    const debug: string[] = [];
    const feed = new UsageFeed((m) => debug.push(m));
    feed.ledgerFor('PLANNER', 'mock', 'source', () => fakeLedger([[call('primer')], new Error('EACCES'), [call('c1')]]));
    await feed.poll();
    const got: string[] = [];
    const detach = feed.attach(async (calls) => {
      got.push(...calls.map((c) => c.callId));
    });
    await feed.poll();
    await feed.poll();
    detach();
    expect(got).toEqual(['primer', 'c1']);
    expect(debug).toEqual(['usage of the PLANNER not read: Error: EACCES']);
  });

  it('keeps a ledger for the same source (a restart) and names a CLI without usage', () => {
    const feed = new UsageFeed();
    let made = 0;
    const make = () => (made++, fakeLedger([]));
    feed.ledgerFor('EXECUTER', 'mock', 'source', make);
    feed.ledgerFor('EXECUTER', 'mock', 'source', make);
    expect(made).toBe(1);
    feed.ledgerFor('EXECUTER', 'aider', undefined, () => undefined);
    expect(feed.notes()).toEqual(['EXECUTER (aider) records no usage poli can read']);
  });
});
