/**
 * One turn of the dialogue: poli typed a message into a pane and waits for the replies that
 * carry its id. Picking those replies out of the pane's text is pure and lives here.
 */
import { blockKey } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import type { Block, MessageType, RejectedBlock, Role } from '../protocol/types.ts';
import type { PanePosition } from '../reading/channel.ts';
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
  /** Candidate keys seen at the latest read, and since when (ms): a stable screen is required before accepting. */
  previous: string;
  previousSince: number;
  /**
   * The latest text parsed and what it gave (re-reading the same text costs nothing); `provisional`: the keys of the
   * blocks a non-final read of a settled text marks provisional (see {@link PROVISIONAL_IDLE_MS}).
   */
  parsed?: { screen: string; final: boolean; blocks: Block[]; rejected: RejectedBlock[]; provisional?: Set<string> };
  /** Blocks already reported as ignored, so each is logged once. */
  ignored: Set<string>;
  /** The CLI's permission prompt was already reported. */
  waitingNoticed: boolean;
  /**
   * Blocks read while the screen may have damaged them (a resize mid-reply): not taken, unless the CLI shows the same
   * block again (then it was intact).
   */
  suspect: Set<string>;
  /** Blocks (by identity, and rejected ones by header) already on the screen when the message was typed. */
  leftovers: Set<string>;
  /** The type of the message this turn answers. */
  sentType: MessageType;
  /** The reply's open tag was read (its start showed) / poli asked for the reply in a file once. */
  sawOpen?: boolean;
  askedForFile?: boolean;
  /** The latest text's last tag line is a close tag with no open tag: only the reply's end is on the screen. */
  endOnly?: boolean;
  /** The last text looked at for the reply's open tag. */
  checkedForOpen?: string;
  /** A resumed turn whose message was submitted before poli stopped: types it again if the CLI has lost it. */
  lost?: () => Promise<void>;
  /** Since when the CLI has looked done without a reply, and when its reader was last cross-checked. */
  idleSince?: number;
  checkedAt?: number;
}

/**
 * Told about each block read but not taken. `expected`: a leftover of an earlier turn still on
 * the screen (worth a line in the log file, not a warning on the terminal).
 */
export type IgnoredHandler = (role: Role, reason: string, expected: boolean) => void;

export function newTurn(role: Role, id: string, since: PanePosition, text: string, before = '', sentType: MessageType = 'task'): Turn {
  const leftovers = new Set<string>();
  if (before !== '') {
    const { blocks, rejected } = parseBlocks(before, { final: true });
    for (const block of blocks) leftovers.add(blockKey(block));
    for (const r of rejected) leftovers.add(rejectedKey(r));
  }
  return {
    role, id, since, text, taken: new Set(), previous: '', previousSince: 0, ignored: new Set(), waitingNoticed: false, leftovers,
    suspect: new Set(),
    sentType,
  };
}

function rejectedKey(r: RejectedBlock): string {
  return `rejected:${r.header}:${r.reason}`;
}

/** Candidates unchanged this long count as stable while the CLI does not look done (a TUI may redraw mid-stream). */
export const STABLE_MS = 300;

/**
 * A reply that ends the turn (anything but a status) is taken while the CLI still looks busy only once the candidates
 * stood this long: a streaming renderer draws a complete block and may redraw it corrected a moment later, so a busy
 * screen is not evidence that a block is final. Normally the CLI goes idle first (then the block still on the screen
 * is taken at once); this bounds the wait for a CLI that keeps its spinner after replying.
 */
export const BUSY_STABLE_MS = 5_000;

/**
 * A block that would be provisional (found after an unfinished open tag: it may be an example quoted inside the reply
 * still being written) is taken on a settled screen only once the candidates have stood this long. Before that, poli asks
 * for the reply in a reply file (run-task.ts, askForLostReply): a CLI that pauses mid-reply goes on, and its whole
 * block is taken then.
 */
export const PROVISIONAL_IDLE_MS = 10_000;

/**
 * Picks this turn's new replies out of the pane's text since the message was typed: complete
 * blocks with the issued id, addressed away from the pane (echoes of what poli typed are
 * addressed to the pane's own role), each occurrence taken once, wherever on the screen or in the
 * history since the message the CLI drew them. A block is accepted only when the screen is
 * settled: the CLI looks done (then the text is read as final, see parseBlocks), or the same
 * candidates have been seen for {@link STABLE_MS} (a TUI may redraw while it streams). A block
 * that may still turn out to be quoted in an unfinished one (provisional) waits for the CLI to
 * look done.
 */
export function takeReplies(
  turn: Turn,
  screen: string,
  settled: boolean,
  onIgnored?: IgnoredHandler,
  /** Ids poli issued earlier in this task: their blocks are expected leftovers on the screen. */
  earlierIds: ReadonlySet<string> = new Set(),
  now = 0,
): Block[] {
  const report = (key: string, message: string, expected = false): void => {
    if (turn.ignored.has(key)) return;
    turn.ignored.add(key);
    onIgnored?.(turn.role, message, expected);
  };
  let parsed = turn.parsed;
  if (parsed?.screen !== screen || parsed.final !== settled) {
    parsed = { screen, final: settled, ...parseBlocks(screen, { final: settled }) };
    if (settled && screen.includes(turn.id)) parsed.provisional = provisionalKeys(screen, turn.id);
    turn.parsed = parsed;
  }
  const { blocks, rejected } = parsed;
  for (const r of rejected) {
    const key = rejectedKey(r);
    report(key, `ignored a malformed block: ${r.reason} (header: ${r.header})`, turn.leftovers.has(key));
  }
  const candidates: Block[] = [];
  for (const block of blocks) {
    const { id, to, type } = block.header;
    if (block.provisional && !settled) continue;
    if (id !== turn.id) {
      const leftover = earlierIds.has(id) || turn.leftovers.has(blockKey(block));
      report(`id:${blockKey(block)}`, `ignored a ${type} block with id "${id}": expected id "${turn.id}"`, leftover);
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
  if (keys !== turn.previous) {
    turn.previous = keys;
    turn.previousSince = now;
  }
  const stableFor = now - turn.previousSince;
  if (!settled && stableFor < STABLE_MS) return [];
  // Each block is taken once per turn, however often it is re-read or re-printed (a redraw, a
  // CLI repeating itself): the same header and body carry no new information.
  const fresh: Block[] = [];
  for (const block of candidates) {
    const key = blockKey(block);
    if (turn.taken.has(key)) continue;
    // Busy: a status goes through once stable; a reply that ends the turn waits for the CLI to look done.
    if (!settled && block.header.type !== 'status' && stableFor < BUSY_STABLE_MS) continue;
    // Idle right after a whole example block, inside a reply still open: not yet evidence that it is the reply.
    if (settled && parsed.provisional?.has(key) === true && stableFor < PROVISIONAL_IDLE_MS) continue;
    if (turn.suspect.has(key) && candidates.filter((c) => blockKey(c) === key).length < 2) continue;
    turn.taken.add(key);
    fresh.push(block);
  }
  return fresh;
}

/** Keys of the blocks with `id` that a non-final read of `screen` marks provisional (after an unfinished open tag). */
function provisionalKeys(screen: string, id: string): Set<string> {
  const keys = new Set<string>();
  for (const block of parseBlocks(screen).blocks) if (block.provisional === true && block.header.id === id) keys.add(blockKey(block));
  return keys;
}
