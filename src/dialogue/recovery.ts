/**
 * Getting a reply back when the screen could not give it whole: asking again for a reply the screen may have damaged,
 * checking a reader against tmux when a CLI looks done without a reply, asking for a reply file when only a reply's
 * start or end showed, and typing a resumed message again when its CLI lost it.
 */
import { blockKey } from '../protocol/format-block.ts';
import { classifyTagLine } from '../protocol/screen-text.ts';
import type { Block, Role } from '../protocol/types.ts';
import { endWithoutStart } from '../reading/unseen-start.ts';
import type { DialogueCore } from './core.ts';
import { expectLine } from './machine.ts';
import type { Turn } from './turn.ts';

/** A resumed CLI that sits idle this long showing no reply to the pending message has lost it. */
export const RESUME_LOST_MS = 3_000;

/** How long a CLI must look done without a reply before its reader is checked against tmux. */
export const CROSS_CHECK_MS = 1_500;

/** What poli types when the screen may have damaged a reply: the problem, and how to send the reply again. */
export function damageReminder(role: Role, id: string, damage: string): string {
  return (
    `Reminder from poli: I could not read your reply to message ${id} reliably: ${damage}. ` +
    `Send the same reply again now, unchanged and with the same id (or write it to .poli/replies/${id}.md). ` +
    expectLine(role, id)
  );
}

/** What poli types when only a reply's start or end showed: write the whole block to its reply file. */
export function replyFileRequest(id: string, reason: string): string {
  return (
    `Reminder from poli: I could not read your reply to message ${id}: ${reason}. ` +
    `Please write the whole reply block to the file .poli/replies/${id}.md in the project directory ` +
    `(only the block, exactly as you would print it), then say done.`
  );
}

/**
 * The replies that may be taken: none when the screen may have damaged them (a resize mid-reply). Never record or
 * forward a body the screen may have damaged: ask for the reply again, under the same id.
 */
export async function refuseDamaged(d: DialogueCore, turn: Turn, replies: Block[]): Promise<Block[]> {
  const channel = d.channels[turn.role];
  const damage = replies.length > 0 ? await channel.damage?.(turn.since) : undefined;
  if (damage === undefined) return replies;
  for (const block of replies) {
    turn.taken.delete(blockKey(block));
    turn.suspect.add(blockKey(block));
  }
  d.options.onIgnored?.(turn.role, `did not take the reply to ${turn.id}: ${damage}; asking the ${turn.role} to send it again`, false);
  d.notice('reminder', `asked ${turn.role} to send its reply to ${turn.id} again: ${damage}`, turn.id);
  await channel.submit(damageReminder(turn.role, turn.id, damage));
  return [];
}

/**
 * No reply was taken at this look: cross-check the reader, ask for a reply file, or type a lost resumed message
 * again. True when the message was typed again (the loop starts over).
 */
export async function recoverMissingReply(d: DialogueCore, turn: Turn, screen: string, screenState: string, replies: number): Promise<boolean> {
  if (screenState !== 'idle') turn.idleSince = undefined;
  else if (replies === 0) await crossCheck(d, turn);
  if (replies > 0) return false;
  await askForLostReply(d, turn, screen, screenState);
  if (!turn.lost || turn.idleSince === undefined || d.elapsed() - turn.idleSince < RESUME_LOST_MS) return false;
  // A resumed turn whose CLI shows no reply and sits idle: it lost the message. Type it again, same id.
  const again = turn.lost;
  turn.lost = undefined;
  d.notice('progress', `resuming: ${turn.role} shows no reply to ${turn.id}; sending it again (same id)`, turn.id);
  await again();
  return true;
}

/**
 * A CLI that looks done while no reply was found: once per {@link CROSS_CHECK_MS} of that, check the reader against
 * tmux's own screen (a drifted terminal model is refreshed and tmux's history read too).
 */
export async function crossCheck(d: DialogueCore, turn: Turn): Promise<void> {
  const channel = d.channels[turn.role];
  if (!channel.crossCheck) return;
  const now = d.elapsed();
  if (turn.idleSince === undefined) turn.idleSince = now;
  if (now - turn.idleSince < CROSS_CHECK_MS || now - (turn.checkedAt ?? 0) < CROSS_CHECK_MS) return;
  turn.checkedAt = now;
  await channel.crossCheck(turn.since);
}

/**
 * The reply began on the screen (its open tag with this turn's id was read) but never showed whole, and the CLI
 * looks done: it was taller than an alternate screen, which keeps no history, or the screen lost its end. Ask once
 * for the whole block in a reply file, which no screen can damage.
 */
export async function askForLostReply(d: DialogueCore, turn: Turn, screen: string, screenState: string): Promise<void> {
  if (turn.askedForFile) return;
  noteReplyEdges(d, turn, screen);
  if (!(turn.sawOpen || turn.endOnly) || screenState !== 'idle' || turn.idleSince === undefined) return;
  // A whole block is on the screen, held as provisional (it follows an unfinished open tag with this id): takeReplies
  // takes it once it has stood PROVISIONAL_IDLE_MS. Not lost: Copilot CLI leaves a first, unfinished render of a
  // tall reply above the whole one, and a reminder then would reach a CLI that has answered.
  if ((turn.parsed?.provisional?.size ?? 0) > 0) return;
  if (d.elapsed() - turn.idleSince < CROSS_CHECK_MS) return;
  turn.askedForFile = true;
  const reason = turn.sawOpen
    ? 'its start showed on the screen but never its end (a reply taller than an alternate screen, which keeps no history, or stopped half-way)'
    : 'its end showed on the screen but never its start (a reply drawn taller than the screen at once)';
  d.options.onIgnored?.(turn.role, `could not read the reply to ${turn.id}: ${reason}; asking for it in a reply file`, false);
  d.notice('reminder', `asked ${turn.role} to write its reply to ${turn.id} into .poli/replies/${turn.id}.md`, turn.id);
  await d.channels[turn.role].submit(replyFileRequest(turn.id, reason));
}

/** Whether the reply's start (its open tag) or only its end showed, looked at once per distinct text. */
function noteReplyEdges(d: DialogueCore, turn: Turn, screen: string): void {
  // Readers return the same text while no tag line changes.
  if (screen === turn.checkedForOpen) return;
  turn.checkedForOpen = screen;
  const channel = d.channels[turn.role];
  const structured = (turn.parsed?.blocks ?? []).filter((block) => ['tool', 'command'].includes(channel.origin?.(block) ?? 'screen'));
  // Sticky: a start once read stays read when a tall reply scrolls it off an alternate screen.
  if (!turn.sawOpen) turn.sawOpen = startsReply(screen, turn.role, turn.id, structured);
  // Only the end of a block shows (its open tag was never on the screen): a reply drawn taller than the screen.
  turn.endOnly = endWithoutStart(screen);
}

/**
 * An open tag line of a block with `id`, not addressed to `role` (so not the echo of poli's own message), other than
 * those of `structured`: blocks handed over through poli's tool or command, which show no start on the screen (a
 * status delivered so says nothing about a reply begun on the screen; one printed there does).
 */
export function startsReply(screen: string, role: Role, id: string, structured: readonly Block[]): boolean {
  if (!screen.includes(id)) return false;
  // Readers give plain text (the terminal model, capture-pane without -e): no ANSI to remove.
  const opens = screen
    .split('\n')
    .filter((line) => line.includes(id) && classifyTagLine(line) === 'open' && !line.includes(`"to":"${role}"`)).length;
  const delivered = structured.filter((block) => block.header.id === id && block.header.to !== role).length;
  return opens > delivered;
}
