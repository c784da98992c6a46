/**
 * The API's reading routes: tasks, one task with its messages, its receipts and transcript, the queue, pending
 * approvals. Each reads the stores fresh (other processes write them) and shows no planner or executer command.
 */
import type { FastifyInstance } from 'fastify';
import { listPending, type PendingApproval } from '../human/approval-files.ts';
import { queueEntries, readQueueRecords } from '../queue/queue-json.ts';
import { renderTranscript } from '../records/transcript.ts';
import type { TaskRecord } from '../state/types.ts';
import type { ServeContext } from './context.ts';
import { notFound } from './http-errors.ts';
import { ID_PARAMS } from './schemas.ts';
import { detailTasks, type SummaryInput } from './task-summary.ts';

export function registerReadRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get('/api/tasks', async () => ({ tasks: (await summaries(ctx)).map(({ messages: _m, ...summary }) => summary) }));

  app.get<{ Params: { id: string } }>('/api/tasks/:id', { schema: { params: ID_PARAMS } }, async (request) => {
    const all = await summaries(ctx);
    const task = all.find((t) => t.id === request.params.id);
    if (task === undefined) throw noTask(request.params.id);
    return task;
  });

  app.get<{ Params: { id: string } }>('/api/tasks/:id/receipts', { schema: { params: ID_PARAMS } }, async (request) => {
    const record = await taskRecord(ctx, request.params.id);
    return { receipts: record.deliveries ?? [] };
  });

  app.get<{ Params: { id: string } }>('/api/tasks/:id/transcript', { schema: { params: ID_PARAMS } }, async (request, reply) => {
    const record = await taskRecord(ctx, request.params.id);
    return reply.type('text/markdown; charset=utf-8').send(renderTranscript(record));
  });

  app.get('/api/queue', async () => {
    const tasks = ctx.queue.list();
    return { queue: queueEntries(tasks, await readQueueRecords(tasks, ctx.records, true)) };
  });

  app.get('/api/approvals', async () => ({ approvals: await listPending(ctx.stateDir) }));
}

/** Every task with its messages, newest first. */
async function summaries(ctx: ServeContext): Promise<ReturnType<typeof detailTasks>> {
  const input: SummaryInput = {
    records: await ctx.records.list(),
    queue: ctx.queue.list(),
    approvals: countByTask(await listPending(ctx.stateDir)),
    now: ctx.now(),
  };
  return detailTasks(input);
}

function countByTask(pending: readonly PendingApproval[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of pending) counts.set(p.task, (counts.get(p.task) ?? 0) + 1);
  return counts;
}

/** The record of task `id`, or a 404. */
export async function taskRecord(ctx: ServeContext, id: string): Promise<TaskRecord> {
  const record = await ctx.records.get(id);
  if (record === undefined) throw noTask(id);
  return record;
}

function noTask(id: string): Error {
  return notFound(`no task ${id} in the state directory (GET /api/tasks lists them)`);
}
