import { describe, expect, it } from 'vitest';
import { QWEN_TRANSCRIPT } from '../qwen.ts';
import { feedAll, fixtureRecords, PROBE_PROMPT } from './fixture-records.ts';
import { qwenUsage } from './qwen.ts';

// Qwen Code 0.24.4 against test/real-cli/fake-chat.ts (usage-probe-chat.ts): two main calls, served as disjoint
// {input, output, cacheRead, cacheWrite} = {101, 41, 2010, 301} and {102, 42, 2020, 302} in the Chat Completions shape
// (prompt_tokens = all three prompt numbers); two side requests (the tool classifier, the follow-up suggestion) served
// 9001/901 and 9002/902, which the file must not hold.
describe('qwenUsage', () => {
  const entries = feedAll(qwenUsage(), fixtureRecords('qwen-0.24.4.jsonl'));

  it('reads the prompt and one call per assistant record, the written tokens left in input and cacheWrite unknown', () => {
    expect(entries).toEqual([
      { kind: 'prompt', text: PROBE_PROMPT },
      { kind: 'call', callId: 'c550fcf4-c93e-4d4a-93f6-491595d27105', model: 'fake-model', counts: { input: 101 + 301, output: 41, cacheRead: 2010, cacheWrite: null } },
      { kind: 'call', callId: 'f3ec73b5-b4e0-464e-9744-50c519402654', model: 'fake-model', counts: { input: 102 + 302, output: 42, cacheRead: 2020, cacheWrite: null } },
    ]);
  });

  it('skips the ui_telemetry copies of the same calls, and the side requests are in neither', () => {
    const records = fixtureRecords('qwen-0.24.4.jsonl');
    const telemetry = records.filter((r) => JSON.stringify(r).includes('qwen-code.api_response'));
    expect(telemetry).toHaveLength(2);
    expect(feedAll(qwenUsage(), telemetry)).toEqual([]);
    expect(JSON.stringify(records)).not.toMatch(/\b900[12]\b/);
  });

  it('takes only typed prompts: tool results and notifications are not prompts', () => {
    const parser = qwenUsage();
    expect(parser.feed({ type: 'tool_result', message: { role: 'user', parts: [{ text: 'Exit Code: 0' }] } })).toEqual([]);
    expect(parser.feed({ type: 'user', subtype: 'notification', message: { role: 'user', parts: [{ text: 'task done' }] } })).toEqual([]);
  });

  it('a response without cached tokens reads cacheRead 0', () => {
    const record = { type: 'assistant', uuid: 'u1', model: 'm', usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 2, totalTokenCount: 12 } };
    expect(qwenUsage().feed(record)).toEqual([{ kind: 'call', callId: 'u1', model: 'm', counts: { input: 10, output: 2, cacheRead: 0, cacheWrite: null } }]);
  });

  it('is the profile transcript’s usage parser', () => {
    expect(QWEN_TRANSCRIPT.usage).toBe(qwenUsage);
  });
});
