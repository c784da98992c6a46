import { describe, expect, it } from 'vitest';
import { COPILOT_TRANSCRIPT } from '../copilot.ts';
import { copilotUsage } from './copilot.ts';
import { feedAll, fixtureRecords, PROBE_PROMPT } from './fixture-records.ts';

// GitHub Copilot CLI 1.0.102 against test/real-cli/fake-chat.ts (usage-probe-chat.ts): two calls served
// {101, 41, 2010, 301} and {102, 42, 2020, 302}; it recorded inputTokens 2412 and 2424 (prompt_tokens: the cache
// inside) and cacheWriteTokens 301/302 (from cache_write_tokens or cache_creation_tokens, either alone).
describe('copilotUsage', () => {
  it('reads the prompt and each session.usage_record, the cache taken out of inputTokens', () => {
    expect(feedAll(copilotUsage(), fixtureRecords('copilot-1.0.102.jsonl'))).toEqual([
      { kind: 'prompt', text: PROBE_PROMPT },
      { kind: 'call', callId: 'chatcmpl-fake-1', model: 'fake-model', counts: { input: 101, output: 41, cacheRead: 2010, cacheWrite: 301 } },
      { kind: 'call', callId: 'chatcmpl-fake-2', model: 'fake-model', counts: { input: 102, output: 42, cacheRead: 2020, cacheWrite: 302 } },
    ]);
  });

  it('reads a record without cache details (as written for a server that reports none)', () => {
    const record = {
      type: 'session.usage_record',
      id: 'x',
      data: { usage: { model: 'fake-model', inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, apiCallId: 'chatcmpl-fake-1', cacheDetailsReported: false } },
    };
    expect(copilotUsage().feed(record)).toEqual([{ kind: 'call', callId: 'chatcmpl-fake-1', model: 'fake-model', counts: { input: 10, output: 2, cacheRead: 0, cacheWrite: 0 } }]);
  });

  it('ignores the assistant messages and the shutdown totals (the same calls again)', () => {
    const parser = copilotUsage();
    expect(parser.feed({ type: 'assistant.message', data: { content: 'hi', apiCallId: 'chatcmpl-fake-1' } })).toEqual([]);
    expect(parser.feed({ type: 'session.shutdown', data: { modelMetrics: { 'fake-model': { usage: { inputTokens: 50 } } } } })).toEqual([]);
  });

  it('is the profile transcript’s usage parser', () => {
    expect(COPILOT_TRANSCRIPT.usage).toBe(copilotUsage);
  });
});
