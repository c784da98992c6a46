/**
 * A fake OpenAI Responses API for the real Codex CLI: answers `POST /v1/responses` (the main turn with tools and the
 * title request with `tools: []`) with scripted text and, optionally, one function call.
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

export const FAKE_CODEX_TITLE = 'Fake session';

/** The model the responses name unless the test picks one (Codex records its configured model regardless). */
export const FAKE_OPENAI_MODEL = 'gpt-fake';

/** Starts the fake on a free loopback port; the Codex provider's base_url is `${url}/v1`. */
export function startFakeOpenAi(script: ReplyScript, options: { model?: string } = {}): Promise<FakeServer> {
  const model = options.model ?? FAKE_OPENAI_MODEL;
  let counter = 0;
  return startFakeServer(script, classifyOpenAi, async (request, res, nextReply, tools) => {
    if (request.kind === 'other' || request.kind === 'probe') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'fake: not found', type: 'invalid_request_error' } }));
      return;
    }
    counter += 1;
    const reply: PlannedReply = request.kind === 'title' ? tools.sideReply(FAKE_CODEX_TITLE) : nextReply();
    if (reply.delayMs > 0) await sleep(reply.delayMs);
    if (reply.httpError) {
      const { status, message, body, headers } = reply.httpError;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body ?? { error: { message, type: 'invalid_request_error' } }));
      return;
    }
    const id = `resp_fake_${counter}`;
    tools.served(request, id, reply);
    await streamResponse(res, id, model, reply);
  });
}

/** `POST /v1/responses` with tools is a main turn, with `tools: []` (or none) the title request. */
export function classifyOpenAi(
  method: string,
  url: string,
  body: unknown,
): Pick<RecordedRequest, 'kind' | 'userText'> {
  if (method === 'HEAD' || method === 'GET') return { kind: 'probe', userText: '' };
  if (method !== 'POST' || !url.startsWith('/v1/responses') || !isRecord(body)) return { kind: 'other', userText: '' };
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return { kind: tools.length > 0 ? 'turn' : 'title', userText: newestUserInput(body.input) };
}

/** Text of the newest user message or tool output in a Responses `input` list. */
export function newestUserInput(input: unknown): string {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  for (const item of [...input].reverse()) {
    if (!isRecord(item)) continue;
    if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') return outputText(item.output);
    if (item.role === 'user') return messageText(item.content);
  }
  return '';
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (isRecord(output) && typeof output.content === 'string') return output.content;
  return messageText(output);
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text !== '')
    .join('\n');
}

const NO_USAGE: FakeUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/**
 * The Responses API's usage object: `input_tokens` counts the whole prompt, cache reads and writes included (OpenAI's
 * meaning), `output_tokens` includes the reasoning tokens it details.
 */
function usageOf(usage: FakeUsage = NO_USAGE): Record<string, unknown> {
  const input = usage.input + usage.cacheRead + usage.cacheWrite;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cacheRead, cache_write_tokens: usage.cacheWrite },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
    total_tokens: input + usage.output,
  };
}

/**
 * The event sequence Codex renders: `response.created`, per item `output_item.added`, text deltas and
 * `output_item.done`, then `response.completed` (without it Codex shows "■ stream disconnected before completion").
 */
async function streamResponse(res: ServerResponse, id: string, model: string, reply: PlannedReply): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  writeEvent(res, 'response.created', { type: 'response.created', response: { id, model, status: 'in_progress', output: [] } });
  const output: Record<string, unknown>[] = [];
  if (reply.text !== '') {
    const itemId = `msg_${id}`;
    const outputIndex = output.length;
    const item = { type: 'message', id: itemId, role: 'assistant', status: 'completed', content: [] as unknown[] };
    writeEvent(res, 'response.output_item.added', {
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: { ...item, status: 'in_progress' },
    });
    for (const delta of chunkText(reply.text)) {
      writeEvent(res, 'response.output_text.delta', {
        type: 'response.output_text.delta',
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        delta,
      });
    }
    const done = { ...item, content: [{ type: 'output_text', text: reply.text, annotations: [] }] };
    writeEvent(res, 'response.output_item.done', { type: 'response.output_item.done', output_index: outputIndex, item: done });
    output.push(done);
  }
  if (reply.toolCall) {
    const item = {
      type: 'function_call',
      id: `fc_${id}`,
      call_id: `call_${id}`,
      name: reply.toolCall.name,
      ...(reply.toolCall.namespace ? { namespace: reply.toolCall.namespace } : {}),
      arguments: JSON.stringify(reply.toolCall.input),
      status: 'completed',
    };
    writeEvent(res, 'response.output_item.done', {
      type: 'response.output_item.done',
      output_index: output.length,
      item,
    });
    output.push(item);
  }
  writeEvent(res, 'response.completed', {
    type: 'response.completed',
    response: { id, model, status: 'completed', output, usage: usageOf(reply.usage) },
  });
  res.end();
}
