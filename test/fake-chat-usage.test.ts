/**
 * The fake Chat Completions server (Qwen Code, opencode, pi, Copilot CLI) reports each answer's usage in the API's
 * shape, in the cache style its CLI reads, and lists it as served (issue 22): the real-CLI usage tests sum `served`.
 * Offline, without any CLI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chatUsage, startFakeChat } from './real-cli/fake-chat.ts';
import type { FakeServer } from './real-cli/fake-server.ts';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function post(url: string, body: unknown): Promise<string> {
  const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.text();
}

/** The JSON chunks of an SSE answer, `[DONE]` left out. */
function chunks(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

const turn = (extra: Record<string, unknown> = {}) => ({ stream: true, tools: [{ type: 'function' }], messages: [{ role: 'user', content: 'hi' }], ...extra });
const u = { input: 101, output: 41, cacheRead: 2010, cacheWrite: 301 };

describe('fake Chat Completions usage', () => {
  it('openai style: prompt_tokens holds all three prompt counts, cached_tokens the reads, the writes under each name', () => {
    expect(chatUsage(u)).toEqual({
      prompt_tokens: 2412,
      completion_tokens: 41,
      total_tokens: 2453,
      prompt_tokens_details: { cached_tokens: 2010, cache_write_tokens: 301, cache_creation_input_tokens: 301, cache_creation_tokens: 301 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('openrouter style: cached_tokens holds reads and writes', () => {
    expect(chatUsage(u, 'openrouter')).toMatchObject({ prompt_tokens: 2412, prompt_tokens_details: { cached_tokens: 2311, cache_write_tokens: 301 } });
  });

  it('puts the usage on the chunk with finish_reason, per turn, and lists turns and side requests as served', async () => {
    server = await startFakeChat(['one', { text: 'two', usage: { input: 1, output: 2, cacheRead: 3, cacheWrite: 4 } }]);
    const first = chunks(await post(server.url, turn()));
    const last = first.at(-1) as { id: string; usage: unknown; choices: { finish_reason: string }[] };
    expect(last.choices[0]?.finish_reason).toBe('stop');
    expect(last.usage).toEqual(chatUsage(u));
    expect(first.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
    await post(server.url, { stream: false, messages: [{ role: 'user', content: 'title please' }] });
    const second = chunks(await post(server.url, turn())).at(-1) as { usage: { prompt_tokens: number } };
    expect(second.usage.prompt_tokens).toBe(1 + 3 + 4);
    expect(server.served.map(({ kind, responseId, usage }) => ({ kind, responseId, usage }))).toEqual([
      { kind: 'turn', responseId: last.id, usage: u },
      { kind: 'title', responseId: 'chatcmpl-fake-2', usage: { input: 9001, output: 901, cacheRead: 0, cacheWrite: 0 } },
      { kind: 'turn', responseId: 'chatcmpl-fake-3', usage: { input: 1, output: 2, cacheRead: 3, cacheWrite: 4 } },
    ]);
  });

  it('with usageChunk, sends OpenAI’s separate last chunk when the request asks include_usage', async () => {
    server = await startFakeChat(['one', 'two'], { usageChunk: true, cacheStyle: 'openrouter' });
    const asked = chunks(await post(server.url, turn({ stream_options: { include_usage: true } })));
    expect(asked.at(-2)?.usage).toBeUndefined();
    expect(asked.at(-1)).toMatchObject({ choices: [], usage: chatUsage(u, 'openrouter') });
    const notAsked = chunks(await post(server.url, turn()));
    expect((notAsked.at(-1)?.choices as unknown[]).length).toBe(1);
    expect(notAsked.at(-1)?.usage).toBeDefined();
  });
});
