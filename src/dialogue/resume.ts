/**
 * Where a stopped task picks up again (`poli --resume ID`): from the messages already recorded,
 * decide which message to send again, or which recorded reply to act on. Pure.
 *
 * The rule: every message poli types is recorded before it is sent, and every reply is
 * recorded when it is read, so the last recorded message tells what was pending:
 * - poli's (or the person's) own message to a CLI: send it again, same id;
 * - the planner's plan/continue/revision, or the executer's result/error: it was read but
 *   maybe not acted on — act on it again without recording it twice;
 * - an executer status: the executer was working; send the work again under the status's id.
 * - the planner's complete: it was recorded but the task not ended (killed in between): end it, asking nothing again.
 *
 * Replies already recorded under the pending id (an executer's statuses) go with the plan, so the resumed turn does not
 * take them again when it reads them off the screen.
 */
import type { Block, MessageType, Role } from '../protocol/types.ts';
import type { DeliveryRecord, MessageRecord, TaskRecord } from '../state/types.ts';

export type ResumePlan =
  | { kind: 'start' }
  | {
      kind: 'resend';
      role: Role;
      type: MessageType;
      id: string;
      body: string;
      rounds: number;
      extra?: Record<string, unknown>;
      /**
       * The receipt says `written`: poli may have been killed after the paste landed but before it saw it, so the text
       * may sit in the input box: submit it there rather than paste a second copy behind it.
       */
      mayBeInBox?: true;
      /** Replies recorded under `id` before poli stopped (statuses): not taken again from the screen. */
      recorded?: Block[];
    }
  /**
   * The message was submitted before poli stopped: it is not typed again. poli looks for its reply (the screen, its
   * history, a reply file, the transcript) and only if the CLI has lost it, types it again under the same id.
   */
  | { kind: 'await'; role: Role; type: MessageType; id: string; body: string; rounds: number; extra?: Record<string, unknown>; recorded?: Block[] }
  | { kind: 'replay'; role: Role; block: Block; rounds: number };

const WORK: readonly MessageType[] = ['plan', 'continue', 'revision'];
/** A `queued` task "resumes" from its start: that is how a worker starts it (src/queue/). */
export const RESUMABLE: readonly TaskRecord['status'][] = ['interrupted', 'failed', 'timeout', 'queued'];

/**
 * What to do to continue `task`, or a sentence saying why it cannot be continued. `maxRounds` is this run's
 * --max-rounds: a task that stopped at its limit continues when it allows one more round.
 */
export function planResume(task: TaskRecord, maxRounds?: number): ResumePlan | string {
  if (task.status === 'max_rounds') return resumeMaxRounds(task, maxRounds);
  if (!RESUMABLE.includes(task.status)) {
    return `task ${task.id} is ${task.status}; only interrupted, failed or timed-out tasks can be resumed`;
  }
  const messages = task.messages;
  const last = messages.at(-1);
  if (!last) return { kind: 'start' };
  const rounds = task.rounds;
  const pending = pendingDelivery(task);
  if (pending) {
    const { to: role, type, id, body, extra } = pending;
    const recorded = recordedReplies(messages, role, id);
    const kept = { ...(extra ? { extra } : {}), ...(recorded.length > 0 ? { recorded } : {}) };
    if (pending.stage === 'submitted' || pending.stage === 'pasted') return { kind: 'await', role, type, id, body, rounds, ...kept };
    return { kind: 'resend', role, type, id, body, rounds, ...kept, ...(pending.stage === 'written' ? { mayBeInBox: true as const } : {}) };
  }
  if (last.from === 'ORCHESTRATOR' || last.from === 'HUMAN') {
    if (last.to === 'ORCHESTRATOR') return `task ${task.id} ends with a message to ORCHESTRATOR; nothing is pending`;
    return { kind: 'resend', role: last.to, type: last.type, id: last.id, body: last.body, rounds };
  }
  if (last.from === 'PLANNER') {
    // Recorded, then killed before the task was ended: end it now. Asking again would record a second complete.
    if (last.type === 'complete') return { kind: 'replay', role: 'PLANNER', block: asBlock(last), rounds };
    if (WORK.includes(last.type)) return { kind: 'replay', role: 'PLANNER', block: asBlock(last), rounds: Math.max(0, rounds - 1) };
    // complete or error: ask the planner again what it answered.
    const asked = findLast(messages, (m) => m.to === 'PLANNER' && (m.from === 'ORCHESTRATOR' || m.from === 'HUMAN'));
    if (!asked) return `task ${task.id} has no message to the PLANNER to send again`;
    return { kind: 'resend', role: 'PLANNER', type: asked.type, id: asked.id, body: asked.body, rounds };
  }
  // EXECUTER
  if (last.type === 'status') {
    const work = findLast(messages, (m) => m.to === 'EXECUTER' && WORK.includes(m.type));
    if (!work) return `task ${task.id} has executer status but no work message to send again`;
    const recorded = recordedReplies(messages, 'EXECUTER', last.id);
    return { kind: 'resend', role: 'EXECUTER', type: work.type, id: last.id, body: work.body, rounds, ...(recorded.length > 0 ? { recorded } : {}) };
  }
  return { kind: 'replay', role: 'EXECUTER', block: asBlock(last), rounds };
}

/**
 * A task stopped at --max-rounds recorded the PLANNER's request for one more round and refused it (its round was not
 * counted): with a higher --max-rounds that request is acted on, as if just read.
 */
function resumeMaxRounds(task: TaskRecord, maxRounds: number | undefined): ResumePlan | string {
  const last = task.messages.at(-1);
  if (maxRounds === undefined || maxRounds <= task.rounds) {
    return `task ${task.id} stopped at --max-rounds after ${task.rounds} rounds; to continue it, pass a higher --max-rounds (${task.rounds + 1} or more): poli --resume ${task.id} --max-rounds N`;
  }
  if (!last || last.from !== 'PLANNER' || !WORK.includes(last.type)) return `task ${task.id} stopped at --max-rounds but its last message is no request for work from the PLANNER`;
  return { kind: 'replay', role: 'PLANNER', block: asBlock(last), rounds: task.rounds };
}

/**
 * The message poli had sent and was waiting on when it stopped, by its receipt: the last delivery not answered, when
 * nothing but its role's status blocks was recorded after it. Undefined for tasks without receipts (older state).
 */
function pendingDelivery(task: TaskRecord): DeliveryRecord | undefined {
  const last = task.deliveries?.at(-1);
  if (!last || last.stage === 'answered') return undefined;
  const later = task.messages.slice(last.after);
  return later.every((m) => m.from === last.to && m.type === 'status') ? last : undefined;
}

/** The replies `role` gave under `id` that are recorded already, as blocks. */
function recordedReplies(messages: readonly MessageRecord[], role: Role, id: string): Block[] {
  return messages.filter((m) => m.from === role && m.id === id).map(asBlock);
}

/**
 * What a CLI needs to pick a resumed task up when it may not have its history (a fresh CLI, or one that worked on
 * another task since): the task and the dialogue so far, a line per message.
 */
export function resumeContext(
  task: TaskRecord,
  maxLines = 40,
  intro = `[poli: task ${task.id} is being resumed after poli stopped. In case you no longer have its history:]`,
): string {
  const lines = task.messages.map((m) => `- ${m.from} → ${m.to} ${m.type}: ${firstLine(m.body)}`);
  const shown = lines.length > maxLines ? [`- (${lines.length - maxLines} earlier messages left out)`, ...lines.slice(-maxLines)] : lines;
  return [
    intro,
    `The task: ${firstLine(task.task, 400)}`,
    'The dialogue so far:',
    ...shown,
  ].join('\n');
}

function firstLine(text: string, max = 160): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function asBlock(m: MessageRecord): Block {
  return { header: { to: m.to, type: m.type, id: m.id }, body: m.body, startLine: 0, endLine: 0 };
}

function findLast(messages: readonly MessageRecord[], test: (m: MessageRecord) => boolean): MessageRecord | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m && test(m)) return m;
  }
  return undefined;
}
