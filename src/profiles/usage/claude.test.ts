import { describe, expect, it } from 'vitest';
import { claudeProfile } from '../claude.ts';
import { claudeUsage } from './claude.ts';
import { feedAll, fixtureRecords } from './fixture-records.ts';

describe('claudeUsage', () => {
  it('is the claude profile’s transcript usage parser', () => {
    expect(claudeProfile.transcript?.usage).toBe(claudeUsage);
  });

  it('reads the real 2.1.197 transcript: one call per message.id, prompts but no tool results, no side request', () => {
    // Captured by test/real-cli/usage-probe.ts: a command approved then a text, then a second prompt. The fake served
    // msg_fake_2..4 (the title request, msg_fake_1 with 9001 input, is in no record).
    const records = fixtureRecords('claude-2.1.197.jsonl');
    const lines = records.filter((r) => (r as { message?: { id?: string } }).message?.id === 'msg_fake_2');
    expect(lines).toHaveLength(2); // one line per content block (text, tool_use), the same usage on both
    expect(feedAll(claudeUsage(), records)).toEqual([
      { kind: 'prompt', text: 'Create a file named x please' },
      { kind: 'call', callId: 'msg_fake_2', model: 'claude-fake', counts: { input: 101, output: 41, cacheRead: 2010, cacheWrite: 301 } },
      { kind: 'call', callId: 'msg_fake_3', model: 'claude-fake', counts: { input: 102, output: 42, cacheRead: 2020, cacheWrite: 302 } },
      { kind: 'prompt', text: 'Say hello again' },
      { kind: 'call', callId: 'msg_fake_4', model: 'claude-fake', counts: { input: 7, output: 60, cacheRead: 3000, cacheWrite: 70 } },
    ]);
  });

  const assistant = (id: string, usage: Record<string, number>, model = 'claude-x') => ({
    type: 'assistant',
    requestId: `req_${id}`,
    message: { id, model, role: 'assistant', content: [{ type: 'text', text: 'hi' }], usage },
  });

  it('keeps the largest output of a call written first as a streaming snapshot, and reports it again only when it grew', () => {
    const parser = claudeUsage();
    const usage = { input_tokens: 4, cache_creation_input_tokens: 512, cache_read_input_tokens: 61608 };
    expect(parser.feed(assistant('msg_1', { ...usage, output_tokens: 1 }))).toHaveLength(1);
    expect(parser.feed(assistant('msg_1', { ...usage, output_tokens: 211 }))).toEqual([
      { kind: 'call', callId: 'msg_1', model: 'claude-x', counts: { input: 4, output: 211, cacheRead: 61608, cacheWrite: 512 } },
    ]);
    expect(parser.feed(assistant('msg_1', { ...usage, output_tokens: 211 }))).toEqual([]);
    expect(parser.feed(assistant('msg_1', { ...usage, output_tokens: 1 }))).toEqual([]);
  });

  it('skips the CLI’s <synthetic> placeholders, and counts absent cache fields as none', () => {
    const parser = claudeUsage();
    expect(parser.feed(assistant('msg_s', { input_tokens: 0, output_tokens: 0 }, '<synthetic>'))).toEqual([]);
    expect(parser.feed(assistant('msg_2', { input_tokens: 9, output_tokens: 3 }))).toEqual([
      { kind: 'call', callId: 'msg_2', model: 'claude-x', counts: { input: 9, output: 3, cacheRead: 0, cacheWrite: 0 } },
    ]);
  });

  it('tells one-hour cache writes apart (they cost more), when there are any', () => {
    const record = (id: string, oneHour: number) => ({
      type: 'assistant',
      message: { id, model: 'claude-x', content: [], usage: { input_tokens: 4, output_tokens: 9, cache_read_input_tokens: 0, cache_creation_input_tokens: 500, cache_creation: { ephemeral_5m_input_tokens: 500 - oneHour, ephemeral_1h_input_tokens: oneHour } } },
    });
    expect(claudeUsage().feed(record('msg_h', 300))).toEqual([
      { kind: 'call', callId: 'msg_h', model: 'claude-x', counts: { input: 4, output: 9, cacheRead: 0, cacheWrite: 500, cacheWrite1h: 300 } },
    ]);
    expect(claudeUsage().feed(record('msg_m', 0))).toEqual([
      { kind: 'call', callId: 'msg_m', model: 'claude-x', counts: { input: 4, output: 9, cacheRead: 0, cacheWrite: 500 } },
    ]);
  });

  it('takes text content parts as a prompt, not tool results, meta records or a subagent’s sidechain', () => {
    const parser = claudeUsage();
    const user = (content: unknown, extra: Record<string, unknown> = {}) => ({ type: 'user', message: { role: 'user', content }, ...extra });
    expect(parser.feed(user([{ type: 'text', text: '[[POLI:MSG {"to":"PLANNER"}]]' }, { type: 'text', text: 'body' }]))).toEqual([
      { kind: 'prompt', text: '[[POLI:MSG {"to":"PLANNER"}]]\nbody' },
    ]);
    expect(parser.feed(user([{ type: 'tool_result', tool_use_id: 't', content: 'ok' }]))).toEqual([]);
    expect(parser.feed(user('<local-command-caveat>…', { isMeta: true }))).toEqual([]);
    expect(parser.feed(user('Explore the repo', { isSidechain: true }))).toEqual([]);
  });
});
