import { describe, expect, it } from 'vitest';
import { geminiProfile } from '../gemini.ts';
import { feedAll, fixtureRecords } from './fixture-records.ts';
import { geminiUsage } from './gemini.ts';

describe('geminiUsage', () => {
  it('is the gemini profile’s transcript usage parser', () => {
    expect(geminiProfile.transcript?.usage).toBe(geminiUsage);
  });

  it('reads the real 0.61.0 chat file: one call per record id, cache out of the input, thoughts into the output', () => {
    // Captured by test/real-cli/usage-probe.ts. The fake served three main turns (101/41/2010, 102/42/2020, and
    // 7/60/3000 with 20 of the 60 as thoughts); the router's side requests (9001, 9002 input) are in no record. The
    // first reply asked for a tool and is written twice under one id. No cache-write count exists.
    expect(feedAll(geminiUsage(), fixtureRecords('gemini-0.61.0.jsonl'))).toEqual([
      { kind: 'prompt', text: 'Create a file named x please' },
      { kind: 'call', callId: 'e2f419a5-6e19-4947-9141-d3c806ffd96f', model: 'gemini-3.8-flash', counts: { input: 101, output: 41, cacheRead: 2010, cacheWrite: null } },
      { kind: 'call', callId: '8d7b4620-fdb7-445e-b777-b20f6be55171', model: 'gemini-3.8-flash', counts: { input: 102, output: 42, cacheRead: 2020, cacheWrite: null } },
      { kind: 'prompt', text: 'Say hello again' },
      { kind: 'call', callId: 'f2e05652-c332-40c2-b486-4222b7cf9d22', model: 'gemini-3.8-flash', counts: { input: 7, output: 60, cacheRead: 3000, cacheWrite: null } },
    ]);
  });

  it('counts tool-use prompt tokens as input, and reports a record written again only when its counts changed', () => {
    const parser = geminiUsage();
    const record = (output: number) => ({ id: 'g1', type: 'gemini', model: 'gemini-x', content: 'x', tokens: { input: 50, output, cached: 20, thoughts: 0, tool: 5, total: 0 } });
    expect(parser.feed(record(3))).toEqual([{ kind: 'call', callId: 'g1', model: 'gemini-x', counts: { input: 35, output: 3, cacheRead: 20, cacheWrite: null } }]);
    expect(parser.feed(record(3))).toEqual([]);
    expect(parser.feed(record(4))).toHaveLength(1);
  });

  it('takes text parts of a user record as a prompt, not function responses or metadata', () => {
    const parser = geminiUsage();
    expect(parser.feed({ id: 'u', type: 'user', content: [{ functionResponse: { id: 'f', name: 'x', response: {} } }] })).toEqual([]);
    expect(parser.feed({ $set: { lastUpdated: 'now' } })).toEqual([]);
    expect(parser.feed({ id: 'u2', type: 'user', content: 'typed' })).toEqual([{ kind: 'prompt', text: 'typed' }]);
  });
});
