import { describe, expect, it } from 'vitest';
import { PI_TRANSCRIPT } from '../pi.ts';
import { feedAll, fixtureRecords, PROBE_PROMPT } from './fixture-records.ts';
import { piUsage } from './pi.ts';

// pi 0.73.1 against test/real-cli/fake-chat.ts in its 'openrouter' cache style (cached_tokens = read + written, the
// written ones again in cache_write_tokens), via usage-probe-chat.ts: two calls served {101, 41, 2010, 301} and
// {102, 42, 2020, 302}. pi makes no side request.
describe('piUsage', () => {
  it('reads the prompt and each assistant message’s usage as pi recorded it, disjoint', () => {
    expect(feedAll(piUsage(), fixtureRecords('pi-0.73.1.jsonl'))).toEqual([
      { kind: 'prompt', text: PROBE_PROMPT },
      { kind: 'call', callId: 'chatcmpl-fake-1', model: 'fake-model', counts: { input: 101, output: 41, cacheRead: 2010, cacheWrite: 301 } },
      { kind: 'call', callId: 'chatcmpl-fake-2', model: 'fake-model', counts: { input: 102, output: 42, cacheRead: 2020, cacheWrite: 302 } },
    ]);
  });

  it('skips a failed request (stopReason error, zero usage) and tool results', () => {
    const parser = piUsage();
    const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0 };
    expect(parser.feed({ type: 'message', id: 'e1', message: { role: 'assistant', content: [], usage: zero, stopReason: 'error' } })).toEqual([]);
    expect(parser.feed({ type: 'message', id: 't1', message: { role: 'toolResult', content: [{ type: 'text', text: 'ok' }] } })).toEqual([]);
  });

  it('falls back to the record id when the response had none', () => {
    const usage = { input: 5, output: 1, cacheRead: 0, cacheWrite: 0 };
    expect(piUsage().feed({ type: 'message', id: 'r9', message: { role: 'assistant', model: 'm', usage, stopReason: 'stop' } })).toEqual([
      { kind: 'call', callId: 'r9', model: 'm', counts: { input: 5, output: 1, cacheRead: 0, cacheWrite: 0 } },
    ]);
  });

  it('is the profile transcript’s usage parser', () => {
    expect(PI_TRANSCRIPT.usage).toBe(piUsage);
  });
});
