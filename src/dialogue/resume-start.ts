/**
 * How a dialogue begins: a new task goes to the PLANNER; a stopped one picks up where its record says it was
 * (resume.ts plans it): the pending message typed again, or its reply looked for, or the last reply acted on.
 */
import { blockKey, formatBlock } from '../protocol/format-block.ts';
import type { Block } from '../protocol/types.ts';
import type { DialogueCore } from './core.ts';
import { expectLine } from './machine.ts';
import type { ResumePlan } from './resume.ts';

/** Starts a new task, or picks a stopped one up where it was. */
export async function beginDialogue(d: DialogueCore): Promise<void> {
  const start = d.options.start;
  if ('task' in start) return d.apply({ kind: 'start', task: start.task });
  const plan = start.resume;
  if (plan.kind === 'start') throw new Error('bug: a resume with nothing recorded must start the task anew');
  d.restore({ rounds: plan.rounds });
  if (plan.kind === 'resend' || plan.kind === 'await') return resumePending(d, plan, start.context);
  const id = plan.block.header.id;
  d.restore({ pending: { role: plan.role, id, sentType: 'task', sentAt: d.elapsed(), reminded: false } });
  d.notice('progress', `resuming: acting on the recorded ${plan.block.header.type} ${id} from ${plan.role}`, id);
  await d.apply({ kind: 'reply', role: plan.role, block: plan.block, alreadyRecorded: true });
}

/**
 * A message poli was waiting on when it stopped: typed again (same id) when the CLI cannot have it, else its reply is
 * looked for, and the message typed again only if the CLI shows none and sits idle (recovery.ts).
 */
async function resumePending(d: DialogueCore, plan: Extract<ResumePlan, { kind: 'resend' | 'await' }>, context: string | undefined): Promise<void> {
  const { role, type, id, extra } = plan;
  d.restore({ pending: { role, id, sentType: type, sentAt: d.elapsed(), reminded: false } });
  const body = context ? `${plan.body}\n\n${context}` : plan.body;
  d.sent.add(id, { type, body, ...(extra ? { extra } : {}) });
  // A message poli had pasted but not seen submitted may still sit in the CLI's input box: submitted there, not
  // pasted behind itself.
  const again = async (): Promise<void> => {
    const mayBeInBox = plan.kind === 'await' || plan.mayBeInBox === true;
    await d.send({ to: role, type, id, body, expect: expectLine(role, id), ...(extra ? { extra } : {}), ...(mayBeInBox ? { mayBeInBox } : {}) });
    takenBefore(d, plan.recorded);
  };
  // A reply recorded before poli stopped (it said "delivered") is taken, never asked for again.
  const recorded = (await d.channels[role].recorded?.(id).catch(() => false)) === true;
  if (!recorded && (plan.kind === 'resend' || d.channels.fresh?.(role) === true)) {
    d.notice('progress', `resuming: sending message ${id} to ${role} again (same id)`, id);
    return again();
  }
  // Submitted before poli stopped: never typed twice. Look for its reply everywhere the CLI may have put it;
  // only a CLI that shows none and sits idle has lost it (see `lost` in recovery.ts).
  d.notice('progress', `resuming: ${role} already has message ${id}; looking for its reply`, id);
  // The text a restarted CLI would be sent (the restart path re-types the turn's text).
  const formatted = `${formatBlock({ to: role, type, id, ...extra }, body)}\n${expectLine(role, id)}`;
  const turn = await d.startTurn(role, id, formatted, type, { lookBack: true });
  d.turn = turn;
  turn.lost = again;
  takenBefore(d, plan.recorded);
}

/** Replies recorded before poli stopped (a resumed turn's statuses): read off the screen again, never taken twice. */
function takenBefore(d: DialogueCore, recorded: readonly Block[] | undefined): void {
  for (const block of recorded ?? []) d.turn?.taken.add(blockKey(block));
}
