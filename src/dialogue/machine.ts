/**
 * The planner/executer dialogue as a pure state machine: events in, next state and effects out.
 * No tmux, files or clock here — the task runner performs the effects and feeds back events,
 * so every transition can be tested with plain values.
 */
import { cleanBody } from '../protocol/format-block.ts';
import type { Addressee, Block, MessageType, Role, Sender } from '../protocol/types.ts';
import type { EndStatus, TaskStatus } from '../state/types.ts';
import type { ReplyChannel } from '../reading/channel.ts';

export type { EndStatus, TaskStatus };

/** A message as recorded in the task's state (the `--state --json` shape). */
export interface DialogueMessage {
  from: Sender;
  to: Addressee;
  type: MessageType;
  id: string;
  body: string;
  /** Header fields other than to/type/id, as the block carried them (kept and forwarded: docs/protocol.md). */
  extra?: Record<string, unknown>;
  /** How a CLI's reply reached poli: tool, command, file, transcript or screen (docs/protocol.md, "Channels"). */
  channel?: ReplyChannel;
  /** Read from the screen of a CLI that breaks long lines itself: the body may carry its line breaks. */
  mayBeWrapped?: boolean;
}

/** The header fields of a block other than to, type and id; undefined when there are none. */
export function extraFields(header: Block['header']): Record<string, unknown> | undefined {
  const { to: _to, type: _type, id: _id, ...extra } = header;
  return Object.keys(extra).length > 0 ? extra : undefined;
}

/** What poli is waiting for: a reply in one pane to the message it sent there. */
export interface PendingTurn {
  role: Role;
  /** The id poli issued with the message it sent; the reply must carry it. */
  id: string;
  /** The type of the message poli sent (task, review, plan, continue, revision). */
  sentType: MessageType;
  /** When the message was submitted (ms, from the injected clock). */
  sentAt: number;
  reminded: boolean;
}

export interface DialogueState {
  /** Numeric part of the task id (T3 → 3), used to build message ids. */
  taskNumber: number;
  /** Turns in which the executer was given work (plan, continue or revision). */
  rounds: number;
  maxRounds: number;
  status: TaskStatus;
  pending: PendingTurn | null;
}

export interface DialogueLimits {
  maxRounds: number;
  /** Seconds the planner may take for one reply. */
  planTimeoutSec: number;
  /** Seconds the executer may take for one turn. */
  execTimeoutSec: number;
}

export type DialogueEvent =
  | { kind: 'start'; task: string }
  /**
   * A complete block read from `role`'s pane, already known to carry the pending id.
   * `editedBody`: a person approved it with changes; the edit is forwarded (and recorded from HUMAN).
   * `alreadyRecorded`: the block is in the state already (a resumed task replays it).
   */
  | { kind: 'reply'; role: Role; block: Block; editedBody?: string; alreadyRecorded?: boolean; channel?: ReplyChannel; mayBeWrapped?: boolean }
  /** A person rejected this reply: it is not forwarded; `feedback` goes back to its author instead. */
  | { kind: 'reject'; role: Role; block: Block; feedback: string; channel?: ReplyChannel }
  /** Periodic check; `idle` says whether the pending CLI's screen looks idle (not busy, not at a prompt). */
  | { kind: 'tick'; idle: boolean }
  | { kind: 'interrupt'; reason: string }
  | { kind: 'fail'; reason: string }
  /** The pending message is being sent again (after a CLI restart): restart its clock. */
  | { kind: 'resend' };

export type DialogueEffect =
  /** Type a block into `to`'s pane (followed by the expected-reply line) and submit it. */
  | { kind: 'send'; to: Role; type: MessageType; id: string; body: string; expect: string; extra?: Record<string, unknown> }
  /**
   * Append a message to the task's state. `rejected`: a reply the person rejected (not forwarded), or the feedback
   * that carries their reason back to its author; shown as such at the terminal.
   */
  | { kind: 'record'; message: DialogueMessage; rejected?: true }
  /** Tell the CLI once, briefly, what reply is still expected. */
  | { kind: 'remind'; to: Role; text: string }
  /** A one-line summary for progress output and logs. */
  | { kind: 'progress'; text: string }
  | { kind: 'finish'; status: EndStatus; reason: string };

export interface TransitionContext {
  now: number;
  /** Issues a fresh, unguessable message id for the given round. */
  newId(round: number): string;
  limits: DialogueLimits;
}

export interface Transition {
  state: DialogueState;
  effects: DialogueEffect[];
}

/** Reply types each role may send, by the type of message it is answering. */
const PLANNER_REPLIES: readonly MessageType[] = ['plan', 'continue', 'revision', 'complete', 'error'];
const EXECUTER_REPLIES: readonly MessageType[] = ['status', 'result', 'error'];
const WORK_TYPES: readonly MessageType[] = ['plan', 'continue', 'revision'];

/** The state of a task about to start. */
export function initialState(taskNumber: number, maxRounds: number): DialogueState {
  return { taskNumber, rounds: 0, maxRounds, status: 'running', pending: null };
}

/** Reply types accepted from `role`. */
export function allowedReplies(role: Role): readonly MessageType[] {
  return role === 'PLANNER' ? PLANNER_REPLIES : EXECUTER_REPLIES;
}

/** Where a reply of this type from this role must be addressed. */
export function expectedAddressee(role: Role, type: MessageType): Addressee {
  if (role === 'EXECUTER') return 'PLANNER';
  return WORK_TYPES.includes(type) ? 'EXECUTER' : 'ORCHESTRATOR';
}

/** The plain line poli types after each block, saying what reply it expects. */
export function expectLine(role: Role, id: string): string {
  if (role === 'PLANNER') {
    return (
      `Reply with exactly one block with "id":"${id}": to EXECUTER with "type" plan, continue or revision, ` +
      `or to ORCHESTRATOR with "type" complete (task done) or error; put the block inside a \`\`\` fence.`
    );
  }
  return (
    `Reply with blocks addressed to PLANNER with "id":"${id}": any number of "type":"status" blocks while you work, ` +
    `then exactly one "type":"result" (or "error"); put each block inside a \`\`\` fence.`
  );
}

/** One step of the dialogue. Never throws for unexpected input: it ignores it or fails the task. */
export function transition(state: DialogueState, event: DialogueEvent, ctx: TransitionContext): Transition {
  if (state.status !== 'running') return { state, effects: [] };
  switch (event.kind) {
    case 'start':
      return sendTo(state, ctx, 'PLANNER', 'task', event.task, 'ORCHESTRATOR', `task sent to PLANNER`);
    case 'reply':
      return onReply(state, event, ctx);
    case 'reject':
      return onReject(state, event.role, event.block, event.feedback, ctx, event.channel);
    case 'tick':
      return onTick(state, event.idle, ctx);
    case 'interrupt':
      return finish(state, 'interrupted', event.reason);
    case 'fail':
      return finish(state, 'failed', event.reason);
    case 'resend':
      return resendPending(state, ctx);
  }
}

function onReply(state: DialogueState, event: Extract<DialogueEvent, { kind: 'reply' }>, ctx: TransitionContext): Transition {
  const { role, block } = event;
  const pending = state.pending;
  const { type, id, to } = block.header;
  // The runner only passes blocks carrying the pending id from the pending pane; re-check so the
  // machine stays correct on its own.
  if (!pending || pending.role !== role || pending.id !== id) return { state, effects: [] };
  if (!allowedReplies(role).includes(type) || to !== expectedAddressee(role, type)) {
    return {
      state,
      effects: [{ kind: 'progress', text: `ignored a ${type} block to ${to} from ${role}: not a valid reply here` }],
    };
  }
  const extra = extraFields(block.header);
  const record: DialogueEffect[] = event.alreadyRecorded
    ? []
    : [{ kind: 'record', message: { from: role, to, type, id, body: block.body, ...(extra ? { extra } : {}), ...(event.channel ? { channel: event.channel } : {}), ...(event.mayBeWrapped === true ? { mayBeWrapped: true } : {}) } }];
  // An edited forward is poli's (the person's) own message: recorded from HUMAN.
  const forwardBody = event.editedBody ?? block.body;
  const forwardAs: Sender | null = event.editedBody !== undefined ? 'HUMAN' : null;
  if (role === 'EXECUTER') {
    if (type === 'status') return { state, effects: record };
    // result or error: the planner reviews it.
    const next = sendTo(state, ctx, 'PLANNER', 'review', forwardBody, forwardAs ?? 'ORCHESTRATOR', `${type} sent to PLANNER for review`, {
      ...extra,
      re: type,
    });
    return { state: next.state, effects: [...record, ...next.effects] };
  }
  // PLANNER
  if (type === 'complete') {
    const done = finish(state, 'completed', summarize(block.body));
    return { state: done.state, effects: [...record, ...done.effects] };
  }
  if (type === 'error') {
    const done = finish(state, 'failed', `the PLANNER reported an error: ${summarize(block.body)}`);
    return { state: done.state, effects: [...record, ...done.effects] };
  }
  // plan, continue or revision: one more round of work for the executer.
  const next = giveWork(state, ctx, type, forwardBody, forwardAs, extra);
  return { state: next.state, effects: [...record, ...next.effects] };
}

/** One more round of work for the executer, unless --max-rounds is reached. */
function giveWork(
  state: DialogueState,
  ctx: TransitionContext,
  type: MessageType,
  body: string,
  recordAs: Sender | null,
  extra?: Record<string, unknown>,
): Transition {
  if (state.rounds >= state.maxRounds) {
    return finish(state, 'max_rounds', `the PLANNER asked for round ${state.rounds + 1} but --max-rounds is ${state.maxRounds}`);
  }
  const counted: DialogueState = { ...state, rounds: state.rounds + 1 };
  return sendTo(counted, ctx, 'EXECUTER', type, body, recordAs, `${type} sent to EXECUTER (round ${counted.rounds})`, extra);
}

/**
 * A person rejected a reply before it was forwarded. The reply is recorded as it was said; the
 * person's feedback goes back to its author from HUMAN: to the planner as a review to revise,
 * to the executer as a revision (one more round of work).
 */
function onReject(state: DialogueState, role: Role, block: Block, feedback: string, ctx: TransitionContext, channel?: ReplyChannel): Transition {
  const pending = state.pending;
  const { type, id, to } = block.header;
  if (!pending || pending.role !== role || pending.id !== id) return { state, effects: [] };
  const record: DialogueEffect = { kind: 'record', message: { from: role, to, type, id, body: block.body, ...(channel ? { channel } : {}) }, rejected: true };
  const next =
    role === 'PLANNER'
      ? sendTo(state, ctx, 'PLANNER', 'review', feedback, 'HUMAN', `${type} rejected by you (not forwarded to the ${to}); your reason was sent back to the PLANNER`, { re: 'rejected' })
      : giveWork(state, ctx, 'revision', feedback, 'HUMAN');
  const effects = next.effects.map((e): DialogueEffect => (e.kind === 'record' && e.message.from === 'HUMAN' ? { ...e, rejected: true } : e));
  return { state: next.state, effects: [record, ...effects] };
}

function onTick(state: DialogueState, idle: boolean, ctx: TransitionContext): Transition {
  const pending = state.pending;
  if (!pending) return { state, effects: [] };
  const timeoutSec = pending.role === 'PLANNER' ? ctx.limits.planTimeoutSec : ctx.limits.execTimeoutSec;
  const elapsedMs = ctx.now - pending.sentAt;
  if (elapsedMs >= timeoutSec * 1000) {
    return finish(state, 'timeout', `no reply from the ${pending.role} within ${timeoutSec} s (message ${pending.id})`);
  }
  if (!pending.reminded && idle && elapsedMs >= (timeoutSec * 1000) / 3) {
    const text =
      `Reminder from poli: I am still waiting for your reply to message ${pending.id}. ` + expectLine(pending.role, pending.id);
    return {
      state: { ...state, pending: { ...pending, reminded: true } },
      effects: [
        { kind: 'remind', to: pending.role, text },
        { kind: 'progress', text: `reminded ${pending.role} of message ${pending.id}` },
      ],
    };
  }
  return { state, effects: [] };
}

/** Re-issue the pending message under the same id (after a CLI restart); the caller re-sends its text. */
function resendPending(state: DialogueState, ctx: TransitionContext): Transition {
  if (!state.pending) return { state, effects: [] };
  return { state: { ...state, pending: { ...state.pending, sentAt: ctx.now, reminded: false } }, effects: [] };
}

function sendTo(
  state: DialogueState,
  ctx: TransitionContext,
  to: Role,
  type: MessageType,
  body: string,
  recordAs: Sender | null,
  progress: string,
  extra?: Record<string, unknown>,
): Transition {
  const id = ctx.newId(state.rounds);
  // Record exactly what the CLI will receive: control bytes never reach a pane.
  body = cleanBody(body);
  const effects: DialogueEffect[] = [];
  // Forwarded blocks were recorded when they were read; only poli's own messages are recorded here.
  if (recordAs) effects.push({ kind: 'record', message: { from: recordAs, to, type, id, body } });
  effects.push({ kind: 'send', to, type, id, body, expect: expectLine(to, id), ...(extra ? { extra } : {}) });
  effects.push({ kind: 'progress', text: progress });
  return {
    state: { ...state, pending: { role: to, id, sentType: type, sentAt: ctx.now, reminded: false } },
    effects,
  };
}

function finish(state: DialogueState, status: EndStatus, reason: string): Transition {
  return { state: { ...state, status, pending: null }, effects: [{ kind: 'finish', status, reason }] };
}

/** First line of a body, shortened for one-line progress output. */
export function summarize(body: string, max = 100): string {
  const line = body.split('\n').find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}
