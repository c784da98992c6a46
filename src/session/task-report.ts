/**
 * How a running task's messages and errors are told (pure): which progress line a recorded message gets, which event
 * it is in the event stream, the ids poli gives its own messages, and the task's id in an error's advice.
 */
import type { DialogueMessage } from '../dialogue/machine.ts';
import type { Role } from '../protocol/types.ts';

/** How one recorded message is reported: its progress line (if any, and its note) and its event. */
export interface MessageReport {
  /** False when another line tells it already (a result's review, the reason sent back after a rejection). */
  line: boolean;
  /** Said after the message on its progress line. */
  note?: string;
  /** The CLI that sent it; null for poli's own messages and the person's. */
  cli: Role | null;
  event: 'send' | 'status' | 'reply';
}

/** See {@link MessageReport}; `how.rejected` as in TaskRecorder.record. */
export function reportOf(message: Pick<DialogueMessage, 'from' | 'to' | 'type'>, how?: { rejected: true }): MessageReport {
  const { from, to, type } = message;
  const rejected = how?.rejected === true;
  // A result goes on to the PLANNER as a review with the same body: the result's own line says it already.
  // A rejected reply is shown as not forwarded; the review carrying the person's reason back to the PLANNER is
  // told by the progress line that follows ("… your reason was sent back to the PLANNER").
  const told = (from === 'ORCHESTRATOR' && type === 'review') || (rejected && from === 'HUMAN' && to === 'PLANNER');
  const cli: Role | null = from === 'PLANNER' || from === 'EXECUTER' ? from : null;
  return {
    line: !told,
    ...(rejected && from !== 'HUMAN' ? { note: 'rejected by you, not forwarded' } : {}),
    cli,
    event: !cli ? 'send' : type === 'status' ? 'status' : 'reply',
  };
}

/** The id of a message poli writes: task, round and a random part (`random`: a 32-bit number). */
export function messageId(taskNumber: number, round: number, random: number): string {
  return `T${taskNumber}-R${round}-${random.toString(36).padStart(6, '0').slice(-6)}`;
}

/** Errors raised below the task (the tmux server is gone) say `poli --resume ID`: the task's id is known here. */
export function withTaskId(text: string, taskId: string): string {
  return text.replaceAll('poli --resume ID`', `poli --resume ${taskId}\``);
}
