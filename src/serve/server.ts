/**
 * `poli serve` (issue 21): a Fastify server over the state directory — the same store, queue and running dialogues the
 * CLI sees — with the API of docs/api.md, an event stream, the live panes over WebSocket, and the page of web/.
 * `createServer` builds it without listening (tests use `app.inject`); `startServer` listens and gives the URL to open.
 */
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { PoliError } from '../errors.ts';
import { PACKAGE_ROOT } from '../host.ts';
import { QueueStore } from '../queue/store.ts';
import { isProcessAlive } from '../state/lock.ts';
import { StateStore } from '../state/store.ts';
import { authHook, isWildcardHost, newToken, PAGE_CSP, type AuthSite } from './auth.ts';
import type { ServeContext } from './context.ts';
import { toHttpAnswer } from './http-errors.ts';
import type { PaneFeed } from './pane-types.ts';
import { registerReadRoutes } from './read-routes.ts';
import { registerActionRoutes } from './action-routes.ts';
import { registerApprovalRoutes } from './approval-routes.ts';
import { DEFAULT_EVENT_TIMING, registerEventsRoute } from './events-route.ts';
import { registerPaneRoute } from './pane-route.ts';
import { openApiDocument } from './openapi.ts';
import { registerStaticRoutes } from './static-routes.ts';

/** The default `--host` and `--port`. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 7777;
/** The hosts that reach only this machine; any other `--host` exposes the server (the CLI warns). */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

export interface ServeOptions {
  stateDir: string;
  /** The project new tasks are queued for. */
  projectDir: string;
  /** The tmux socket new tasks run on. */
  socket: string;
  /** host.ts `runtimeDir`: where the running polis' locks and control inboxes are. */
  runtimeDir: string;
  host?: string;
  /** 0: a free port. */
  port?: number;
  /** The token; by default a new random one. */
  token?: string;
  clock?: { now(): number };
  pid?: number;
  /** The live panes; without it the pane WebSocket answers that panes are not available. */
  paneFeed?: PaneFeed;
  /** The page's files (default: web/ of the package). */
  webDir?: string;
  /** Settings values for a task type's commands (`POLI_TYPE_<TYPE>_PLANNER_CMD`…). */
  typeValues?: Record<string, string | undefined>;
  /** How often the event stream looks for new lines, and sends a keep-alive comment. */
  eventPollMs?: number;
  pingMs?: number;
}

/** A built server. */
export interface DashboardServer {
  app: FastifyInstance;
  token: string;
  /** The site the auth checks use; its port is the real one once listening. */
  site: AuthSite;
  /** Every route registered (method and Fastify path), HEAD left out. */
  routes: readonly { method: string; url: string }[];
  /** Stops the streams, closes the server and the queue's store. */
  close(): Promise<void>;
}

/** A listening server. */
export interface StartedServer extends DashboardServer {
  port: number;
  /** The URL to open: `http://127.0.0.1:7777/?token=…`. */
  url: string;
}

/** The port is taken: `--port` picks another. */
export class PortInUseError extends PoliError {
  constructor(host: string, port: number, options?: { cause?: unknown }) {
    super('PORT_IN_USE', `port ${port} on ${host} is in use (another poli serve, or another program); pick another with --port, e.g. --port ${port + 1}, or --port 0 for any free one`, options);
  }
}

/** Builds the server (not listening). */
export async function createServer(options: ServeOptions): Promise<DashboardServer> {
  const clock = options.clock ?? { now: () => Date.now() };
  const pid = options.pid ?? process.pid;
  const host = options.host ?? DEFAULT_HOST;
  const site: AuthSite = { token: options.token ?? newToken(), host, port: options.port ?? DEFAULT_PORT, ...(isWildcardHost(host) ? { names: machineNames() } : {}) };
  const queue = QueueStore.open(options.stateDir);
  const storeOptions = { dir: options.stateDir, clock, pid, isPidAlive: isProcessAlive };
  const records = new StateStore({ ...storeOptions, readOnly: true });
  // A state directory from before the queue is brought in as the queue's history, as `poli queue` does.
  queue.importRecords(await records.list(), { base: '', now: new Date(clock.now()).toISOString() });
  const ctx: ServeContext = {
    stateDir: options.stateDir,
    projectDir: options.projectDir,
    socket: options.socket,
    runtimeDir: options.runtimeDir,
    records,
    writer: new StateStore(storeOptions),
    queue,
    typeValues: options.typeValues ?? {},
    paneFeed: options.paneFeed,
    now: () => clock.now(),
    pid,
  };
  // No request log: a URL may carry the token (`/?token=`), and the token is printed once, nowhere else.
  // forceCloseConnections: an event stream or a pane never goes idle, and close() would wait for it forever.
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const stop of [...streams]) stop();
  });
  app.addHook('onRequest', authHook(() => site));
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', PAGE_CSP);
  });
  // Every route as registered, for the OpenAPI check (openapi.test.ts); HEAD is Fastify's own twin of each GET.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  // A WebSocket upgrade answered with an error (no token, a foreign Origin, no such route) left Node's HTTP server at
  // the upgrade: nothing ends its connection, and close() would wait for it forever. It ends with the answer.
  app.addHook('onResponse', async (request, reply) => {
    if ((request.headers.upgrade ?? '').toLowerCase() === 'websocket' && reply.statusCode >= 400) request.raw.socket.end();
  });
  app.setErrorHandler(async (error, _request, reply) => {
    const answer = toHttpAnswer(error);
    return reply.code(answer.status).send(answer.body);
  });
  app.setNotFoundHandler(async (request, reply) => reply.code(404).send({ error: 'not-found', message: `no route ${request.method} ${request.url.replace(/\?.*$/, '')} (GET /api/openapi.json lists them)` }));
  await app.register(fastifyWebsocket);
  const document = openApiDocument(await packageVersion());
  app.get('/api/openapi.json', async () => document);
  registerReadRoutes(app, ctx);
  registerActionRoutes(app, ctx);
  registerApprovalRoutes(app, ctx);
  registerPaneRoute(app, ctx, streams);
  registerEventsRoute(app, ctx, { pollMs: options.eventPollMs ?? DEFAULT_EVENT_TIMING.pollMs, pingMs: options.pingMs ?? DEFAULT_EVENT_TIMING.pingMs }, streams);
  await registerStaticRoutes(app, options.webDir ?? path.join(PACKAGE_ROOT, 'web'));
  let closed = false;
  return {
    app,
    token: site.token,
    site,
    routes,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      queue.close();
    },
  };
}

async function packageVersion(): Promise<string> {
  const text = await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Builds the server and listens; the port in use is a PortInUseError. */
export async function startServer(options: ServeOptions): Promise<StartedServer> {
  const server = await createServer(options);
  const host = options.host ?? DEFAULT_HOST;
  try {
    await server.app.listen({ host, port: options.port ?? DEFAULT_PORT });
  } catch (error) {
    await server.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, options.port ?? DEFAULT_PORT, { cause: error });
    throw error;
  }
  const address = server.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? DEFAULT_PORT);
  server.site.port = port;
  // Bound to every address: the URL names one another machine can open (0.0.0.0 is no address to open).
  const named = isWildcardHost(host) ? (server.site.names?.find((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n) && !n.startsWith('127.')) ?? '127.0.0.1') : host;
  const shown = named.includes(':') ? `[${named}]` : named;
  return { ...server, port, url: `http://${shown}:${port}/?token=${server.token}` };
}

/** This machine's addresses (every interface) and its host name: what other machines call it. */
export function machineNames(interfaces = os.networkInterfaces(), hostname = os.hostname()): string[] {
  const addresses = Object.values(interfaces).flatMap((list) => (list ?? []).map((i) => i.address.replace(/%.*$/, '')));
  return [...new Set([...addresses.filter((a) => !a.startsWith('127.') && a !== '::1'), hostname])];
}
