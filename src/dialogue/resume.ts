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
 */
import type { Block, MessageType, Role } from '../protocol/types.ts';
import type { MessageRecord, TaskRecord } from '../state/types.ts';

export type ResumePlan =
  | { kind: 'start' }
  | { kind: 'resend'; role: Role; type: MessageType; id: string; body: string; rounds: number }
  | { kind: 'replay'; role: Role; block: Block; rounds: number };

const WORK: readonly MessageType[] = ['plan', 'continue', 'revision'];
export const RESUMABLE: readonly TaskRecord['status'][] = ['interrupted', 'failed', 'timeout'];

/** What to do to continue `task`, or a sentence saying why it cannot be continued. */
export function planResume(task: TaskRecord): ResumePlan | string {
  if (!RESUMABLE.includes(task.status)) {
    return `task ${task.id} is ${task.status}; only interrupted, failed or timed-out tasks can be resumed`;
  }
  const messages = task.messages;
  const last = messages.at(-1);
  if (!last) return { kind: 'start' };
  const rounds = task.rounds;
  if (last.from === 'ORCHESTRATOR' || last.from === 'HUMAN') {
    if (last.to === 'ORCHESTRATOR') return `task ${task.id} ends with a message to ORCHESTRATOR; nothing is pending`;
    return { kind: 'resend', role: last.to, type: last.type, id: last.id, body: last.body, rounds };
  }
  if (last.from === 'PLANNER') {
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
    return { kind: 'resend', role: 'EXECUTER', type: work.type, id: last.id, body: work.body, rounds };
  }
  return { kind: 'replay', role: 'EXECUTER', block: asBlock(last), rounds };
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
