/**
 * The event stream `logs/events.jsonl`: one JSON line per thing that happened in a task, for `poli watch` and for
 * tools. Events are a discriminated union on `event`, with one formatter per kind checked by the compiler.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { StateFileError } from '../errors.ts';
import { EventLines } from './event-lines.ts';
import type { Addressee, MessageType, Role, Sender } from '../protocol/types.ts';
import type { EndStatus } from '../state/types.ts';

/** Fields any event may carry. */
interface EventBase {
  /** ISO 8601. */
  at: string;
  /** Task id, `T3`. */
  task?: string;
  round?: number;
  /** tmux pane id, `%1`. */
  pane?: string;
  role?: Role;
  /** The tmux socket of the poli that wrote the event. */
  socket?: string;
}

export type PoliEvent = EventBase &
  (
    | { event: 'start'; summary: string }
    | { event: 'prime'; role: Role; pane: string }
    /** poli typed a message into `role`'s pane; `from` is who wrote it (forwarded or poli's own). */
    | { event: 'send'; role: Role; from: Sender; type: MessageType; id: string; summary: string }
    /** A reply block was read from `role`'s pane. */
    | { event: 'reply'; role: Role; to: Addressee; type: MessageType; id: string; summary: string }
    /** A status block from the EXECUTER while it works. */
    | { event: 'status'; role: Role; id: string; summary: string }
    | { event: 'reminder'; role: Role; id: string }
    /**
     * The CLI shows a permission or confirmation prompt: a person must answer it in tmux. `for` `usage`: the CLI hit
     * its usage limit, and poli waits until `until` (ISO 8601); `auth`: its login expired, poli waits for a person to
     * log in; `over`: such a wait ended.
     */
    | { event: 'waiting'; role: Role; reason: string; for?: 'approval' | 'usage' | 'auth' | 'over'; until?: string | null }
    | { event: 'restart'; role: Role; pane: string; reason: string }
    | { event: 'approval'; id: string; type: MessageType; decision: 'approve' | 'edit' | 'reject'; reason?: string }
    /** poli asks the person at its terminal to approve a message (--approve), and waits. */
    | { event: 'ask'; id: string; type: MessageType; summary: string }
    /** The task ended, however it ended. */
    | { event: 'complete'; status: EndStatus; reason: string }
    | { event: 'error'; reason: string }
    /** A message from the human (`poli say`) delivered to `role`. */
    | { event: 'say'; role: Role; summary: string; delivered?: boolean; reason?: string }
    /**
     * The tokens of one turn, as `role`'s CLI recorded them (issue 22): `id` is the poli message the turn handled (or
     * `primer:ROLE`, `unattributed:ROLE`); a count null: the CLI records none. `cost` and `taskCost` in US dollars,
     * null when no price is known. Emitted when a turn's numbers change: at its end, again if a late record adds to it.
     */
    | {
        event: 'usage';
        role: Role;
        id: string;
        model: string | null;
        input: number | null;
        output: number | null;
        cacheRead: number | null;
        cacheWrite: number | null;
        cost: number | null;
        taskCost: number | null;
      }
    | { event: 'pause' }
    | { event: 'resume' }
    | { event: 'stop'; reason?: string }
  );

export type EventKind = PoliEvent['event'];
type EventOf<K extends EventKind> = Extract<PoliEvent, { event: K }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What `emit` takes: an event whose `at` defaults to the clock's now. */
export type PoliEventInput = DistributiveOmit<PoliEvent, 'at'> & { at?: string };

/** File name of the event stream inside the state directory. */
export const EVENTS_FILE = 'events.jsonl';
export const DEFAULT_FOLLOW_POLL_MS = 250;

/** Fields each kind must have (besides `at` and `event`) for a line to be taken as that event. */
const REQUIRED: { [K in EventKind]: readonly (keyof EventOf<K>)[] } = {
  start: ['summary'],
  prime: ['role', 'pane'],
  send: ['role', 'from', 'type', 'id', 'summary'],
  reply: ['role', 'to', 'type', 'id', 'summary'],
  status: ['role', 'id', 'summary'],
  reminder: ['role', 'id'],
  waiting: ['role', 'reason'],
  restart: ['role', 'pane', 'reason'],
  approval: ['id', 'type', 'decision'],
  ask: ['id', 'type', 'summary'],
  complete: ['status', 'reason'],
  error: ['reason'],
  say: ['role', 'summary'],
  usage: ['role', 'id'],
  pause: [],
  resume: [],
  stop: [],
};
export const EVENT_KINDS = Object.keys(REQUIRED) as EventKind[];

const DECISION_WORDS = { approve: 'approved', edit: 'edited', reject: 'rejected' } as const;

/** One formatter per kind; the mapped type makes the compiler insist on all of them. */
const FORMATTERS: { [K in EventKind]: (e: EventOf<K>) => string } = {
  start: (e) => `task started: ${oneLine(e.summary)}`,
  prime: (e) => `primed ${e.role} in ${e.pane}`,
  send: (e) => `${e.from} → ${e.role} ${e.type} ${e.id}: ${oneLine(e.summary)}`,
  reply: (e) => `${e.role} → ${e.to} ${e.type} ${e.id}: ${oneLine(e.summary)}`,
  status: (e) => `${e.role} status ${e.id}: ${oneLine(e.summary)}`,
  reminder: (e) => `reminded ${e.role} of ${e.id}`,
  waiting: (e) =>
    e.for === 'usage' || e.for === 'auth' || e.for === 'over'
      ? `${e.role}: ${oneLine(e.reason)}${e.until ? ` (until ${e.until})` : ''}`
      : `${e.role} is waiting for approval: ${oneLine(e.reason)}`,
  restart: (e) => `restarted ${e.role} in ${e.pane}: ${oneLine(e.reason)}`,
  approval: (e) => `human ${DECISION_WORDS[e.decision]} ${e.type} ${e.id}${e.reason ? `: ${oneLine(e.reason)}` : ''}`,
  ask: (e) => `waiting for you to approve ${e.type} ${e.id}: ${oneLine(e.summary)}`,
  complete: (e) => `task ${e.status}: ${oneLine(e.reason)}`,
  error: (e) => `error: ${oneLine(e.reason)}`,
  say: (e) =>
    e.delivered === false
      ? `note for ${e.role} not delivered${e.reason ? ` (${oneLine(e.reason)})` : ''}: ${oneLine(e.summary)}`
      : `HUMAN → ${e.role}: ${oneLine(e.summary)}`,
  usage: (e) =>
    `${e.role} ${e.id}: ${[e.input, e.output, e.cacheRead, e.cacheWrite].map(tokens).join(' / ')} tokens (in / out / cache read / write)` +
    `${e.model ? ` on ${e.model}` : ''}, ${dollars(e.cost)}; task ${dollars(e.taskCost)}`,
  pause: () => 'paused by the human',
  resume: () => 'resumed by the human',
  // The reason usually says who stopped it already ("stopped by the human (poli stop)").
  stop: (e) => (e.reason && /^stopped by the human/.test(e.reason) ? oneLine(e.reason) : `stopped by the human${e.reason ? `: ${oneLine(e.reason)}` : ''}`),
};

function tokens(n: number | null): string {
  return n === null ? '?' : String(n);
}

/** `$0.0123`, or `cost unknown` (a price was missing): never a made-up 0. */
function dollars(cost: number | null): string {
  return cost === null ? 'cost unknown' : `$${cost.toFixed(4)}`;
}

/** `12:00:01 T3 r1 PLANNER → EXECUTER plan T3-R1-ab12cd: 1. Create hello.txt` (local time). */
export function formatEvent(e: PoliEvent): string {
  const format = FORMATTERS[e.event] as (event: PoliEvent) => string;
  const prefix = [formatLocalTime(new Date(e.at))];
  if (e.task !== undefined) prefix.push(e.task);
  if (e.round !== undefined) prefix.push(`r${e.round}`);
  return `${prefix.join(' ')} ${format(e)}`;
}

/** An event from one line of the stream, or what is wrong with the line. */
export function parseEvent(line: string): PoliEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `invalid JSON (${(error as Error).message})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (!EVENT_KINDS.includes(v.event as EventKind)) return `unknown event ${JSON.stringify(v.event) ?? '(missing)'}`;
  if (typeof v.at !== 'string' || Number.isNaN(Date.parse(v.at))) return '"at" is not an ISO time';
  const missing = (REQUIRED[v.event as EventKind] as readonly string[]).find((k) => v[k] === undefined);
  if (missing !== undefined) return `${String(v.event)} event without "${missing}"`;
  return v as unknown as PoliEvent;
}

export interface EventLog {
  /** Appends one line; lines from one process land in emit order, each written whole. Returns the event as written. */
  emit(e: PoliEventInput): PoliEvent;
  /** Stops writing; later emits are dropped. */
  close(): Promise<void>;
}

export interface CreateEventLogOptions {
  clock?: { now(): number };
  /** Gets write failures; without it `emit` throws them. Events are secondary, so runners usually log and go on. */
  onError?: (error: StateFileError) => void;
  /** Fields every event carries (after the event's own), e.g. the socket. */
  fields?: { socket?: string };
}

/**
 * An append-only JSON-lines event log. Each line goes out in one `appendFileSync` (one O_APPEND write), so lines
 * from several processes never interleave and a reader sees at most one partial last line.
 * @throws StateFileError when the directory cannot be created.
 */
export function createEventLog(file: string, options: CreateEventLogOptions = {}): EventLog {
  const { clock = Date } = options;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (error) {
    throw new StateFileError(`could not create the directory of the event log ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let closed = false;
  return {
    emit(input) {
      const { at, event, ...rest } = input;
      const full = { at: at ?? new Date(clock.now()).toISOString(), event, ...rest, ...options.fields } as PoliEvent;
      if (closed) return full;
      const line = JSON.stringify(full);
      try {
        appendFileSync(file, `${line}\n`, 'utf8');
      } catch (error) {
        const failure = new StateFileError(`could not append to the event log ${file}: ${(error as Error).message}`, {
          cause: error,
        });
        if (!options.onError) throw failure;
        options.onError(failure);
      }
      return full;
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

export interface FollowEventsOptions {
  /** Start with the events already in the file; otherwise only new ones. */
  fromStart: boolean;
  onEvent(e: PoliEvent): void;
  /** Lines that are not events (other versions, damage); skipped either way. */
  onInvalid?(line: string, reason: string): void;
  /** Following stops when this aborts. */
  signal: AbortSignal;
  pollMs?: number;
  /** Waits between polls; resolves early (never rejects) when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Follows the event file like `tail -F` until `signal` aborts: waits for it to appear, holds back a partial last
 * line until its newline arrives, and starts over from the top when the file shrinks or is replaced.
 * @throws StateFileError when the file exists but cannot be read.
 */
export async function followEvents(file: string, options: FollowEventsOptions): Promise<void> {
  const { signal, pollMs = DEFAULT_FOLLOW_POLL_MS, sleep = sleepUnlessAborted } = options;
  const lines = new EventLines(file);
  if (!options.fromStart) await lines.skipExisting();
  while (!signal.aborted) {
    for (const { line } of await lines.read()) {
      if (signal.aborted) break;
      deliver(line, options);
    }
    if (signal.aborted) break;
    await sleep(pollMs, signal);
  }
}

function deliver(line: string, options: FollowEventsOptions): void {
  if (line.trim() === '') return;
  const parsed = parseEvent(line);
  if (typeof parsed === 'string') options.onInvalid?.(line, parsed);
  else options.onEvent(parsed);
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, { signal }).catch(() => undefined);
}

function oneLine(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function formatLocalTime(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
