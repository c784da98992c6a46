/**
 * `GET /api/tasks/:id/panes/:role/ws` (issue 21, "Panes"): a task's live pane over a WebSocket. The route finds the
 * task's pane (its socket, and the session its pair runs in) through the injected PaneFeed (pane-feed.ts in
 * production, a fake in tests) and hands the stream to connectPaneSocket (pane-socket.ts), which sends the frames
 * (`reset`, `output`, `gone`, `error`) and takes `input` only when the socket was opened with `?input=1`.
 */
import type { FastifyInstance } from 'fastify';
import type { Role } from '../protocol/types.ts';
import type { ServeContext } from './context.ts';
import { encodePaneFrame } from './pane-frames.ts';
import { connectPaneSocket, type PaneSocket } from './pane-socket.ts';
import type { PaneStream } from './pane-types.ts';
import { PANE_PARAMS } from './schemas.ts';
import { taskSession } from './task-summary.ts';

/** What the route uses of a `ws` WebSocket. */
interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: Buffer | string) => void): void;
  on(event: 'close', listener: () => void): void;
}

const OPEN = 1;
/** "The server cannot do this": no pane feed, no such task, the pane could not be opened. */
const CLOSE_UNAVAILABLE = 1011;

export function registerPaneRoute(app: FastifyInstance, ctx: ServeContext, streams: Set<() => void>): void {
  app.get<{ Params: { id: string; role: 'planner' | 'executer' }; Querystring: { input?: string } }>(
    '/api/tasks/:id/panes/:role/ws',
    { websocket: true, schema: { params: PANE_PARAMS } },
    (socket, request) => {
      const { id, role } = request.params;
      servePane(socket as unknown as WebSocketLike, ctx, id, role.toUpperCase() as Role, request.query.input === '1', streams);
    },
  );
}

/** Connects the socket to the task's pane; frames the page sends before that wait for it. */
function servePane(ws: WebSocketLike, ctx: ServeContext, id: string, role: Role, input: boolean, streams: Set<() => void>): void {
  const send = (text: string): void => {
    if (ws.readyState === OPEN) ws.send(text);
  };
  let pane: PaneSocket | undefined;
  let closed = false;
  const early: string[] = [];
  const shut = (): void => ws.close();
  streams.add(shut);
  ws.on('message', (data) => {
    if (pane) void pane.receive(String(data));
    else early.push(String(data));
  });
  ws.on('close', () => {
    closed = true;
    streams.delete(shut);
    void pane?.close().catch(() => undefined);
  });
  const refuse = (message: string): void => {
    send(encodePaneFrame({ type: 'error', message }));
    ws.close(CLOSE_UNAVAILABLE);
  };
  void openPane(ctx, id, role)
    .then(async (found) => {
      if (typeof found === 'string') return refuse(found);
      if (found === undefined) {
        send(encodePaneFrame({ type: 'gone' }));
        return undefined;
      }
      if (closed) return void (await found.close());
      pane = connectPaneSocket(found, send, { input });
      for (const text of early.splice(0)) await pane.receive(text);
      return undefined;
    })
    .catch((error: unknown) => refuse(`could not open the ${role} pane of ${id}: ${error instanceof Error ? error.message : String(error)}`));
}

/**
 * The stream of the task's pane; undefined when the task has no such pane (not started, or ended); a string says why
 * none can be opened here.
 */
async function openPane(ctx: ServeContext, id: string, role: Role): Promise<PaneStream | undefined | string> {
  if (ctx.paneFeed === undefined) return 'live panes are not available in this server';
  const record = await ctx.records.get(id);
  if (record === undefined) return `no task ${id} (GET /api/tasks lists them)`;
  const session = taskSession(record, ctx.queue.get(id));
  const panes = await ctx.paneFeed.findPanes(record.socket, session).catch(() => ({}) as Partial<Record<Role, string>>);
  const paneId = panes[role];
  return paneId === undefined ? undefined : ctx.paneFeed.open(record.socket, paneId);
}
