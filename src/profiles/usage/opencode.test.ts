import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { copyLines, OPENCODE_TRANSCRIPT, type ExportedMessage } from '../opencode.ts';
import { feedAll, fixtureRecords, PROBE_PROMPT } from './fixture-records.ts';
import { opencodeUsage } from './opencode.ts';

// opencode 1.18.33 (provider @ai-sdk/openai-compatible) against test/real-cli/fake-chat.ts (usage-probe-chat.ts): a title
// request served 9001/901, then two calls served {101, 41, 2010, 301} and {102, 42, 2020, 302} with the writes in
// cache_write_tokens, cache_creation_input_tokens and cache_creation_tokens. opencode recorded cache.write 0 and the
// written tokens inside input (402 = 101 + 301): this provider reads no cache-write field.
const exported = JSON.parse(readFileSync(new URL('../fixtures/usage/opencode-1.18.33-export.json', import.meta.url), 'utf8')) as { messages: ExportedMessage[] };

describe('opencodeUsage', () => {
  it('reads the prompt and one call per step-finish part of the copy', () => {
    expect(feedAll(opencodeUsage(), fixtureRecords('opencode-1.18.33-copy.jsonl'))).toEqual([
      { kind: 'prompt', text: PROBE_PROMPT },
      { kind: 'call', callId: 'prt_252ba6659001k7lpapByksjYfO', model: 'fake/fake-model', counts: { input: 101 + 301, output: 41, cacheRead: 2010, cacheWrite: 0 } },
      { kind: 'call', callId: 'prt_252ba72910017KeVZW32nOOxt7', model: 'fake/fake-model', counts: { input: 102 + 302, output: 42, cacheRead: 2020, cacheWrite: 0 } },
    ]);
  });

  it('counts reasoning as output (opencode keeps it apart)', () => {
    const line = { id: 'prt_1', role: 'usage', modelID: 'm', providerID: 'p', tokens: { input: 1, output: 2, reasoning: 3, cache: { read: 4, write: 5 } } };
    expect(opencodeUsage().feed(line)).toEqual([{ kind: 'call', callId: 'prt_1', model: 'p/m', counts: { input: 1, output: 5, cacheRead: 4, cacheWrite: 5 } }]);
  });

  it('ignores the assistant text lines (body recovery’s)', () => {
    expect(opencodeUsage().feed({ id: 'prt_2', role: 'assistant', text: 'hi' })).toEqual([]);
  });

  it('is the profile transcript’s usage parser', () => {
    expect(OPENCODE_TRANSCRIPT.usage).toBe(opencodeUsage);
  });
});

describe('copyLines (the opencode export copy)', () => {
  it('copies the user prompt, the finished text parts and the step-finish parts, in order: the copy captured', () => {
    const lines = copyLines(exported.messages, new Set());
    expect(lines).toEqual(readFileSync(new URL('../fixtures/usage/opencode-1.18.33-copy.jsonl', import.meta.url), 'utf8').trimEnd().split('\n'));
    // Body recovery still reads exactly the assistant texts.
    expect(lines.flatMap((line) => OPENCODE_TRANSCRIPT.assistantTexts(JSON.parse(line)))).toEqual(['Running a command first.', 'Done: the usage probe is answered.']);
  });

  it('copies nothing twice', () => {
    const done = new Set<string>();
    copyLines(exported.messages, done);
    expect(copyLines(exported.messages, done)).toEqual([]);
  });

  it('leaves a user message whose parts are not there yet, and synthetic text, for the next export', () => {
    const done = new Set<string>();
    expect(copyLines([{ info: { id: 'msg_1', role: 'user' }, parts: [] }], done)).toEqual([]);
    const parts = [
      { id: 'prt_a', type: 'text', text: 'typed' },
      { id: 'prt_b', type: 'text', text: 'file contents', synthetic: true },
    ];
    expect(copyLines([{ info: { id: 'msg_1', role: 'user' }, parts }], done)).toEqual([JSON.stringify({ id: 'msg_1', role: 'user', text: 'typed' })]);
  });

  it('leaves a text part still streaming (no end time)', () => {
    expect(copyLines([{ info: { id: 'msg_2', role: 'assistant' }, parts: [{ id: 'prt_c', type: 'text', text: 'half' }] }], new Set())).toEqual([]);
  });
});
