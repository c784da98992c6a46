import { createHash, randomBytes } from 'node:crypto';
import { findTagLikeStart, normaliseText } from './screen-text.ts';
import { MESSAGE_CLOSE_TAG, MESSAGE_OPEN_PREFIX, type Block, type BlockHeader } from './types.ts';

const ID_SUFFIX_LENGTH = 6;
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Bytes at or above this are discarded so that `byte % 36` is uniform (252 = 7 × 36). */
const UNBIASED_BYTE_LIMIT = 252;
const TAG_ESCAPE = '\\';

/**
 * Characters escaped inside the header's JSON strings: the C1 range and DEL (a screen reader drops them), U+2028/9
 * (line separators to some renderers) and `[` (so no header value can ever show a tag on a wrapped line).
 */
const HEADER_UNSAFE = /[\u007f-\u009f\u2028\u2029[]/g;
const JSON_STRING_LITERAL = /"(?:[^"\\]|\\.)*"/g;

/**
 * The canonical text of a block: `[[POLI:MSG {json}]]`, the sanitised body, `[[/POLI:MSG]]`, joined by LF. The header
 * JSON is compact with `to`, `type`, `id` first, then any extra fields in their own order.
 */
export function formatBlock(header: BlockHeader, body: string): string {
  const { to, type, id, ...extras } = header;
  const json = JSON.stringify({ to, type, id, ...extras }).replace(JSON_STRING_LITERAL, escapeUnsafe);
  return `${MESSAGE_OPEN_PREFIX}${json}]]\n${sanitizeBody(body)}\n${MESSAGE_CLOSE_TAG}`;
}

/**
 * The body as a screen can carry it, which is exactly what `parseBlocks` gives back for a formatted block: CRLF and
 * CR become LF; control bytes other than TAB and LF go (ANSI sequences thus lose their ESC and stay as plain text);
 * trailing blanks of each line and leading and trailing blank lines go (TUIs pad and trim lines). Tag lines are not
 * touched here: {@link formatBlock} escapes them ({@link escapeTagLines}) and the parser unescapes them.
 */
export function cleanBody(body: string): string {
  const lines = normaliseText(body)
    .split('\n')
    .map((line) => line.trimEnd());
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start] === '') start += 1;
  while (end > start && lines[end - 1] === '') end -= 1;
  return lines.slice(start, end).join('\n');
}

/**
 * {@link cleanBody}, then every line that a reader could take for a tag gets one more backslash before the tag text
 * (`[[POLI:MSG …` → `\\[[POLI:MSG …`, `\\[[/POLI:MSG]]` → `\\\\[[/POLI:MSG]]`), so a body can never open or close a
 * block. The parser removes exactly one backslash from such lines ({@link unescapeTagLine}), so the body read back is
 * `cleanBody(body)`, byte for byte (docs/protocol.md, "Quoting protocol lines in a body").
 */
export function sanitizeBody(body: string): string {
  return escapeTagLines(cleanBody(body));
}

/** Adds one backslash before the tag text of each tag-like line (see {@link sanitizeBody}). */
export function escapeTagLines(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const start = findTagLikeStart(line);
      return start === undefined ? line : `${line.slice(0, start)}${TAG_ESCAPE}${line.slice(start)}`;
    })
    .join('\n');
}

/**
 * A fresh id for one message poli sends, e.g. `T3-R2-k9x2m4`: task number, round number and 6 random base36
 * characters from the OS CSPRNG, so a reply can only carry it if the CLI read this very message.
 */
export function newMessageId(task: number, round: number, random: () => string = randomIdSuffix): string {
  for (const [name, value] of [
    ['task', task],
    ['round', round],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`newMessageId: ${name} must be a non-negative integer, got ${value}`);
    }
  }
  return `T${task}-R${round}-${random()}`;
}

/** Six uniformly random base36 characters (about 31 bits) from `crypto.randomBytes`. */
export function randomIdSuffix(): string {
  let suffix = '';
  while (suffix.length < ID_SUFFIX_LENGTH) {
    for (const byte of randomBytes(ID_SUFFIX_LENGTH * 2)) {
      if (byte < UNBIASED_BYTE_LIMIT && suffix.length < ID_SUFFIX_LENGTH) suffix += BASE36[byte % 36];
    }
  }
  return suffix;
}

/**
 * Identity of a block for de-duplication across screen captures: the same id, type, addressee and body are the same
 * message, wherever on the screen it is.
 */
export function blockKey(block: Block): string {
  const { id, type, to } = block.header;
  const bodyHash = createHash('sha1').update(block.body, 'utf8').digest('hex');
  return JSON.stringify([id, type, to, bodyHash]);
}

function escapeUnsafe(literal: string): string {
  return literal.replace(HEADER_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
