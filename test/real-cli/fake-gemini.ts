/**
 * A fake Gemini API (v1beta) for the real Gemini CLI: `POST /v1beta/models/<model>:generateContent` (side requests
 * that ask for JSON by a response schema, e.g. the model router's `complexity_score`) gets an object that fits the
 * schema; `POST /v1beta/models/<model>:streamGenerateContent?alt=sse` (the main turn, with tools) gets the scripted
 * text and, optionally, one `functionCall`, as SSE `data:` events; `:countTokens` gets a count.
 */
import type { ServerResponse } from 'node:http';
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

/** The `modelVersion` the answers name unless the test picks one (Gemini CLI records the model it asked for). */
export const FAKE_GEMINI_MODEL = 'gemini-fake';

/** Starts the fake on a free loopback port; the CLI's `GOOGLE_GEMINI_BASE_URL` is its `url`. */
export function startFakeGemini(script: ReplyScript, options: { model?: string } = {}): Promise<FakeServer> {
  const model = options.model ?? FAKE_GEMINI_MODEL;
  let counter = 0;
  return startFakeServer(script, classifyGemini, async (request, res, nextReply, tools) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (request.url.includes(':countTokens')) {
      // Not billed, but marked like a side request so a count that leaks into the transcript's numbers shows.
      const side = tools.sideReply('');
      tools.served(request, '', side);
      return json(200, { totalTokens: side.usage?.input ?? 0 });
    }
    if (request.kind === 'other' || request.kind === 'probe') return json(404, { error: { code: 404, message: 'fake: not found', status: 'NOT_FOUND' } });
    counter += 1;
    const id = `gemini-fake-${counter}`;
    if (request.kind === 'title') {
      const side = sideAnswer(request.body, tools.sideReply(''));
      tools.served(request, id, side.reply);
      return json(200, { ...side.body, modelVersion: model, responseId: id });
    }
    const reply: PlannedReply = nextReply();
    if (reply.delayMs > 0) await sleep(reply.delayMs);
    if (reply.httpError) return writeGeminiError(res, reply.httpError);
    tools.served(request, id, reply);
    streamTurn(res, id, model, reply);
  });
}

/** `:streamGenerateContent` is a main turn; `:generateContent` a side request (router, summaries, checks). */
export function classifyGemini(method: string, url: string, body: unknown): Pick<RecordedRequest, 'kind' | 'userText'> {
  if (method !== 'POST') return { kind: 'probe', userText: '' };
  if (!url.startsWith('/v1beta/models/') || !isRecord(body)) return { kind: 'other', userText: '' };
  if (url.includes(':countTokens')) return { kind: 'other', userText: '' };
  const userText = newestUserText(body.contents);
  if (url.includes(':streamGenerateContent') && Array.isArray(body.tools) && body.tools.length > 0) return { kind: 'turn', userText };
  return { kind: 'title', userText };
}

/** Text of the newest `user` content: its text parts, or a function response as JSON. */
export function newestUserText(contents: unknown): string {
  if (!Array.isArray(contents)) return '';
  for (const content of [...contents].reverse()) {
    if (!isRecord(content) || content.role !== 'user' || !Array.isArray(content.parts)) continue;
    const texts = content.parts.map((part) => {
      if (!isRecord(part)) return '';
      if (typeof part.text === 'string') return part.text;
      if (isRecord(part.functionResponse)) return functionResponseText(part.functionResponse);
      return '';
    });
    const text = texts.filter((t) => t !== '').join('\n');
    if (text !== '') return text;
  }
  return '';
}

/**
 * What a tool answered, as the model would read it: Gemini CLI 0.61.0 sends an MCP tool's text as
 * `{"output": "<untrusted_context>\n…\n</untrusted_context>"}`; the text itself (its lines intact) for a string
 * `output`, the JSON otherwise.
 */
function functionResponseText(functionResponse: Record<string, unknown>): string {
  const response = functionResponse.response;
  if (isRecord(response) && typeof response.output === 'string') return response.output;
  return JSON.stringify(response ?? {});
}

/** A side request: JSON that fits its response schema when it asks for one, else a short text; `side` gives its usage. */
function sideAnswer(body: unknown, side: PlannedReply): { body: Record<string, unknown>; reply: PlannedReply } {
  const config = isRecord(body) && isRecord(body.generationConfig) ? body.generationConfig : {};
  const schema = config.responseJsonSchema ?? config.responseSchema;
  const text = schema !== undefined ? JSON.stringify(fitSchema(schema)) : 'Fake session';
  return {
    body: { candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }], usageMetadata: usageOf(side.usage) },
    reply: { ...side, text },
  };
}

/** A value that fits a JSON schema: first enum value, the smallest number, every property filled in. */
export function fitSchema(schema: unknown): unknown {
  if (!isRecord(schema)) return {};
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = String(schema.type ?? 'object').toLowerCase();
  if (type === 'object' || isRecord(schema.properties)) {
    const properties = isRecord(schema.properties) ? schema.properties : {};
    return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, fitSchema(value)]));
  }
  if (type === 'array') return [];
  if (type === 'number' || type === 'integer') return typeof schema.minimum === 'number' ? schema.minimum : 1;
  if (type === 'boolean') return false;
  return 'fake';
}

const NO_USAGE: FakeUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/**
 * The Gemini API's `usageMetadata`: the prompt count includes the cached tokens, thoughts are counted apart from the
 * candidates (FakeUsage's `output` includes its `reasoning`), and there is no cache-write count at all (so the
 * `cacheWrite` of a FakeUsage is not reported: Gemini CLI cannot know it).
 */
function usageOf(usage: FakeUsage = NO_USAGE): Record<string, number> {
  const reasoning = usage.reasoning ?? 0;
  const prompt = usage.input + usage.cacheRead;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: usage.output - reasoning,
    cachedContentTokenCount: usage.cacheRead,
    thoughtsTokenCount: reasoning,
    totalTokenCount: prompt + usage.output,
  };
}

/** The main turn as SSE; usage only on the last chunk (the CLI keeps the last it sees; the real API's earlier ones are partial). */
function streamTurn(res: ServerResponse, id: string, model: string, reply: PlannedReply): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (parts: unknown[], last: boolean) =>
    res.write(
      `data: ${JSON.stringify({
        candidates: [{ content: { role: 'model', parts }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }],
        ...(last ? { usageMetadata: usageOf(reply.usage) } : {}),
        modelVersion: model,
        responseId: id,
      })}\r\n\r\n`,
    );
  const chunks = reply.text === '' ? [] : chunkText(reply.text, 200);
  chunks.forEach((chunk, i) => send([{ text: chunk }], i === chunks.length - 1 && !reply.toolCall));
  if (reply.toolCall) send([{ functionCall: { name: reply.toolCall.name, args: reply.toolCall.input } }], true);
  if (chunks.length === 0 && !reply.toolCall) send([{ text: '' }], true);
  res.end();
}

// ---------------------------------------------------------------------------------------------------------------
// Scripted error answers (quota, capacity, bad key), for limits tests and probes

/** Writes an error answer: the scripted body and headers, or the Gemini API's error shape around the message. */
export function writeGeminiError(res: ServerResponse, error: HttpError): void {
  res.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
  res.end(JSON.stringify(error.body ?? { error: { code: error.status, message: error.message, status: 'INVALID_ARGUMENT' } }));
}

const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

/** What the Gemini API answers, by case (google.rpc error details as the API sends them; Gemini CLI's googleQuotaErrors reads them). */
export const GEMINI_ERRORS = {
  /**
   * 429 RESOURCE_EXHAUSTED for a quota: `perDay` names a daily quota (terminal, no reset shown), else a per-minute
   * one; `retryDelaySec` > 300 makes Gemini CLI stop and show when access resets, ≤ 300 it retries silently.
   */
  quota(options: { perDay?: boolean; retryDelaySec?: number } = {}): HttpError {
    const quotaId = options.perDay ? 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' : 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier';
    const message = `You exceeded your current quota, please check your plan and billing details. * Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 50, model: gemini-fake`;
    const details: unknown[] = [
      { '@type': QUOTA_FAILURE, violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId, quotaDimensions: { location: 'global', model: 'gemini-fake' }, quotaValue: '50' }] },
    ];
    if (options.retryDelaySec !== undefined) details.push({ '@type': RETRY_INFO, retryDelay: `${options.retryDelaySec}s` });
    return { status: 429, message, body: { error: { code: 429, message, status: 'RESOURCE_EXHAUSTED', details } } };
  },
  /** 503 UNAVAILABLE: the model is overloaded. */
  overloaded(): HttpError {
    const message = 'The model is overloaded. Please try again later.';
    return { status: 503, message, body: { error: { code: 503, message, status: 'UNAVAILABLE' } } };
  },
  /** 400 INVALID_ARGUMENT: the conversation no longer fits the model's input. */
  contextFull(): HttpError {
    const message = 'The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).';
    return { status: 400, message, body: { error: { code: 400, message, status: 'INVALID_ARGUMENT' } } };
  },
  /** 400 API_KEY_INVALID: the Gemini API's answer to a bad or revoked key. */
  invalidKey(): HttpError {
    const message = 'API key not valid. Please pass a valid API key.';
    return {
      status: 400,
      message,
      body: {
        error: {
          code: 400,
          message,
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } }],
        },
      },
    };
  },
} as const;
