/**
 * The file channel around a pane (docs/protocol.md, "Long messages and reply files"):
 * - a message longer than `fileThreshold` bytes is written to `<project>/.poli/messages/<id>.md` and the pane gets a
 *   short block with the same header that points to the file (a large paste is where TUIs lose text: Claude Code
 *   folds it into `[Pasted text #1 +N lines]` and has been seen to drop its head);
 * - a CLI may answer by writing its block(s) to `<project>/.poli/replies/<id>.md`: those blocks are put in front of
 *   the screen text, so the dialogue loop takes them exactly like blocks read from the screen.
 * The dialogue loop does not know about files: this wraps the {@link PaneChannel} it already uses.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PaneChannel, PanePosition, ReplyChannel } from '../reading/channel.ts';
import { blockKey, formatBlock } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import { toScreenLines } from '../protocol/screen-text.ts';
import type { Block } from '../protocol/types.ts';
import { readRegularFile } from './regular-file.ts';

export const POLI_DIR = '.poli';
export const MESSAGES_DIR = path.join(POLI_DIR, 'messages');
export const REPLIES_DIR = path.join(POLI_DIR, 'replies');

export interface HandoffOptions {
  projectDir: string;
  /** Milliseconds now (for the reply files' settle time). */
  now: () => number;
  /** Messages longer than this many UTF-8 bytes go through a file. */
  fileThreshold: number;
  /**
   * Puts back a reply block's exact body from the CLI's own transcript (transcript-recovery.ts): `begin` at each
   * mark, `rewrite` on each read of the screen.
   */
  recovery?: {
    begin(): Promise<void>;
    rewrite(screen: string): Promise<string>;
    /** The transcript of this turn holds the block exactly (header and body): its body is exact, not the screen's. */
    confirms?(block: Block): boolean;
  };
  debug?(message: string): void;
}

/** What one turn (from mark() to the next mark()) has collected from reply files. */
interface TurnFiles {
  /** The id of the block typed in this turn, once submit() has seen it. */
  id: string | undefined;
  /** Complete blocks read from reply files, by blockKey, as formatted text, in the order first seen. */
  blocks: Map<string, string>;
  /** Each reply file's content and when it last changed: a file is taken only once it has stopped changing. */
  looked: Map<string, { content: string; since: number }>;
}

/**
 * A reply file is complete once it holds a closed block and has not changed for this long: a CLI may write it in
 * pieces (seen: two writes 1.5 s apart), and a close tag alone does not say that no more is coming.
 */
export const REPLY_FILE_SETTLE_MS = 2_500;

/** Wraps `inner` with the file channel; every other call goes straight through. */
export function withHandoff(inner: PaneChannel, options: HandoffOptions): PaneChannel {
  const messagesDir = path.join(options.projectDir, MESSAGES_DIR);
  const repliesDir = path.join(options.projectDir, REPLIES_DIR);
  let turn: TurnFiles = { id: undefined, blocks: new Map(), looked: new Map() };
  /** Blocks whose body the transcript supplied (or that only the transcript had), by blockKey: their channel. */
  let recovered = new Set<string>();

  return {
    role: inner.role,
    paneId: inner.paneId,
    async mark(markOptions?: { lookBack?: boolean; id?: string }): Promise<PanePosition> {
      const previous = turn.id;
      turn = { id: markOptions?.id, blocks: new Map(), looked: new Map() };
      recovered = new Set();
      // The previous turn is over: its leftover reply files can only confuse a later look.
      if (previous !== undefined && previous !== markOptions?.id) await removeReplyFiles(repliesDir, previous);
      await options.recovery?.begin();
      return inner.mark(markOptions);
    },
    async submit(text: string, submitOptions?: { onPasted?: () => void | Promise<void>; mayBeInBox?: boolean }): Promise<void> {
      const block = leadingBlock(text);
      if (!block) return inner.submit(text, submitOptions); // a primer or a reminder: no id, no file
      turn.id = block.header.id;
      if (Buffer.byteLength(text, 'utf8') <= options.fileThreshold) return inner.submit(text, submitOptions);
      const file = await writeMessageFile(options.projectDir, messagesDir, block.header.id, text);
      options.debug?.(`${inner.role}: message ${block.header.id} (${Buffer.byteLength(text, 'utf8')} bytes) handed over in ${file}`);
      return inner.submit(pointerText(text, block, options.projectDir), submitOptions);
    },
    async readSince(position: PanePosition, readOptions?: { fresh?: boolean }): Promise<string> {
      const raw = await inner.readSince(position, readOptions);
      const screen = options.recovery ? await options.recovery.rewrite(raw) : raw;
      if (screen !== raw) noteRecovered(raw, screen, recovered);
      const now = options.now();
      if (turn.id !== undefined) await collectReplyFiles(repliesDir, turn, now);
      // A reply file for this id, written or being written, wins over what the screen shows of it (a CLI that shows
      // its file with `cat` may show it folded, and the fold is a complete block).
      const shown = turn.id !== undefined && replyFileWins(turn, now) ? hideReplies(screen, turn.id, inner.role) : screen;
      if (turn.blocks.size === 0) return shown;
      const onScreen = new Set(parseBlocks(shown).blocks.map(blockKey));
      const fromFiles = [...turn.blocks].filter(([key]) => !onScreen.has(key)).map(([, text]) => text);
      return [...fromFiles, shown].join('\n');
    },
    screenState: () => inner.screenState(),
    ...(inner.limit ? { limit: (now: number) => inner.limit?.(now) ?? Promise.resolve(undefined) } : {}),
    ...(inner.program ? { program: inner.program } : {}),
    ...(inner.wrapsLines === true ? { wrapsLines: true } : {}),
    lastLines: (n) => inner.lastLines(n),
    ...(inner.crossCheck ? { crossCheck: (position: PanePosition) => inner.crossCheck?.(position) ?? Promise.resolve() } : {}),
    ...(inner.damage ? { damage: (position: PanePosition) => inner.damage?.(position) ?? Promise.resolve(undefined) } : {}),
    origin(block: Block): ReplyChannel | undefined {
      const key = blockKey(block);
      if (turn.blocks.has(key)) return 'file';
      if (recovered.has(key)) return 'transcript';
      // A body the screen showed just as the transcript has it (a short line a self-wrapping TUI left whole) is exact
      // too: recorded as the transcript's, never as a screen body that may be wrapped.
      return inner.origin?.(block) ?? (options.recovery?.confirms?.(block) === true ? 'transcript' : undefined);
    },
  };
}

/** Remembers the blocks the transcript rewrite brought that the screen as read did not have (exact bodies, lost blocks). */
function noteRecovered(raw: string, screen: string, recovered: Set<string>): void {
  const onScreen = new Set(parseBlocks(raw).blocks.map(blockKey));
  for (const block of parseBlocks(screen).blocks) {
    const key = blockKey(block);
    if (!onScreen.has(key)) recovered.add(key);
  }
}

/** The block `text` starts with (what the dialogue types: a block, then the expected-reply line), or undefined. */
function leadingBlock(text: string): Block | undefined {
  const first = parseBlocks(text).blocks[0];
  return first !== undefined && first.startLine === 0 ? first : undefined;
}

/**
 * The short message typed instead of a long one: a block with the same header whose body names the file, then the
 * lines that followed the original block (the expected-reply line), unchanged.
 */
export function pointerText(text: string, block: Block, projectDir: string): string {
  const relative = messageFile(block.header.id);
  const body = [
    `This message is long, so poli wrote it to the file ${relative} in the project directory`,
    `(${path.join(projectDir, relative)}). Read that file now: it holds this block with its full body and the reply`,
    'that is expected. Treat its contents as this message and answer it as it says.',
  ].join('\n');
  const after = text.split('\n').slice(block.endLine + 1).join('\n');
  return after === '' ? formatBlock(block.header, body) : `${formatBlock(block.header, body)}\n${after}`;
}

/** `.poli/messages/<id>.md`, relative to the project directory. */
export function messageFile(id: string): string {
  return path.join(MESSAGES_DIR, `${safeName(id)}.md`);
}

/** Writes the whole message atomically (temporary file, then rename), so a CLI never reads half of it. */
async function writeMessageFile(projectDir: string, messagesDir: string, id: string, text: string): Promise<string> {
  await ensurePoliDir(projectDir);
  await mkdir(messagesDir, { recursive: true });
  const file = path.join(projectDir, messageFile(id));
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, text.endsWith('\n') ? text : `${text}\n`);
  await rename(temporary, file);
  return file;
}

/** Creates `.poli/` (kept out of git by project-files.ts through `.git/info/exclude`, not by a file in the project). */
export async function ensurePoliDir(projectDir: string): Promise<void> {
  await mkdir(path.join(projectDir, POLI_DIR, 'replies'), { recursive: true });
}

/**
 * Reads this turn's reply files (`<id>.md`, or `<id>` followed by `.`, `-` or `_` and more, ending `.md`). A file's
 * blocks are taken once it holds a closed block and has stopped changing for {@link REPLY_FILE_SETTLE_MS}; files are
 * never removed here (only when the next turn starts, or the task ends), so a reply is never lost half-read.
 */
async function collectReplyFiles(repliesDir: string, turn: TurnFiles, now: number): Promise<void> {
  const id = turn.id;
  if (id === undefined) return;
  for (const name of await replyFileNames(repliesDir, id)) {
    // Never anything but a regular file: a FIFO named like a reply file would block the loop forever (regular-file.ts).
    const content = await readRegularFile(path.join(repliesDir, name));
    if (content === undefined) continue;
    const previous = turn.looked.get(name);
    if (previous === undefined || previous.content !== content) {
      turn.looked.set(name, { content, since: now });
      continue;
    }
    if (now - previous.since < REPLY_FILE_SETTLE_MS) continue;
    for (const block of parseBlocks(content, { final: true }).blocks) {
      const key = blockKey(block);
      if (!turn.blocks.has(key)) turn.blocks.set(key, formatBlock(block.header, block.body));
    }
  }
}

/** A reply file of this turn holds complete blocks, or changed less than {@link REPLY_FILE_SETTLE_MS} ago (being written). */
function replyFileWins(turn: TurnFiles, now: number): boolean {
  if (turn.blocks.size > 0) return true;
  return [...turn.looked.values()].some((looked) => now - looked.since < REPLY_FILE_SETTLE_MS);
}

/**
 * The screen text with the lines of every complete block carrying `id` and addressed away from `role` (a reply, not
 * the echo of poli's message) blanked: the reply file has them exactly; what the screen shows may be a view of it
 * (folded, truncated, wrapped).
 */
export function hideReplies(screen: string, id: string, role: string): string {
  if (!screen.includes(id)) return screen;
  const replies = parseBlocks(screen, { final: true }).blocks.filter((block) => block.header.id === id && block.header.to !== role);
  if (replies.length === 0) return screen;
  const lines = toScreenLines(screen);
  for (const block of replies) lines.fill('', block.startLine, block.endLine + 1);
  return lines.join('\n');
}

async function removeReplyFiles(repliesDir: string, id: string): Promise<void> {
  for (const name of await replyFileNames(repliesDir, id)) await rm(path.join(repliesDir, name), { force: true });
}

async function replyFileNames(repliesDir: string, id: string): Promise<string[]> {
  const base = safeName(id);
  const names = await readdir(repliesDir).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith('.md') && (name === `${base}.md` || /^[._-]/.test(name.slice(base.length))) && name.startsWith(base))
    .sort();
}

/** Ids are poli's own (`T1-R2-k9x2m4`), but a header id can be anything: keep file names plain. */
function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
