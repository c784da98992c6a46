/**
 * How the API answers a failure: `{ "error": code, "message": text }` with 400, 404, 409 (or 500 for a bug). poli's
 * own errors keep their message (it says what to do next); the status comes from their kind.
 */
import { ConfigError, PoliError, StateFileError } from '../errors.ts';
import { TaskStateError } from '../queue/task-commands.ts';

/** An answer the API gives on purpose. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A task id the state directory does not have. */
export function notFound(message: string): HttpError {
  return new HttpError(404, 'not-found', message);
}

/** Codes of poli's errors that mean "not now": the task is not in a state for this, or no poli runs it. */
const CONFLICT_CODES = new Set(['NOT_RUNNING', 'NOTHING_TO_STOP', 'ALREADY_RUNNING']);
const NOT_FOUND_CODES = new Set(['TASK_NOT_FOUND']);
/** A request poli cannot apply as given (an approval decision without its body or reason). */
const BAD_REQUEST_CODES = new Set(['INVALID_DECISION']);

/** The status and body for any error thrown by a route. */
export function toHttpAnswer(error: unknown): { status: number; body: { error: string; message: string } } {
  if (error instanceof HttpError) return { status: error.status, body: { error: error.code, message: error.message } };
  if (error instanceof PoliError) {
    if (NOT_FOUND_CODES.has(error.code)) return { status: 404, body: { error: 'not-found', message: error.message } };
    if (CONFLICT_CODES.has(error.code) || error instanceof TaskStateError) return { status: 409, body: { error: 'conflict', message: error.message } };
    if (error instanceof ConfigError || BAD_REQUEST_CODES.has(error.code)) return { status: 400, body: { error: 'bad-request', message: error.message } };
    if (error instanceof StateFileError) return { status: 500, body: { error: 'state-file', message: error.message } };
    return { status: 500, body: { error: error.code.toLowerCase().replace(/_/g, '-'), message: error.message } };
  }
  // Fastify's own: a body that fails the route's schema, JSON that does not parse, a body too large.
  const fastify = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return { status: fastify.statusCode, body: { error: 'bad-request', message: fastify.message ?? 'bad request' } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: 'internal', message: `unexpected error (a bug in poli; please report it): ${message}` } };
}
