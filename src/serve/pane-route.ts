/**
 * `GET /api/tasks/:id/panes/:role/ws` (issue 21, "Panes"): a task's live pane over a WebSocket, fed by a PaneFeed
 * (src/serve/pane-feed.ts). Frames are JSON text: server→client `reset` (the screen as it is, on open), `output`
 * (what the pane prints), `gone`, `error`; client→server `input`, taken only when the socket was opened with
 * `?input=1` (typing into a CLI is an explicit switch; read-only otherwise).
 */
import type { FastifyInstance } from 'fastify';
import type { Role } from '../protocol/types.ts';
import { DEFAULT_SESSION } from '../state/claim-key.ts';
import type { ServeContext } from './context.ts';
import type { PaneStream } from './pane-types.ts';
import { PANE_PARAMS } from './schemas.ts';

/** What the route uses of a `ws` WebSocket. */
export interface PaneSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: Buffer | string) => void): void;
  on(event: 'close', listener: () => void): void;
}

/** A frame from the server. */
export type PaneFrame =
  | { type: 'reset'; cols: number; rows: number; cursorX: number; cursorY: number; data: string }
  | { type: 'output'; data: string }
  | { type: 'gone' }
  | { type: 'error'; message: string };

const OPEN = 1;
/** WebSocket close codes: normal, and "the server cannot do this" (no feed, no such task). */
const CLOSE_NORMAL = 1000;
const CLOSE_UNAVAILABLE = 1011;

export function registerPaneRoute(app: FastifyInstance, ctx: ServeContext, streams: Set<() => void>): void {
  app.get<{ Params: { id: string; role: 'planner' | 'executer' }; Querystring: { input?: string } }>(
    '/api/tasks/:id/panes/:role/ws',
    { websocket: true, schema: { params: PANE_PARAMS } },
    (socket, request) => {
      const ws = socket as unknown as PaneSocket;
      void servePane(ws, ctx, request.params.id, request.params.role.toUpperCase() as Role, request.query.input === '1', streams);
    },
  );
}

function send(ws: PaneSocket, frame: PaneFrame): void {
  if (ws.readyState === OPEN) ws.send(JSON.stringify(frame));
}

/** Finds the task's pane, sends its screen, then its output, until the pane or the socket goes. */
async function servePane(ws: PaneSocket, ctx: ServeContext, id: string, role: Role, input: boolean, streams: Set<() => void>): Promise<void> {
  // The stream once open (finish closes it, whenever the socket goes).
  const current: { stream?: PaneStream } = {};
  let closed = false;
  const offs: (() => void)[] = [];
  const finish = (code = CLOSE_NORMAL): void => {
    if (closed) return;
    closed = true;
    streams.delete(finish);
    offs.forEach((off) => off());
    void current.stream?.close().catch(() => undefined);
    if (ws.readyState === OPEN) ws.close(code);
  };
  streams.add(finish);
  ws.on('close', () => finish());
  // Input may arrive before the pane is found: it waits for the stream rather than being lost.
  const ready: Promise<PaneStream | undefined> = (async () => {
    if (ctx.paneFeed === undefined) return fail(ws, 'live panes are not available in this server', finish);
    const record = await ctx.records.get(id);
    if (record === undefined) return fail(ws, `no task ${id} (GET /api/tasks lists them)`, finish);
    const queued = ctx.queue.get(id);
    const session = queued !== undefined && queued.state !== 'done' ? id : (record.session ?? DEFAULT_SESSION);
    const paneId = (await ctx.paneFeed.findPanes(record.socket, session).catch(() => ({}) as Partial<Record<Role, string>>))[role];
    if (paneId === undefined) {
      send(ws, { type: 'gone' });
      finish();
      return undefined;
    }
    const opened = await ctx.paneFeed.open(record.socket, paneId);
    if (closed) {
      await opened.close();
      return undefined;
    }
    return opened;
  })().catch((error: unknown) => fail(ws, `could not open the ${role} pane of ${id}: ${(error as Error).message}`, finish));
  ws.on('message', (data) => void onMessage(ws, data, input, ready));
  const stream = await ready;
  if (stream === undefined) return;
  if (closed) return void stream.close().catch(() => undefined);
  current.stream = stream;
  // Output printed while the screen is captured waits, and follows the screen.
  let held: string[] | undefined = [];
  offs.push(stream.onOutput((data) => (held ? held.push(data) : send(ws, { type: 'output', data }))));
  offs.push(
    stream.onGone(() => {
      send(ws, { type: 'gone' });
      finish();
    }),
  );
  try {
    const screen = await stream.snapshot();
    send(ws, { type: 'reset', ...screen });
  } catch (error) {
    fail(ws, `could not read the ${role} pane of ${id}: ${(error as Error).message}`, finish);
    return;
  }
  const waiting = held;
  held = undefined;
  for (const data of waiting) send(ws, { type: 'output', data });
}

/** A client's frame: input goes to the pane when the socket may type; anything else is answered with an error. */
async function onMessage(ws: PaneSocket, data: Buffer | string, input: boolean, ready: Promise<PaneStream | undefined>): Promise<void> {
  let frame: unknown;
  try {
    frame = JSON.parse(data.toString());
  } catch {
    return send(ws, { type: 'error', message: 'frames are JSON: {"type": "input", "data": "…"}' });
  }
  const { type, data: text } = (frame ?? {}) as { type?: unknown; data?: unknown };
  if (type !== 'input' || typeof text !== 'string') return send(ws, { type: 'error', message: 'the only frame a client sends is {"type": "input", "data": "…"}' });
  if (!input) return send(ws, { type: 'error', message: 'read-only: open the pane with ?input=1 to type into it' });
  const stream = await ready;
  await stream?.type(text).catch((error: unknown) => send(ws, { type: 'error', message: `could not type into the pane: ${(error as Error).message}` }));
}

function fail(ws: PaneSocket, message: string, finish: (code?: number) => void): undefined {
  send(ws, { type: 'error', message });
  finish(CLOSE_UNAVAILABLE);
  return undefined;
}
