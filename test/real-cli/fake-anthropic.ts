/**
 * A fake Anthropic Messages API for the real Claude Code CLI: answers `HEAD /`, the per-turn title request (no
 * tools) and the main streaming turn with scripted text and, optionally, one tool call.
 */
import type { ServerResponse } from 'node:http';
import {
  chunkText,
  isRecord,
  sleep,
  startFakeServer,
  writeEvent,
  type FakeServer,
  type FakeUsage,
  type PlannedReply,
  type RecordedRequest,
  type ReplyScript,
} from './fake-server.ts';

/** Claude Code asks for the session title as JSON (`Return JSON with a single "title" field`). */
export const FAKE_CLAUDE_TITLE = '{"title": "Fake session"}';
/** The model every answer names unless the test picks one (e.g. a name its price file knows). */
export const FAKE_CLAUDE_MODEL = 'claude-fake';

/** Starts the fake on a free loopback port; point Claude Code at it with ANTHROPIC_BASE_URL. */
export function startFakeAnthropic(script: ReplyScript, options: { model?: string } = {}): Promise<FakeServer> {
  const model = options.model ?? FAKE_CLAUDE_MODEL;
  let counter = 0;
  return startFakeServer(script, classifyAnthropic, async (request, res, nextReply, tools) => {
    if (request.method === 'HEAD' || request.method === 'GET') {
      res.writeHead(request.url === '/' ? 200 : 404).end();
      return;
    }
    if (request.kind === 'other') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'fake: not found' } }));
      return;
    }
    counter += 1;
    const reply: PlannedReply = request.kind === 'title' ? tools.sideReply(FAKE_CLAUDE_TITLE) : nextReply();
    if (reply.delayMs > 0) await sleep(reply.delayMs);
    if (reply.httpError) {
      const { status, message, body, headers } = reply.httpError;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body ?? { type: 'error', error: { type: 'invalid_request_error', message } }));
      return;
    }
    const id = `msg_fake_${counter}`;
    tools.served(request, id, reply);
    const stream = isRecord(request.body) && request.body.stream === true;
    if (stream) await streamMessage(res, id, model, reply);
    else sendMessage(res, id, model, reply);
  });
}

/**
 * Sorts a request: `POST /v1/messages` with tools is a main turn, without tools the title request; anything else is
 * a probe (HEAD/GET) or other.
 */
export function classifyAnthropic(
  method: string,
  url: string,
  body: unknown,
): Pick<RecordedRequest, 'kind' | 'userText'> {
  if (method === 'HEAD' || method === 'GET') return { kind: 'probe', userText: '' };
  if (method !== 'POST' || !url.startsWith('/v1/messages') || url.startsWith('/v1/messages/') || !isRecord(body)) {
    return { kind: 'other', userText: '' };
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return { kind: tools.length > 0 ? 'turn' : 'title', userText: newestUserText(body.messages) };
}

/** Text of the newest user message: its text blocks and tool results, joined by newlines. */
export function newestUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  const user = [...messages].reverse().find((message) => isRecord(message) && message.role === 'user');
  return isRecord(user) ? contentText(user.content) : '';
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => {
      if (!isRecord(part)) return '';
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      if (part.type === 'tool_result') return contentText(part.content);
      return '';
    })
    .filter((text) => text !== '')
    .join('\n');
}

function contentBlocks(reply: PlannedReply, id: string): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (reply.text !== '') blocks.push({ type: 'text', text: reply.text });
  if (reply.toolCall) {
    blocks.push({ type: 'tool_use', id: `toolu_${id}`, name: reply.toolCall.name, input: reply.toolCall.input });
  }
  return blocks;
}

const NO_USAGE: FakeUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/**
 * The Messages API's usage object: `input_tokens` excludes the cache (FakeUsage's own meaning); the cache write is
 * all 5-minute. `outputTokens` overrides the output (the stream's `message_start` reports 1 before any text).
 */
function usageOf(usage: FakeUsage = NO_USAGE, outputTokens = usage.output): Record<string, unknown> {
  return {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheWrite,
    cache_read_input_tokens: usage.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: usage.cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** The usage of the stream's closing `message_delta`. */
function deltaUsage(usage: FakeUsage = NO_USAGE): Record<string, number> {
  return {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheWrite,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens: usage.output,
  };
}

function sendMessage(res: ServerResponse, id: string, model: string, reply: PlannedReply): void {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${id}` });
  res.end(
    JSON.stringify({
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: contentBlocks(reply, id),
      stop_reason: reply.toolCall ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: usageOf(reply.usage),
    }),
  );
}

/** The event sequence of a streamed Messages API reply, as Claude Code parses it. */
async function streamMessage(res: ServerResponse, id: string, model: string, reply: PlannedReply): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_${id}` });
  const message = { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null };
  writeEvent(res, 'message_start', { type: 'message_start', message: { ...message, stop_sequence: null, usage: usageOf(reply.usage, 1) } });
  let index = 0;
  if (reply.text !== '') {
    writeEvent(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    writeEvent(res, 'ping', { type: 'ping' });
    for (const chunk of chunkText(reply.text)) {
      writeEvent(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: chunk } });
    }
    writeEvent(res, 'content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  if (reply.toolCall) {
    const block = { type: 'tool_use', id: `toolu_${id}`, name: reply.toolCall.name, input: {} };
    writeEvent(res, 'content_block_start', { type: 'content_block_start', index, content_block: block });
    for (const chunk of chunkText(JSON.stringify(reply.toolCall.input))) {
      writeEvent(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: chunk },
      });
    }
    writeEvent(res, 'content_block_stop', { type: 'content_block_stop', index });
  }
  writeEvent(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: reply.toolCall ? 'tool_use' : 'end_turn', stop_sequence: null },
    // As the real API: the input fields repeated, `output_tokens` the final count (cumulative, not a delta).
    usage: deltaUsage(reply.usage),
  });
  writeEvent(res, 'message_stop', { type: 'message_stop' });
  res.end();
}
