/**
 * One turn of the dialogue: poli typed a message into a pane and waits for the replies that
 * carry its id. Picking those replies out of the pane's text is pure and lives here.
 */
import { blockKey } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import type { Block, Role } from '../protocol/types.ts';
import type { PanePosition } from './channel.ts';
import { allowedReplies, expectedAddressee } from './machine.ts';

export interface Turn {
  role: Role;
  id: string;
  /** Where the pane's output stood before poli typed the message. */
  since: PanePosition;
  /** The exact text poli typed, to send again after a restart. */
  text: string;
  /** Blocks (by identity) already taken from this turn's output. */
  taken: Set<string>;
  /** Candidate keys seen at the previous read, to require a stable screen before accepting. */
  previous: string;
  /** Blocks already reported as ignored, so each is logged once. */
  ignored: Set<string>;
  /** The CLI's permission prompt was already reported. */
  waitingNoticed: boolean;
}

/**
 * Told about each block read but not taken. `expected`: a leftover of an earlier turn still on
 * the screen (worth a line in the log file, not a warning on the terminal).
 */
export type IgnoredHandler = (role: Role, reason: string, expected: boolean) => void;

export function newTurn(role: Role, id: string, since: PanePosition, text: string): Turn {
  return { role, id, since, text, taken: new Set(), previous: '', ignored: new Set(), waitingNoticed: false };
}

/**
 * Picks this turn's new replies out of the pane's text since the message was typed: complete
 * blocks with the issued id, addressed away from the pane (echoes of what poli typed are
 * addressed to the pane's own role), each occurrence taken once. A block is accepted only when
 * the screen is settled: the CLI looks done, or the same candidates were seen at the previous
 * read (a TUI may redraw while it streams).
 */
export function takeReplies(
  turn: Turn,
  screen: string,
  settled: boolean,
  onIgnored?: IgnoredHandler,
  /** Ids poli issued earlier in this task: their blocks are expected leftovers on the screen. */
  earlierIds: ReadonlySet<string> = new Set(),
): Block[] {
  const report = (key: string, message: string, expected = false): void => {
    if (turn.ignored.has(key)) return;
    turn.ignored.add(key);
    onIgnored?.(turn.role, message, expected);
  };
  const { blocks, rejected } = parseBlocks(screen);
  for (const r of rejected) report(`rejected:${r.header}:${r.reason}`, `ignored a malformed block: ${r.reason} (header: ${r.header})`);
  const candidates: Block[] = [];
  for (const block of blocks) {
    const { id, to, type } = block.header;
    if (id !== turn.id) {
      report(`id:${blockKey(block)}`, `ignored a ${type} block with id "${id}": expected id "${turn.id}"`, earlierIds.has(id));
      continue;
    }
    if (to === turn.role) continue; // poli's own message, echoed back by the CLI
    if (!allowedReplies(turn.role).includes(type) || to !== expectedAddressee(turn.role, type)) {
      report(`addressee:${blockKey(block)}`, `ignored a ${type} block to ${to} from ${turn.role}: not a valid reply here`);
      continue;
    }
    candidates.push(block);
  }
  const keys = candidates.map(blockKey).join('\n');
  const stable = keys === turn.previous;
  turn.previous = keys;
  if (!settled && !stable) return [];
  // Each block is taken once per turn, however often it is re-read or re-printed (a redraw, a
  // CLI repeating itself): the same header and body carry no new information.
  const fresh: Block[] = [];
  for (const block of candidates) {
    const key = blockKey(block);
    if (turn.taken.has(key)) continue;
    turn.taken.add(key);
    fresh.push(block);
  }
  return fresh;
}
