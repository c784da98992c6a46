/**
 * The API's commands (issue 21): add a task, and say / pause / resume / stop / retry / merge one. Each calls the
 * function the CLI's command calls (src/queue/task-commands.ts, task-control.ts) and answers with the line the CLI
 * would print.
 */
import type { FastifyInstance } from 'fastify';
import type { ControlCommand } from '../human/control.ts';
import type { Role } from '../protocol/types.ts';
import { queueTask, requeueMerge, retryTask, type CommandResult } from '../queue/task-commands.ts';
import { sendTaskControl } from '../queue/task-control.ts';
import { DEFAULT_TASK_RETRIES, type Priority } from '../queue/types.ts';
import type { ServeContext } from './context.ts';
import { HttpError } from './http-errors.ts';
import { taskRecord } from './read-routes.ts';
import { ADD_BODY, ID_PARAMS, SAY_BODY } from './schemas.ts';
import { taskSession } from './task-summary.ts';

interface AddBody {
  task: string;
  priority?: Priority;
  after?: string[];
  type?: string;
  base?: string;
}

export function registerActionRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post<{ Body: AddBody }>('/api/tasks', { schema: { body: ADD_BODY } }, async (request, reply) => {
    const body = request.body;
    if (body.task.trim() === '') throw new HttpError(400, 'bad-request', 'the task is empty: give its text, e.g. {"task": "Add a --verbose flag"}');
    const result = await queueTask(
      { queue: ctx.queue, records: ctx.writer },
      {
        text: body.task,
        priority: body.priority ?? 'normal',
        after: [...new Set(body.after ?? [])],
        retries: DEFAULT_TASK_RETRIES,
        ...(body.base !== undefined && body.base.trim() !== '' ? { base: body.base.trim() } : {}),
        ...(body.type !== undefined && body.type.trim() !== '' ? { type: body.type.trim() } : {}),
      },
      { projectDir: ctx.projectDir, socket: ctx.socket, typeValues: ctx.typeValues, now: ctx.now },
    );
    return reply.code(201).send({ id: result.task.id, message: result.message });
  });

  app.post<{ Params: { id: string }; Body: { to: 'planner' | 'executer'; text: string } }>(
    '/api/tasks/:id/say',
    { schema: { params: ID_PARAMS, body: SAY_BODY } },
    async (request, reply) => {
      const { to, text } = request.body;
      if (text.trim() === '') throw new HttpError(400, 'bad-request', 'the note is empty: give its text, e.g. {"to": "planner", "text": "check the tests"}');
      const result = await control(ctx, request.params.id, { kind: 'say', to: to.toUpperCase() as Role, text });
      return reply.code(202).send({ queued: true, message: result.message });
    },
  );

  for (const kind of ['pause', 'resume', 'stop'] as const) {
    app.post<{ Params: { id: string } }>(`/api/tasks/:id/${kind}`, { schema: { params: ID_PARAMS } }, async (request, reply) => {
      return reply.code(202).send(await control(ctx, request.params.id, { kind }));
    });
  }

  app.post<{ Params: { id: string } }>('/api/tasks/:id/retry', { schema: { params: ID_PARAMS } }, async (request, reply) =>
    reply.code(202).send(retryTask(ctx.queue, request.params.id)),
  );
  app.post<{ Params: { id: string } }>('/api/tasks/:id/merge', { schema: { params: ID_PARAMS } }, async (request, reply) =>
    reply.code(202).send(requeueMerge(ctx.queue, request.params.id)),
  );
}

/**
 * A command for the poli that runs task `id`: on the task's socket, in the session its pair runs in (a queued task's
 * is named after it, as `poli say T7` assumes).
 */
async function control(ctx: ServeContext, id: string, command: ControlCommand): Promise<CommandResult> {
  const record = await taskRecord(ctx, id);
  const session = taskSession(record, ctx.queue.get(id));
  return sendTaskControl({ stateDir: ctx.stateDir, socket: record.socket, session, runtimeDir: ctx.runtimeDir, now: ctx.now, pid: ctx.pid }, command);
}
