/**
 * `GET /api/events` (issue 21): `<state dir>/events.jsonl` as Server-Sent Events, each line an event whose id is
 * its line number; resumable (`Last-Event-ID`), filtered by `?task=`, followed as the file grows, with a keep-alive
 * comment so proxies and browsers keep the connection.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { EVENTS_FILE } from '../records/events.ts';
import type { ServeContext } from './context.ts';
import { EventLines, formatSse, resumeAfter, wantedLine } from './event-lines.ts';
import { EVENTS_QUERY } from './schemas.ts';

/** How the stream is paced. */
export interface EventStreamTiming {
  /** How often the file is looked at for new lines (the design's 250 ms). */
  pollMs: number;
  /** How often a `: ping` comment goes out (15 s). */
  pingMs: number;
}

export const DEFAULT_EVENT_TIMING: EventStreamTiming = { pollMs: 250, pingMs: 15_000 };

export function registerEventsRoute(app: FastifyInstance, ctx: ServeContext, timing: EventStreamTiming, streams: Set<() => void>): void {
  app.get<{ Querystring: { task?: string; lastEventId?: string } }>('/api/events', { schema: { querystring: EVENTS_QUERY } }, async (request, reply) => {
    // Where poli writes it (workspace-open.ts) and `poli watch` reads it: the state dir itself, not its logs/.
    const file = path.join(ctx.stateDir, EVENTS_FILE);
    const after = resumeAfter(header(request.headers['last-event-id']), request.query.lastEventId);
    const task = request.query.task;
    // The stream writes to the socket itself: the headers set so far (the security headers) go out with its own.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(': poli events\n\n');
    const lines = new EventLines(file);
    let open = true;
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (!open) return;
      open = false;
      clearTimeout(timer);
      clearInterval(ping);
      streams.delete(stop);
      raw.end();
    };
    streams.add(stop);
    request.raw.on('close', stop);
    raw.on('close', stop);
    const ping = setInterval(() => raw.write(': ping\n\n'), timing.pingMs);
    const poll = async (): Promise<void> => {
      try {
        const fresh = await lines.read();
        if (!open) return;
        const text = fresh.filter((entry) => wantedLine(entry, after, task)).map(formatSse).join('');
        if (text !== '') raw.write(text);
      } catch {
        // An unreadable file (removed mid-read, permissions) is looked at again on the next poll.
      }
      if (open) timer = setTimeout(() => void poll(), timing.pollMs);
    };
    await poll();
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
