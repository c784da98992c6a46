/**
 * The JSON schemas of the API's parameters and bodies: Fastify checks requests against them (a 400 names what is
 * wrong), and the OpenAPI document (openapi.ts) shows the same objects.
 */

/** A task id: `T7`. */
export const TASK_ID_PATTERN = '^T[0-9]+$';

export const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: TASK_ID_PATTERN } },
} as const;

export const ADD_BODY = {
  type: 'object',
  required: ['task'],
  additionalProperties: false,
  properties: {
    task: { type: 'string', minLength: 1, maxLength: 100_000, description: 'The task, as for poli add' },
    priority: { type: 'string', enum: ['high', 'normal', 'low'] },
    after: { type: 'array', items: { type: 'string', pattern: TASK_ID_PATTERN }, maxItems: 100, description: 'Ids of tasks that must be merged first' },
    type: { type: 'string', maxLength: 100, description: 'A task type (POLI_TYPE_<TYPE>_PLANNER_CMD / _EXECUTER_CMD in the settings)' },
    base: { type: 'string', maxLength: 250, description: 'The branch it starts from and is merged into (default: the project\'s current branch)' },
  },
} as const;

export const SAY_BODY = {
  type: 'object',
  required: ['to', 'text'],
  additionalProperties: false,
  properties: {
    to: { type: 'string', enum: ['planner', 'executer'] },
    text: { type: 'string', minLength: 1, maxLength: 100_000 },
  },
} as const;

export const APPROVAL_PARAMS = {
  type: 'object',
  required: ['task', 'id'],
  properties: { task: { type: 'string', pattern: TASK_ID_PATTERN }, id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$' } },
} as const;

export const DECISION_BODY = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: ['approve', 'edit', 'reject'] },
    body: { type: 'string', maxLength: 1_000_000, description: 'With edit: the message as it should go' },
    reason: { type: 'string', maxLength: 10_000, description: 'With reject: why (required; the author gets it)' },
  },
} as const;

export const PANE_PARAMS = {
  type: 'object',
  required: ['id', 'role'],
  properties: { id: { type: 'string', pattern: TASK_ID_PATTERN }, role: { type: 'string', enum: ['planner', 'executer'] } },
} as const;

export const EVENTS_QUERY = {
  type: 'object',
  properties: {
    task: { type: 'string', pattern: TASK_ID_PATTERN, description: 'Only the events of this task' },
    lastEventId: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'Resume after this id (as the Last-Event-ID header)' },
  },
} as const;
