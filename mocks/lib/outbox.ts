/**
 * What happens to each block a mock sends: decoys around it (`--noise`, `--garbage`, `--wrong-id`), its body shaped
 * (`--reply-lines`, `--quote-close-in-fence`, `--quote-example`), the screen cleared first (`--clear-before-reply`),
 * recorded (`--sent-file`), and printed in a ``` fence or not (`--fence`) — or written to `.poli/replies/<id>.md` in
 * two pieces instead of the screen (`--reply-file-pieces`).
 */
import { cleanBody, formatBlock, sanitizeBody } from '../../src/protocol/format-block.ts';
import type { BlockHeader, Role } from '../../src/protocol/types.ts';
import type { AgentEffects, Outbox } from './agent-types.ts';
import { DUPLICATE_BODY, formatDecoysBefore, formatMalformedBlock, wrongId } from './decoys.ts';
import type { MockOptions } from './options.ts';
import {
  draftBody,
  edgeBody,
  foldOutput,
  formatRawBlock,
  longLine,
  numberedLines,
  QUOTING_TYPES,
  quotedLines,
  quoteInMiddle,
  replyFilePath,
  replyFilePieces,
  splitAfterExample,
} from './reply-shaping.ts';
import type { Turn } from './tui.ts';

/** Time between the two pieces of a reply file: long enough for a reader to see the first one alone. */
export const REPLY_PIECE_GAP_MS = 1500;

export interface OutboxContext {
  role: Role;
  /** Everything received and sent so far (`--noise stale`); each real block sent is added. */
  history: string[];
  effects: AgentEffects | undefined;
  now: () => number;
  /** Told the text of each real block sent (a reminder naming its id prints them again). */
  onSent?: (text: string) => void;
}

export function createOutbox(turn: Turn, options: MockOptions, context: OutboxContext): Outbox {
  const { role, history, effects, now } = context;
  const noise = new Set(options.noise);
  const show = (text: string) => turn.reply(fence(text, options.fence));
  return {
    async send(header, rawBody) {
      if (options.noStatus && header.type === 'status') return;
      if (options.clearBeforeReply) turn.clearScreen();
      const { text, body } = shapeBlock(role, header, rawBody, options);
      for (const decoy of formatDecoysBefore(noise, role, header, history)) show(decoy);
      if (options.garbage) {
        show(formatMalformedBlock(header));
        show(formatBlock({ ...header, id: wrongId(header.id) }, rawBody));
      }
      if (options.wrongId) {
        show(formatBlock({ ...header, id: wrongId(header.id) }, rawBody));
        await turn.sleep(options.thinkMs);
      }
      effects?.recordSent?.({ role, at: now(), header, body });
      context.onSent?.(text);
      if (options.replyFilePieces) await writeReplyFile(turn, effects, header.id, text);
      else if (options.catFold) showFolded(turn, effects, header.id, text);
      else if (options.draftMs !== undefined) {
        // A streaming Markdown renderer: a complete block drawn, then redrawn in place with its final text.
        show(formatBlock(header, draftBody(body)));
        await turn.sleep(options.draftMs);
        turn.replaceLast(fence(text, options.fence));
      } else if (options.streamMs !== undefined) {
        const [first = '', ...rest] = fence(text, options.fence).split('\n');
        turn.reply(first);
        for (const line of rest) {
          await turn.sleep(options.streamMs);
          turn.print([line]);
        }
      } else if (options.idleAfterExampleMs !== undefined && splitAfterExample(text) !== undefined) {
        // Mid-reply, right after a whole quoted example block, the TUI looks idle for a while, then goes on.
        const [first, rest] = splitAfterExample(text) ?? ['', ''];
        turn.reply(first);
        await turn.idle(options.idleAfterExampleMs);
        turn.print(rest.split('\n'));
      }
      else if (options.replyVia && effects?.deliver) {
        // Through poli's tool or command; the printed block only when poli refuses it (the primers' fallback).
        const answer = await effects.deliver(options.replyVia, header, body);
        turn.reply(`poli ${options.replyVia === 'tool' ? 'poli_reply tool' : 'reply command'}: ${answer.text}`);
        if (!answer.ok) show(text);
      } else show(text);
      if (noise.has('duplicate') && header.type !== 'status') show(formatBlock(header, DUPLICATE_BODY));
      history.push(text);
    },
    say: (text) => {
      if (options.clearBeforeReply) turn.clearScreen();
      turn.reply(text);
    },
    think: () => turn.sleep(options.thinkMs),
  };
}

/**
 * The text of the real block and its body exactly as it stands between the tags. Bodies are sanitised like poli's
 * own (formatBlock), except a body that quotes tags on purpose: that one is printed as it is.
 */
export function shapeBlock(role: Role, header: BlockHeader, body: string, options: MockOptions): { text: string; body: string } {
  let shaped = body;
  if (role === 'EXECUTER' && header.type === 'result' && options.replyLines !== undefined) shaped = numberedLines(options.replyLines);
  if (role === 'EXECUTER' && header.type === 'result' && options.longLine !== undefined) shaped = `${shaped}\n${longLine(options.longLine)}`;
  if (options.edgeBodies) shaped = edgeBody(shaped);
  const quoted = QUOTING_TYPES.includes(header.type) ? quotedLines(header, options) : [];
  // poli's tool and command carry a body exactly as given; a printed block carries what a screen can.
  if (quoted.length === 0) return { text: formatBlock(header, shaped), body: options.replyVia ? shaped : cleanBody(shaped) };
  const raw = quoteInMiddle(sanitizeBody(shaped), quoted);
  return { text: formatRawBlock(header, raw), body: raw };
}

/**
 * Writes the block (as it would be printed, without a fence) to `.poli/replies/<id>.md` in two pieces and says so on
 * screen, as a CLI's file tool would. The line shows after the first piece: a reader told of the file may find it
 * half written.
 */
async function writeReplyFile(turn: Turn, effects: AgentEffects | undefined, id: string, text: string): Promise<void> {
  const path = replyFilePath(id);
  const [first, second] = replyFilePieces(text);
  effects?.appendFile?.(path, first);
  turn.reply(`wrote my reply to ${path}`);
  await turn.sleep(REPLY_PIECE_GAP_MS);
  effects?.appendFile?.(path, second);
}

/** `--cat-fold`: the block goes to its reply file in one write, then `cat` shows it folded as Codex's exec cell does. */
function showFolded(turn: Turn, effects: AgentEffects | undefined, id: string, text: string): void {
  const path = replyFilePath(id);
  effects?.appendFile?.(path, `${text}\n`);
  turn.reply(`Ran cat ${path}`);
  turn.print(foldOutput(text));
}

export function fence(text: string, enabled: boolean): string {
  return enabled ? `\`\`\`\n${text}\n\`\`\`` : text;
}
