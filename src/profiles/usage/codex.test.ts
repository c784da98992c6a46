import { describe, expect, it } from 'vitest';
import { codexProfile } from '../codex.ts';
import { codexUsage } from './codex.ts';
import { feedAll, fixtureRecords } from './fixture-records.ts';

describe('codexUsage', () => {
  it('is the codex profile’s transcript usage parser', () => {
    expect(codexProfile.transcript?.usage).toBe(codexUsage);
  });

  it('reads the real 0.169.0 rollout: token_usage_record per response, input without the cache, model of the turn', () => {
    // Captured by test/real-cli/usage-probe.ts. The fake served resp_fake_1 (101 uncached + 2010 read + 301 written:
    // the record's input_tokens is 2412, so it includes the writes), resp_fake_3, resp_fake_4 (reasoning 20 inside
    // its 60 output); resp_fake_2 and _5 were title requests (9001, 9002 input) and are in no record. The cumulative
    // token_count events are not added.
    expect(feedAll(codexUsage(), fixtureRecords('codex-0.169.0.jsonl'))).toEqual([
      { kind: 'prompt', text: 'Create a file named x please' },
      { kind: 'call', callId: 'resp_fake_1', model: 'gpt-fake', counts: { input: 101, output: 41, cacheRead: 2010, cacheWrite: 301 } },
      { kind: 'call', callId: 'resp_fake_3', model: 'gpt-fake', counts: { input: 102, output: 42, cacheRead: 2020, cacheWrite: 302 } },
      { kind: 'prompt', text: 'Say hello again' },
      { kind: 'call', callId: 'resp_fake_4', model: 'gpt-fake', counts: { input: 7, output: 60, cacheRead: 3000, cacheWrite: 70 } },
    ]);
  });

  it('leaves cache writes unknown when the record has no such field (versions before it)', () => {
    const parser = codexUsage();
    parser.feed({ type: 'turn_context', payload: { turn_id: 't1', model: 'gpt-5' } });
    const record = {
      type: 'token_usage_record',
      payload: { turn_id: 't1', response_id: 'resp_9', usage: { input_tokens: 1200, cached_input_tokens: 1000, output_tokens: 30, reasoning_output_tokens: 10, total_tokens: 1230 } },
    };
    expect(parser.feed(record)).toEqual([
      { kind: 'call', callId: 'resp_9', model: 'gpt-5', counts: { input: 200, output: 30, cacheRead: 1000, cacheWrite: null } },
    ]);
  });

  it('names the model of the call’s own turn, and reads the older user_message event as a prompt', () => {
    const parser = codexUsage();
    parser.feed({ type: 'turn_context', payload: { turn_id: 'a', model: 'gpt-a' } });
    parser.feed({ type: 'turn_context', payload: { turn_id: 'b', model: 'gpt-b' } });
    const usage = { input_tokens: 10, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 2 };
    expect(parser.feed({ type: 'token_usage_record', payload: { turn_id: 'a', response_id: 'r', usage } })).toMatchObject([{ model: 'gpt-a' }]);
    expect(parser.feed({ type: 'event_msg', payload: { type: 'user_message', message: 'hello' } })).toEqual([{ kind: 'prompt', text: 'hello' }]);
    expect(parser.feed({ type: 'event_msg', payload: { type: 'token_count', info: { last_token_usage: usage } } })).toEqual([]);
  });
});
