/**
 * The fake model servers of the real-CLI tests report known token usage in each API's own shape and list what they
 * served (issue 22): the real-CLI usage tests sum `served` and compare with what poli read from the transcripts, so
 * the shapes are checked here, offline and without any CLI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './real-cli/fake-anthropic.ts';
import { startFakeGemini } from './real-cli/fake-gemini.ts';
import { startFakeOpenAi } from './real-cli/fake-openai.ts';
import { defaultSideUsage, defaultTurnUsage, type FakeServer } from './real-cli/fake-server.ts';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function post(url: string, body: unknown): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.text();
}

/** The JSON data of each SSE event, in order. */
function events(text: string): Record<string, unknown>[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

describe('default usage', () => {
  it('differs per main turn, has every field non-zero, and marks side requests apart', () => {
    const [one, two] = [defaultTurnUsage(1), defaultTurnUsage(2)];
    expect(one).toEqual({ input: 101, output: 41, cacheRead: 2010, cacheWrite: 301 });
    expect(two).not.toEqual(one);
    for (const value of Object.values(one)) expect(value).toBeGreaterThan(0);
    expect(defaultSideUsage(1)).toEqual({ input: 9001, output: 901, cacheRead: 0, cacheWrite: 0 });
  });
});

describe('fake Anthropic', () => {
  it('streams the turn usage in message_start and message_delta, cache fields included, and lists it as served', async () => {
    server = await startFakeAnthropic(['hello', { text: 'scripted', usage: { input: 7, output: 8, cacheRead: 9, cacheWrite: 10 } }]);
    const turn = { stream: true, tools: [{ name: 't' }], messages: [{ role: 'user', content: 'hi' }] };
    const first = events(await post(`${server.url}/v1/messages?beta=true`, turn));
    const start = first.find((event) => event.type === 'message_start') as { message: { id: string; usage: unknown } };
    expect(start.message.usage).toEqual({
      input_tokens: 101,
      cache_creation_input_tokens: 301,
      cache_read_input_tokens: 2010,
      cache_creation: { ephemeral_5m_input_tokens: 301, ephemeral_1h_input_tokens: 0 },
      output_tokens: 1,
      service_tier: 'standard',
    });
    const delta = first.find((event) => event.type === 'message_delta') as { usage: unknown };
    expect(delta.usage).toEqual({ input_tokens: 101, cache_creation_input_tokens: 301, cache_read_input_tokens: 2010, output_tokens: 41 });

    const title = JSON.parse(await post(`${server.url}/v1/messages?beta=true`, { messages: [{ role: 'user', content: 'title?' }] })) as {
      usage: { input_tokens: number };
    };
    expect(title.usage.input_tokens).toBe(9001);
    await post(`${server.url}/v1/messages?beta=true`, turn);

    expect(server.served).toEqual([
      { kind: 'turn', responseId: start.message.id, usage: defaultTurnUsage(1), userText: 'hi' },
      { kind: 'title', responseId: 'msg_fake_2', usage: defaultSideUsage(1), userText: 'title?' },
      { kind: 'turn', responseId: 'msg_fake_3', usage: { input: 7, output: 8, cacheRead: 9, cacheWrite: 10 }, userText: 'hi' },
    ]);
  });
});

describe('fake OpenAI Responses', () => {
  it('counts the cache inside input_tokens and details reads, writes and reasoning', async () => {
    server = await startFakeOpenAi([{ text: 'x', usage: { input: 5, output: 30, cacheRead: 100, cacheWrite: 20, reasoning: 12 } }], { model: 'gpt-priced' });
    const body = { tools: [{ type: 'function', name: 't' }], input: [{ role: 'user', content: [{ type: 'input_text', text: 'go' }] }] };
    const completed = events(await post(`${server.url}/v1/responses`, body)).find((event) => event.type === 'response.completed') as {
      response: { id: string; model: string; usage: unknown };
    };
    expect(completed.response.model).toBe('gpt-priced');
    expect(completed.response.usage).toEqual({
      input_tokens: 125,
      input_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 12 },
      total_tokens: 155,
    });
    expect(server.served).toEqual([
      { kind: 'turn', responseId: completed.response.id, usage: { input: 5, output: 30, cacheRead: 100, cacheWrite: 20, reasoning: 12 }, userText: 'go' },
    ]);
  });

  it('lists no usage for an error answer', async () => {
    server = await startFakeOpenAi([{ httpError: { status: 400, message: 'no' } }]);
    await post(`${server.url}/v1/responses`, { tools: [{ type: 'function', name: 't' }], input: 'go' });
    expect(server.served).toEqual([]);
  });
});

describe('fake Gemini', () => {
  it('reports the cache inside the prompt count, thoughts apart, no cache write, on the last chunk only', async () => {
    server = await startFakeGemini([{ text: 'a'.repeat(450), usage: { input: 5, output: 30, cacheRead: 100, cacheWrite: 20, reasoning: 12 } }]);
    const body = { tools: [{ functionDeclarations: [] }], contents: [{ role: 'user', parts: [{ text: 'go' }] }] };
    const chunks = events(await post(`${server.url}/v1beta/models/m:streamGenerateContent?alt=sse`, body));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.slice(0, -1).some((chunk) => 'usageMetadata' in chunk)).toBe(false);
    expect(chunks.at(-1)?.usageMetadata).toEqual({
      promptTokenCount: 105,
      candidatesTokenCount: 18,
      cachedContentTokenCount: 100,
      thoughtsTokenCount: 12,
      totalTokenCount: 135,
    });

    const side = JSON.parse(await post(`${server.url}/v1beta/models/m:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'route?' }] }] })) as {
      usageMetadata: { promptTokenCount: number; candidatesTokenCount: number };
    };
    expect(side.usageMetadata).toMatchObject({ promptTokenCount: 9001, candidatesTokenCount: 901 });
    expect(server.served.map((served) => [served.kind, served.usage.input])).toEqual([
      ['turn', 5],
      ['title', 9001],
    ]);
  });
});
