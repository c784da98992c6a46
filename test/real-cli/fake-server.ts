/**
 * What the fake model servers (fake-anthropic.ts, fake-openai.ts, fake-gemini.ts, fake-chat.ts) share: a loopback
 * HTTP server on a free port that records every request, scripts its replies per test, reports known token usage per
 * reply (and lists what it served, so a test can sum it), and a helper that answers the block addressed to a role.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatBlock } from '../../src/protocol/format-block.ts';
import type { Addressee, BlockHeader, MessageType, Role } from '../../src/protocol/types.ts';

/** One request as the fake server saw it, for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/v1/messages?beta=true`. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body parsed as JSON, or undefined when it was empty or not JSON. */
  body: unknown;
  /** What the server took the request for. */
  kind: 'probe' | 'title' | 'turn' | 'other';
  /** Text of the newest user message (tool results included), '' when there is none. */
  userText: string;
  /** Epoch ms when the request's body had arrived. */
  receivedAt: number;
  /** Epoch ms when the response was fully written (undefined while it is being written). */
  finishedAt?: number;
}

export interface HttpError {
  status: number;
  message: string;
  /** The JSON body to send instead of the server's default error shape (e.g. Codex's `usage_limit_reached`). */
  body?: unknown;
  /** Extra response headers (`retry-after`, Anthropic's `anthropic-ratelimit-unified-*`). */
  headers?: Record<string, string>;
}

/** A tool call the fake model asks for; `input` is the tool's JSON arguments. */
export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  /** OpenAI Responses: the namespace of a namespaced tool (Codex offers an MCP server's tools as namespace `mcp__<server>`). */
  namespace?: string;
}

/** One scripted model turn: plain text, or text and/or a tool call, optionally after a delay. */
export type ScriptedReply =
  | string
  | {
      text?: string;
      toolCall?: ToolCall;
      /** Answer with this HTTP error instead (status 400 is not retried by either CLI). */
      httpError?: HttpError;
      /** Wait this long before the first byte, so a test can see the CLI busy. */
      delayMs?: number;
      /** The token usage the server reports for this turn (default: distinct numbers per turn, see `defaultTurnUsage`). */
      usage?: FakeUsage;
    };

/**
 * Token usage a fake server reports, as four disjoint numbers in Anthropic's meaning (`input` excludes the cache);
 * each fake writes them in its API's own shape (OpenAI and Gemini count the cache inside the prompt tokens).
 * `reasoning` is part of `output` where the API reports it apart.
 */
export interface FakeUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning?: number;
}

/**
 * How a fake server answers main turns: a function of the newest user message text, or a queue consumed one reply
 * per turn (a turn after the queue ran dry gets a visible "no scripted reply" text).
 */
export type ReplyScript = ((requestText: string, request: RecordedRequest) => ScriptedReply) | ScriptedReply[];

/** One reply the server sent with a model answer (not errors, probes or 404s), with the usage it reported. */
export interface ServedReply {
  /** `turn` for a main turn, `title` for a side request (titles, routers, classifiers). */
  kind: 'turn' | 'title';
  /** The id the reply carried (Anthropic message id, Responses id, chat completion id; '' when the API has none). */
  responseId: string;
  usage: FakeUsage;
  /** The request's newest user text, to tell which prompt the reply answered. */
  userText: string;
}

export interface FakeServer {
  /** `http://127.0.0.1:PORT` (no trailing slash, no path). */
  readonly url: string;
  readonly port: number;
  /** Every request so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Every answer with usage so far, in the order they were written: sum the `turn` ones to know what a CLI was told. */
  readonly served: readonly ServedReply[];
  /** Main turns only (no probes, no title requests). */
  turns(): RecordedRequest[];
  /** Replaces the script (e.g. between phases of one test). */
  setScript(script: ReplyScript): void;
  close(): Promise<void>;
}

export const NO_SCRIPTED_REPLY = 'fake server: no scripted reply left';

/** Normalised form of a scripted reply. */
export interface PlannedReply {
  text: string;
  toolCall?: ToolCall;
  httpError?: HttpError;
  delayMs: number;
  /**
   * What the server reports for this reply: scripted, else the default of its kind. Always set by `nextReply()` and
   * `sideReply()`; optional only so a handler's own literal replies still type-check.
   */
  usage?: FakeUsage;
}

/**
 * The usage a main turn reports when its script gives none: the n-th main turn of a server (from 1) gets distinct
 * numbers, every field non-zero, with digits that make a double-counted or dropped call visible in a sum.
 */
export function defaultTurnUsage(n: number): FakeUsage {
  return { input: 100 + n, output: 40 + n, cacheRead: 2000 + 10 * n, cacheWrite: 300 + n };
}

/**
 * The usage of the m-th side request (titles, routers, classifiers; from 1): marked numbers (9000+, 900+) so a test
 * sees at once when a CLI's side requests were mixed into what poli counts for the conversation.
 */
export function defaultSideUsage(m: number): FakeUsage {
  return { input: 9000 + m, output: 900 + m, cacheRead: 0, cacheWrite: 0 };
}

/** What a handler gets besides the request: the side reply maker and the log of what it served. */
export interface ServeTools {
  /** A side request's reply (`text`, no delay) with the next side usage numbers. */
  sideReply(text: string): PlannedReply;
  /** Notes that `reply` was written for `request` under `responseId` (call once the answer is on its way, not for errors). */
  served(request: RecordedRequest, responseId: string, reply: PlannedReply): void;
}

export type RequestHandler = (
  request: RecordedRequest,
  response: ServerResponse,
  nextReply: () => PlannedReply,
  tools: ServeTools,
) => Promise<void>;

/**
 * Starts a server on 127.0.0.1 with a free port. `classify` fills in `kind` and `userText` from the parsed body; the
 * handler writes the response.
 */
export async function startFakeServer(
  script: ReplyScript,
  classify: (method: string, url: string, body: unknown) => Pick<RecordedRequest, 'kind' | 'userText'>,
  handle: RequestHandler,
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const served: ServedReply[] = [];
  let current = script;
  let turns = 0;
  let sides = 0;

  const planFor = (request: RecordedRequest): PlannedReply => {
    const scripted = Array.isArray(current) ? current.shift() : current(request.userText, request);
    turns += 1;
    return normaliseReply(scripted ?? NO_SCRIPTED_REPLY, defaultTurnUsage(turns));
  };
  const tools: ServeTools = {
    sideReply: (text) => {
      sides += 1;
      return { text, delayMs: 0, usage: defaultSideUsage(sides) };
    },
    served: (request, responseId, reply) => {
      if (!reply.usage) return;
      served.push({ kind: request.kind === 'turn' ? 'turn' : 'title', responseId, usage: reply.usage, userText: request.userText });
    },
  };

  const server: Server = createServer((req, res) => {
    void readBody(req)
      .then(async (raw) => {
        const body = parseJson(raw);
        const method = req.method ?? 'GET';
        const url = req.url ?? '/';
        const receivedAt = Date.now();
        const request: RecordedRequest = { method, url, headers: req.headers, body, receivedAt, ...classify(method, url, body) };
        requests.push(request);
        await handle(request, res, () => planFor(request), tools);
        request.finishedAt = Date.now();
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake server error: ${String(error)}`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    served,
    turns: () => requests.filter((request) => request.kind === 'turn'),
    setScript: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A scripted reply in full; `usage` is what it reports when the script names none. */
export function normaliseReply(reply: ScriptedReply, usage: FakeUsage = defaultTurnUsage(1)): PlannedReply {
  if (typeof reply === 'string') return { text: reply, delayMs: 0, usage };
  return {
    text: reply.text ?? '',
    delayMs: reply.delayMs ?? 0,
    usage: reply.usage ?? usage,
    ...(reply.toolCall ? { toolCall: reply.toolCall } : {}),
    ...(reply.httpError ? { httpError: reply.httpError } : {}),
  };
}

/** Writes one server-sent event (`event:` line only when `event` is given). */
export function writeEvent(res: ServerResponse, event: string | undefined, data: unknown): void {
  res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);
}

/** Splits text into streaming chunks of at most `size` characters (code points, so no surrogate is cut). */
export function chunkText(text: string, size = 40): string[] {
  const chars = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < chars.length; i += size) chunks.push(chars.slice(i, i + size).join(''));
  return chunks;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const OPEN_HEADER = /\[\[POLI:MSG (\{.*?\})\]\]/g;

/**
 * Answers the newest block addressed to `role` in `requestText` with a block that carries the same id: `make` gets
 * that block's header and returns the reply's addressee, type and body. Returns a visible complaint (not a block)
 * when no block is addressed to `role`, so a test fails with a readable screen.
 */
export function replyTo(
  requestText: string,
  role: Role,
  make: (header: BlockHeader) => { to: Addressee; type: MessageType; body: string },
): string {
  const header = findLastHeader(requestText, role);
  if (!header) return `fake model: no [[POLI:MSG]] block addressed to ${role} in the request`;
  const reply = make(header);
  return formatBlock({ to: reply.to, type: reply.type, id: header.id }, reply.body);
}

/** The last `[[POLI:MSG {…}]]` header addressed to `role` (one line, valid JSON), or undefined. */
export function findLastHeader(text: string, role: Role): BlockHeader | undefined {
  let found: BlockHeader | undefined;
  for (const match of text.matchAll(OPEN_HEADER)) {
    const header = parseJson(match[1] ?? '') as Partial<BlockHeader> | undefined;
    if (header?.to === role && typeof header.id === 'string' && typeof header.type === 'string') {
      found = header as BlockHeader;
    }
  }
  return found;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Narrowing helper for the loosely typed request bodies. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
