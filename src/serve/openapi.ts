/**
 * The OpenAPI 3.1 document of `poli serve`'s routes (`GET /api/openapi.json`), written by hand from the same schemas
 * the routes check requests with (schemas.ts). openapi.test.ts checks that it names every registered route and no
 * other. docs/api.md explains the routes in prose, with curl examples.
 */
import { ADD_BODY, APPROVAL_PARAMS, DECISION_BODY, EVENTS_QUERY, ID_PARAMS, PANE_PARAMS, SAY_BODY, TASK_ID_PATTERN } from './schemas.ts';

type Json = Record<string, unknown>;

const ERROR = { $ref: '#/components/schemas/Error' };
const json = (schema: Json): Json => ({ 'application/json': { schema } });
const answer = (description: string, schema?: Json): Json => (schema === undefined ? { description } : { description, content: json(schema) });
const refusals = (...more: [string, string][]): Json =>
  Object.fromEntries([
    ['401', answer('No token, or a wrong one', ERROR)],
    ['403', answer('A Host that is not the server\'s own, or (mutating requests, WebSocket) a foreign Origin', ERROR)],
    ...more.map(([status, why]) => [status, answer(why, ERROR)]),
  ]);

/** `{ type: 'object', properties: { id: … } }` → OpenAPI parameters `in: path` (or query). */
function parameters(schema: { properties: Record<string, Json>; required?: readonly string[] }, where: 'path' | 'query'): Json[] {
  return Object.entries(schema.properties).map(([name, s]) => ({ name, in: where, required: where === 'path' || (schema.required ?? []).includes(name), schema: s }));
}

const TASK_PATH = parameters(ID_PARAMS, 'path');
const message = { type: 'object', required: ['message'], properties: { message: { type: 'string', description: 'What happened, as the CLI prints it' } } };

function command(summary: string, cli: string): Json {
  return {
    post: {
      summary,
      description: `The same as \`${cli}\`.`,
      parameters: TASK_PATH,
      responses: { '202': answer('Done, or handed to the poli that runs the task', message), ...refusals(['404', 'No such task'], ['409', 'The task is not in a state for this, or no poli runs it']) },
    },
  };
}

const page = (summary: string, params: Json[] = []): Json => ({
  get: { summary, parameters: params, responses: { '200': { description: summary }, ...refusals(['404', 'No such file']) } },
});

const COMPONENTS: Json = {
  securitySchemes: {
    bearer: { type: 'http', scheme: 'bearer' },
    query: { type: 'apiKey', in: 'query', name: 'token' },
    cookie: { type: 'apiKey', in: 'cookie', name: 'poli_token_<port>' },
  },
  schemas: {
    Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } },
    TaskSummary: {
      type: 'object',
      description: 'A task\'s entry of `poli --state --json` without its messages, plus elapsedMs, waitingOn, session and pendingApprovals',
      required: ['id', 'task', 'status', 'rounds', 'startedAt', 'endedAt', 'projectDir', 'socket', 'elapsedMs', 'waitingOn', 'session', 'pendingApprovals'],
      properties: {
        id: { type: 'string', pattern: TASK_ID_PATTERN },
        task: { type: 'string' },
        status: { type: 'string', enum: ['queued', 'running', 'waiting', 'completed', 'failed', 'timeout', 'max_rounds', 'interrupted'] },
        rounds: { type: 'integer' },
        startedAt: { type: 'string', format: 'date-time' },
        endedAt: { type: ['string', 'null'], format: 'date-time' },
        projectDir: { type: 'string' },
        socket: { type: 'string' },
        error: { type: 'string' },
        waiting: { type: 'object' },
        queue: { type: 'object', description: 'state, priority, after, type, branch, base, mergedCommit, reason (tasks of the queue only)' },
        elapsedMs: { type: 'number' },
        waitingOn: { type: 'string', description: 'The WAITING ON column of `poli ps`; "" when nothing' },
        session: { type: 'string', description: 'The tmux session of its panes' },
        pendingApprovals: { type: 'integer' },
        held: { type: 'string', enum: ['paused', 'you'], description: 'while a running task is held: paused (poli pause) or you (it asks for an approval)' },
      },
    },
    Message: {
      type: 'object',
      required: ['from', 'to', 'type', 'id', 'body', 'at'],
      properties: { from: { type: 'string' }, to: { type: 'string' }, type: { type: 'string' }, id: { type: 'string' }, body: { type: 'string' }, at: { type: 'string', format: 'date-time' }, channel: { type: 'string' } },
    },
    PendingApproval: {
      type: 'object',
      required: ['task', 'round', 'from', 'to', 'type', 'id', 'body', 'at', 'socket'],
      properties: {
        task: { type: 'string' }, round: { type: 'integer' }, from: { type: 'string' }, to: { type: 'string' }, type: { type: 'string' },
        id: { type: 'string' }, body: { type: 'string' }, at: { type: 'string', format: 'date-time' }, socket: { type: 'string' }, session: { type: 'string' },
      },
    },
  },
};

/** The reading routes of tasks, and adding one. */
const TASK_PATHS: Json = {
  '/api/openapi.json': { get: { summary: 'This document', responses: { '200': answer('The OpenAPI document', { type: 'object' }), ...refusals() } } },
  '/api/tasks': {
    get: {
      summary: 'Every task of the state directory, newest first',
      responses: { '200': answer('The tasks', { type: 'object', properties: { tasks: { type: 'array', items: { $ref: '#/components/schemas/TaskSummary' } } } }), ...refusals() },
    },
    post: {
      summary: 'Queue a task (poli add)',
      requestBody: { required: true, content: json(ADD_BODY) },
      responses: {
        '201': answer('Queued', { type: 'object', required: ['id'], properties: { id: { type: 'string' }, message: { type: 'string' } } }),
        ...refusals(['400', 'No task text, an unknown type, an --after task or base branch that does not exist']),
      },
    },
  },
  '/api/tasks/{id}': {
    get: {
      summary: 'One task with every message (as in poli --state --json)',
      parameters: TASK_PATH,
      responses: {
        '200': answer('The task', { allOf: [{ $ref: '#/components/schemas/TaskSummary' }, { type: 'object', properties: { messages: { type: 'array', items: { $ref: '#/components/schemas/Message' } } } }] }),
        ...refusals(['404', 'No such task']),
      },
    },
  },
  '/api/tasks/{id}/receipts': {
    get: {
      summary: 'The delivery receipts of the messages poli typed into the CLIs',
      parameters: TASK_PATH,
      responses: { '200': answer('The receipts', { type: 'object', properties: { receipts: { type: 'array', items: { type: 'object' } } } }), ...refusals(['404', 'No such task']) },
    },
  },
  '/api/tasks/{id}/transcript': {
    get: {
      summary: 'The task\'s transcript (poli --state ID --format md)',
      parameters: TASK_PATH,
      responses: { '200': { description: 'Markdown', content: { 'text/markdown': { schema: { type: 'string' } } } }, ...refusals(['404', 'No such task']) },
    },
  },
};

/** The commands, panes, queue, approvals, events and the page. */
const OTHER_PATHS: Json = {
  '/api/tasks/{id}/say': {
    post: {
      summary: 'A note for the planner or executer at its next message (poli say T7)',
      parameters: TASK_PATH,
      requestBody: { required: true, content: json(SAY_BODY) },
      responses: {
        '202': answer('Handed to the poli that runs the task', { type: 'object', properties: { queued: { const: true }, message: { type: 'string' } } }),
        ...refusals(['400', 'No text, or an addressee that is not planner or executer'], ['404', 'No such task'], ['409', 'No poli runs the task']),
      },
    },
  },
  '/api/tasks/{id}/pause': command('Hold the task: nothing is forwarded, timeouts stop', 'poli pause T7'),
  '/api/tasks/{id}/resume': command('Release a paused task, or end a wait for a usage limit or a login now', 'poli resume T7'),
  '/api/tasks/{id}/stop': command('End the task as interrupted (a queued one leaves the queue as stopped)', 'poli stop T7'),
  '/api/tasks/{id}/retry': command('Queue a failed, stopped or blocked task again', 'poli retry T7'),
  '/api/tasks/{id}/merge': command('Merge a task that waits for you (needs_merge) again', 'poli merge T7'),
  '/api/tasks/{id}/panes/{role}/ws': {
    get: {
      summary: 'WebSocket: a live pane (role planner or executer); ?input=1 lets the client type into it',
      description:
        'Server→client JSON frames: {"type":"reset","cols","rows","cursorX","cursorY","data"}, {"type":"output","data"}, {"type":"gone"}, {"type":"error","message"}. Client→server: {"type":"input","data"} (only with ?input=1).',
      parameters: [...parameters(PANE_PARAMS, 'path'), { name: 'input', in: 'query', required: false, schema: { type: 'string', enum: ['1'] } }],
      responses: { '101': { description: 'Switching to the WebSocket protocol' }, ...refusals() },
    },
  },
  '/api/queue': {
    get: { summary: 'The queue, as poli queue --json prints it (all tasks)', responses: { '200': answer('The queue', { type: 'object', properties: { queue: { type: 'array', items: { type: 'object' } } } }), ...refusals() } },
  },
  '/api/approvals': {
    get: {
      summary: 'The messages waiting for the person\'s approval',
      responses: { '200': answer('Pending approvals', { type: 'object', properties: { approvals: { type: 'array', items: { $ref: '#/components/schemas/PendingApproval' } } } }), ...refusals() },
    },
  },
  '/api/approvals/{task}/{id}': {
    post: {
      summary: 'Approve, edit or reject a pending message',
      parameters: parameters(APPROVAL_PARAMS, 'path'),
      requestBody: { required: true, content: json(DECISION_BODY) },
      responses: {
        '200': answer('Decided', { type: 'object', properties: { decided: { const: true } } }),
        ...refusals(['400', 'An unknown action, or an edit without its body'], ['404', 'Not pending'], ['409', 'Already decided']),
      },
    },
  },
  '/api/events': {
    get: {
      summary: 'Server-Sent Events of the state dir’s events.jsonl: id = line number; resumes after Last-Event-ID; a ": ping" comment every 15 s',
      parameters: [...parameters(EVENTS_QUERY, 'query'), { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
      responses: { '200': { description: 'The stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...refusals() },
    },
  },
  '/': page('The dashboard page (web/index.html); opened with ?token=, it sets the cookie'),
  '/{file}': page('A file of the page (app.js, style.css…)', [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }]),
  '/vendor/{file}': page('xterm.js, xterm.css, addon-fit.js from node_modules', [{ name: 'file', in: 'path', required: true, schema: { type: 'string', enum: ['xterm.js', 'xterm.css', 'addon-fit.js'] } }]),
};

/** The document. */
export function openApiDocument(version: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'poli serve',
      version,
      description:
        'The dashboard API of poli (issue 21). Every route needs the token printed by `poli serve`: `Authorization: Bearer <token>`, `?token=<token>`, or the cookie the page sets. See docs/api.md.',
    },
    components: COMPONENTS,
    security: [{ bearer: [] }, { query: [] }, { cookie: [] }],
    paths: { ...TASK_PATHS, ...OTHER_PATHS },
  };
}
