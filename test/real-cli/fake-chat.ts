/**
 * A fake OpenAI Chat Completions API for the CLIs that speak it (Qwen Code, opencode, pi, GitHub Copilot CLI):
 * `POST /v1/chat/completions` with tools is a main turn (scripted text and, optionally, one tool call, streamed as
 * `chat.completion.chunk` events then `data: [DONE]`, or as one JSON object when `stream` is false); without tools it
 * is a side request (titles, summaries; JSON that fits a requested schema); `GET /v1/models` lists one model.
 * Every answer reports its usage (fake-server.ts: distinct numbers per main turn, marked ones for side requests) in
 * the Chat Completions shape, on the last chunk that carries `finish_reason`, and in `FakeServer.served`.
 */
import type { ServerResponse } from 'node:http';
import { fitSchema } from './fake-gemini.ts';
import {
  chunkText,
  isRecord,
  sleep,
  startFakeServer,
  type FakeServer,
  type FakeUsage,
  type HttpError,
  type PlannedReply,
  type RecordedRequest,
  type ReplyScript,
} from './fake-server.ts';

export const FAKE_CHAT_MODEL = 'fake-model';

/**
 * How the server counts cache writes in `prompt_tokens_details`. The four CLIs disagree on whether `cached_tokens`
 * includes the tokens written to the cache:
 * - `openai` (default): `cached_tokens` = tokens read only; the writes in `cache_write_tokens`,
 *   `cache_creation_input_tokens` and `cache_creation_tokens` (one name per reader: Copilot CLI, opencode's
 *   openai-compatible provider, …). Qwen Code reads none of them (its input then holds the writes).
 * - `openrouter`: `cached_tokens` = read + written, the writes again in `cache_write_tokens` (OpenRouter's meaning,
 *   which pi assumes: it subtracts the writes from `cached_tokens`).
 */
export type CacheStyle = 'openai' | 'openrouter';

export interface FakeChatOptions {
  cacheStyle?: CacheStyle;
  /**
   * Also send OpenAI's extra last chunk `{choices: [], usage}` when the request asks for it
   * (`stream_options.include_usage`): then the usage is on that chunk instead of the one with `finish_reason`.
   */
  usageChunk?: boolean;
}

export function startFakeChat(script: ReplyScript, options: FakeChatOptions = {}): Promise<FakeServer> {
  let counter = 0;
  const style = options.cacheStyle ?? 'openai';
  return startFakeServer(script, classifyChat, async (request, res, nextReply, tools) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && /\/models\b/.test(request.url)) {
      return json(200, { object: 'list', data: [{ id: FAKE_CHAT_MODEL, object: 'model', created: 0, owned_by: 'fake' }] });
    }
    if (request.kind === 'other' || request.kind === 'probe') return json(404, { error: { message: 'fake: not found', type: 'invalid_request_error' } });
    counter += 1;
    const body = isRecord(request.body) ? request.body : {};
    const reply: PlannedReply = request.kind === 'title' ? tools.sideReply(sideText(body, request.userText)) : nextReply();
    if (reply.delayMs > 0) await sleep(reply.delayMs);
    if (reply.httpError) return writeChatError(res, reply.httpError);
    // Unique per server: Copilot CLI keeps it as the call's `apiCallId`, pi as its `responseId`.
    const id = `chatcmpl-fake-${counter}`;
    const usage = chatUsage(reply.usage ?? { input: 10, output: Math.max(1, Math.ceil(reply.text.length / 4)), cacheRead: 0, cacheWrite: 0 }, style);
    const separate = options.usageChunk === true && isRecord(body.stream_options) && body.stream_options.include_usage === true;
    tools.served(request, id, reply);
    if (body.stream === true) streamChunks(res, id, reply, usage, separate);
    else json(200, completion(id, reply, usage));
  });
}

/**
 * The `prompt_tokens_details` fields that carry cache writes in the `openai` style. FAKE_CHAT_WRITE_FIELDS (comma
 * separated) sends only some, to find out which one a CLI reads (test/real-cli/usage-probe-chat.ts).
 */
const WRITE_FIELDS = (process.env.FAKE_CHAT_WRITE_FIELDS ?? 'cache_write_tokens,cache_creation_input_tokens,cache_creation_tokens').split(',').filter((name) => name !== '');

/** `usage` of a Chat Completions answer for the disjoint numbers `u`, in the given cache style. */
export function chatUsage(u: FakeUsage, style: CacheStyle = 'openai'): Record<string, unknown> {
  const prompt = u.input + u.cacheRead + u.cacheWrite;
  const writes = Object.fromEntries(WRITE_FIELDS.map((name) => [name, u.cacheWrite]));
  const details =
    style === 'openrouter' ? { cached_tokens: u.cacheRead + u.cacheWrite, cache_write_tokens: u.cacheWrite } : { cached_tokens: u.cacheRead, ...writes };
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output,
    total_tokens: prompt + u.output,
    prompt_tokens_details: details,
    completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
  };
}

export function classifyChat(method: string, url: string, body: unknown): Pick<RecordedRequest, 'kind' | 'userText'> {
  if (method !== 'POST') return { kind: 'probe', userText: '' };
  if (!/\/chat\/completions\b/.test(url) || !isRecord(body)) return { kind: 'other', userText: '' };
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const userText = newestUserMessage(body.messages);
  const side = tools.length === 0 || SIDE_AGENT.test(systemText(body.messages)) || SIDE_REQUEST.test(userText);
  return { kind: side ? 'title' : 'turn', userText };
}

/** Background agents that come with tools but are not the conversation (Qwen Code's managed-memory extractor). */
const SIDE_AGENT = /memory extraction subagent|\bacting as the [\w -]*subagent\b/i;

/**
 * Qwen Code's auto-approval classifier ("## Pending tool call to classify"): answered with plain text it cannot read,
 * so the CLI falls back to asking the person, as its default mode does for a risky command.
 */
const SIDE_REQUEST = /^## Pending tool call to classify|^\[SUGGESTION MODE:/;
/** Qwen Code's follow-up suggestion, shown as ghost text in its input after a turn (Enter would accept it). */
export const FAKE_SUGGESTION = 'run the tests';

function systemText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  const first = messages.find((m) => isRecord(m) && (m.role === 'system' || m.role === 'developer'));
  return isRecord(first) ? contentText(first.content) : '';
}

/** Text of the newest `user` or `tool` message. */
export function newestUserMessage(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  for (const message of [...messages].reverse()) {
    if (!isRecord(message) || (message.role !== 'user' && message.role !== 'tool')) continue;
    const text = contentText(message.content);
    if (text !== '') return text;
  }
  return '';
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((t) => t !== '')
    .join('\n');
}

function sideText(body: Record<string, unknown>, userText: string): string {
  if (userText.startsWith('[SUGGESTION MODE:')) return FAKE_SUGGESTION;
  const format = isRecord(body.response_format) ? body.response_format : undefined;
  if (format?.type === 'json_schema' && isRecord(format.json_schema)) return JSON.stringify(fitSchema(format.json_schema.schema));
  if (format?.type === 'json_object') return '{}';
  return 'Fake session';
}

function toolCalls(id: string, reply: PlannedReply): unknown[] {
  if (!reply.toolCall) return [];
  return [{ index: 0, id: `call_${id}`, type: 'function', function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.input) } }];
}

function completion(id: string, reply: PlannedReply, usage: unknown): unknown {
  const calls = toolCalls(id, reply);
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: FAKE_CHAT_MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.text, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
        finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage,
  };
}

function streamChunks(res: ServerResponse, id: string, reply: PlannedReply, usage: unknown, separate: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: unknown, finish: string | null, extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: FAKE_CHAT_MODEL, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
  chunk({ role: 'assistant', content: '' }, null);
  for (const text of reply.text === '' ? [] : chunkText(reply.text, 200)) chunk({ content: text }, null);
  const calls = toolCalls(id, reply);
  for (const delta of toolCallDeltas(id, reply)) chunk({ tool_calls: [delta] }, null);
  chunk({}, calls.length > 0 ? 'tool_calls' : 'stop', separate ? {} : { usage });
  if (separate) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: FAKE_CHAT_MODEL, choices: [], usage })}\n\n`);
  res.write('data: [DONE]\n\n');
  res.end();
}

// ---------------------------------------------------------------------------------------------------------------
// Scripted error answers (usage limits, rate limits, overloads, bad keys, full contexts), for limits tests and probes

/** Writes an error answer: the scripted body and headers, or OpenAI's error shape around the message. */
export function writeChatError(res: ServerResponse, error: HttpError): void {
  res.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
  res.end(JSON.stringify(error.body ?? { error: { message: error.message, type: 'invalid_request_error', param: null, code: null } }));
}

/** What an OpenAI-compatible API answers, by case: the bodies and headers of OpenAI's API reference and error guide. */
export const CHAT_ERRORS = {
  /** 429 per-minute rate limit, with `retry-after` and the `x-ratelimit-*` headers. */
  rate(retryAfterSec = 20): HttpError {
    const message = `Rate limit reached for ${FAKE_CHAT_MODEL} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${retryAfterSec}s. Visit https://platform.openai.com/account/rate-limits to learn more.`;
    return {
      status: 429,
      message,
      headers: {
        'retry-after': String(retryAfterSec),
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': `${retryAfterSec}s`,
      },
      body: { error: { message, type: 'requests', param: null, code: 'rate_limit_exceeded' } },
    };
  },
  /** 429 out of credit (OpenAI's `insufficient_quota`): no retry helps. */
  quota(): HttpError {
    const message =
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';
    return { status: 429, message, body: { error: { message, type: 'insufficient_quota', param: null, code: 'insufficient_quota' } } };
  },
  /**
   * 429 for a plan's usage quota with its reset time in the message: the wording Qwen Code fast-fails on ("quota" and
   * "exhausted"/"exceeded" and "will reset"/"reset at", its quotaErrorDetection.ts). `resetText` as the provider writes it.
   */
  usage(resetText: string): HttpError {
    const message = `Your usage quota for this plan has been exhausted. Your quota will reset at ${resetText}.`;
    return { status: 429, message, body: { error: { message, type: 'rate_limit_error', param: null, code: 'quota_exceeded' } } };
  },
  /** 503: the model is overloaded. */
  overloaded(): HttpError {
    const message = 'The server is overloaded or not ready yet.';
    return { status: 503, message, body: { error: { message, type: 'server_error', param: null, code: 'server_is_overloaded' } } };
  },
  /** 401: the key is wrong, revoked or expired. */
  unauthorized(): HttpError {
    const message = 'Incorrect API key provided: sk-fake****0000. You can find your API key at https://platform.openai.com/account/api-keys.';
    return { status: 401, message, body: { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } };
  },
  /** 400: the conversation no longer fits the model's context window. */
  contextFull(): HttpError {
    const message =
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.";
    return { status: 400, message, body: { error: { message, type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } } };
  },
} as const;

/** Characters of a tool call's arguments per streamed delta (OpenAI streams them in small pieces too). */
const ARGUMENT_PIECE = Number(process.env.FAKE_CHAT_ARG_PIECE ?? 4096);

/**
 * The scripted tool call as streamed `tool_calls` deltas: the first names the call (id, type, function name), the
 * following ones carry its JSON arguments piece by piece.
 */
function toolCallDeltas(id: string, reply: PlannedReply): unknown[] {
  if (!reply.toolCall) return [];
  const args = JSON.stringify(reply.toolCall.input);
  const pieces = args.length === 0 ? [''] : chunkText(args, ARGUMENT_PIECE);
  return pieces.map((piece, i) =>
    i === 0
      ? { index: 0, id: `call_${id}`, type: 'function', function: { name: reply.toolCall!.name, arguments: piece } }
      : { index: 0, function: { arguments: piece } },
  );
}
