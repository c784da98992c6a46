import {
  classifyTagLine,
  countLeadingSpaces,
  hasLeftBorder,
  readFenceLine,
  type FenceLine,
  stripBoxBorder,
  unescapeTagLine,
  toScreenLines,
  type TagKind,
} from './screen-text.ts';
import {
  ADDRESSEES,
  MESSAGE_TYPES,
  type Block,
  type BlockHeader,
  type ParseResult,
  type RejectedBlock,
} from './types.ts';

/** A header wrapped over more lines than this is not a header: the parser stops looking for its end. */
export const MAX_HEADER_CONTINUATION_LINES = 8;
const REJECTED_HEADER_MAX_CHARS = 200;
const REASON_VALUE_MAX_CHARS = 60;
const OPEN_TAG_WORD = '[[POLI:MSG';
const HEADER_END = '}]]';

interface TagLine {
  index: number;
  kind: TagKind;
}

/** What the parser may assume about the text it reads. */
export interface ParseOptions {
  /**
   * The text is complete (the CLI finished its turn, a reply file stopped changing, a transcript record): no block is
   * provisional, and unfinished blocks are reported. Default false: while a CLI still writes, an unfinished block is
   * left out and read again later.
   */
  final?: boolean;
}

type HeaderRead =
  | { ok: true; header: BlockHeader; lastLine: number; text: string }
  | { ok: false; reason: string; text: string };

/** A tag or a fence line: the only lines that matter for finding where a block ends. */
type Marker = { index: number; kind: 'open' } | { index: number; kind: 'close' } | { index: number; kind: 'fence'; fence: FenceLine };

/**
 * Finds every complete `[[POLI:MSG {…}]]` … `[[/POLI:MSG]]` block on a captured screen, in screen order.
 *
 * Tolerates what real TUIs do to a reply: ANSI sequences, CR, padded lines, reply markers and box borders before the
 * tags, a uniform gutter, ``` fences, blank lines inserted into the body and a header hard-wrapped over several lines.
 *
 * Bodies may quote protocol text (docs/protocol.md, "Quoting protocol lines in a body"): a block ends at the first
 * close tag that is neither inside a code fence holding no open tag nor closing a block quoted inside it (open and
 * close tags nest), and a body line escaped with a backslash (`\\[[POLI:MSG`) loses exactly one backslash. A block
 * quoted inside another block is body, never a block of its own. A block without its close tag yet is left out (it
 * may still be streaming); a block found after an unfinished open tag is marked `provisional` unless `final` (it may
 * turn out to be quoted in the unfinished one). A block whose header is not valid, or (once final) an unfinished one
 * followed by another open tag, is reported in `rejected`. Never throws.
 */
export function parseBlocks(screen: string, options: ParseOptions = {}): ParseResult {
  const lines = toScreenLines(screen);
  const markers: Marker[] = [];
  const tags: TagLine[] = [];
  lines.forEach((line, index) => {
    const kind = classifyTagLine(line);
    const fence = kind ? undefined : readFenceLine(line);
    if (kind) {
      tags.push({ index, kind });
      markers.push(kind === 'open' ? { index, kind } : { index, kind });
    } else if (fence) {
      markers.push({ index, kind: 'fence', fence });
    }
  });

  const quoted = quotedCloseTags(markers);
  const blocks: Block[] = [];
  const rejected: RejectedBlock[] = [];
  /** Lines up to here belong to a block already read: its quoted tags are body. */
  let consumedUntil = -1;
  /** Open tags seen without an end: a complete block after one of them may be a quote still being written. */
  const unfinished: number[] = [];
  for (let k = 0; k < tags.length; k += 1) {
    const open = tags[k];
    if (open?.kind !== 'open' || open.index <= consumedUntil) continue;
    const nextTag = tags[k + 1]?.index ?? lines.length;
    const read = readHeader(lines, open.index, nextTag);
    const close = findEnd(markers, read.ok ? read.lastLine : open.index, quoted);
    if (close === undefined) {
      // Unfinished: still streaming, or cut short. Once the text is final and another block started after it, say so.
      if (options.final && tags.slice(k + 1).some((tag) => tag.kind === 'open')) {
        rejected.push(rejectAt(open.index, 'unterminated: another block started', read.text));
      }
      unfinished.push(open.index);
      continue;
    }
    consumedUntil = close;
    if (!read.ok) {
      rejected.push(rejectAt(open.index, read.reason, read.text));
      continue;
    }
    const body = readBody(lines, open.index, read.lastLine, close);
    const provisional = !options.final && unfinished.length > 0;
    blocks.push({ header: read.header, body, startLine: open.index, endLine: close, ...(provisional ? { provisional } : {}) });
  }
  return { blocks, rejected };
}

/**
 * The close tag ending a block whose header ends on `headerEnd`: the first later close tag that is not quoted (see
 * {@link quotedCloseTags}) and closes no open tag met on the way (a block quoted in the body nests).
 */
function findEnd(markers: readonly Marker[], headerEnd: number, quoted: ReadonlySet<number>): number | undefined {
  let depth = 0;
  for (const marker of markers) {
    if (marker.index <= headerEnd || marker.kind === 'fence' || quoted.has(marker.index)) continue;
    if (marker.kind === 'open') depth += 1;
    else if (depth === 0) return marker.index;
    else depth -= 1;
  }
  return undefined;
}

/**
 * Close tags inside a Markdown code fence that holds no open tag: a body quoting a close tag in a code example.
 * Fences pair by Markdown's rule (a bare fence line of the same character, at least as long, closes one opened by
 * ``` or ~~~ with or without an info string). A fence that would enclose an open tag is not taken as a fence: that
 * is block structure (a reply inside ``` fences, a quoted example block), and pairing fences across it would let one
 * block's fence hide another block's close tag.
 */
function quotedCloseTags(markers: readonly Marker[]): Set<number> {
  const quoted = new Set<number>();
  for (let i = 0; i < markers.length; i += 1) {
    const opener = markers[i];
    if (opener === undefined || opener.kind !== 'fence') continue;
    const opened = opener.fence;
    const closes: number[] = [];
    for (let j = i + 1; j < markers.length; j += 1) {
      const marker = markers[j];
      if (marker === undefined || marker.kind === 'open') break;
      if (marker.kind === 'close') {
        closes.push(marker.index);
        continue;
      }
      const { fence } = marker;
      if (fence.bare && fence.char === opened.char && fence.length >= opened.length) {
        for (const index of closes) quoted.add(index);
        i = j;
        break;
      }
    }
  }
  return quoted;
}

/**
 * Reads the header starting on the open tag line, rejoining lines the TUI wrapped: continuation lines are trimmed of
 * their gutter and joined until the text ends with `}]]` and parses. A wrap may have swallowed a space, so both ''
 * and ' ' are tried at each break, fewest spaces first: JSON never needs a space between tokens, so a hard break
 * (inside an id, say) is rejoined exactly; a space lost inside a string value is restored only when that is what
 * makes the header valid.
 */
function readHeader(lines: readonly string[], open: number, limit: number): HeaderRead {
  const bordered = hasLeftBorder(lines[open] ?? '');
  const unbox = (line: string): string => (bordered ? stripBoxBorder(line) : line);
  const first = unbox(lines[open] ?? '');
  const parts = [first.slice(first.indexOf(OPEN_TAG_WORD) + OPEN_TAG_WORD.length).trimStart()];
  let failure: { reason: string; text: string } | undefined;

  for (let extra = 0; extra <= MAX_HEADER_CONTINUATION_LINES; extra += 1) {
    if (extra > 0) {
      const index = open + extra;
      if (index >= limit) break;
      parts.push(unbox(lines[index] ?? '').trim());
    }
    if (!parts.join('').endsWith(HEADER_END)) continue;
    const attempt = parseJoinings(parts);
    if (attempt.header) return { ok: true, header: attempt.header, lastLine: open + extra, text: headerText(parts) };
    if (attempt.invalidHeader) return { ok: false, reason: attempt.invalidHeader, text: headerText(parts) };
    failure ??= { reason: `invalid JSON header: ${attempt.jsonError}`, text: headerText(parts) };
  }
  return {
    ok: false,
    ...(failure ?? { reason: `invalid JSON header: no closing "${HEADER_END}"`, text: headerText(parts) }),
  };
}

interface JoiningAttempt {
  header?: BlockHeader;
  /** Why the first joining that parsed as JSON is not a valid header. */
  invalidHeader?: string;
  /** Why the all-'' joining is not valid JSON. */
  jsonError?: string;
}

function parseJoinings(parts: readonly string[]): JoiningAttempt {
  const result: JoiningAttempt = {};
  for (const mask of joinMasksByPopCount(parts.length - 1)) {
    const text = parts.reduce((joined, part, i) => `${joined}${mask & (1 << (i - 1)) ? ' ' : ''}${part}`);
    if (!text.endsWith(HEADER_END)) continue;
    let value: unknown;
    try {
      value = JSON.parse(text.slice(0, -2));
    } catch (error) {
      result.jsonError ??= error instanceof Error ? error.message : String(error);
      continue;
    }
    const checked = validateHeader(value);
    if (typeof checked !== 'string') return { header: checked };
    result.invalidHeader ??= checked;
  }
  return result;
}

const masksCache = new Map<number, number[]>();

/** All 2^breaks choices of joiner ('' = bit 0, ' ' = bit 1), those with fewer spaces first. */
function joinMasksByPopCount(breaks: number): number[] {
  let masks = masksCache.get(breaks);
  if (!masks) {
    masks = Array.from({ length: 2 ** breaks }, (_, mask) => mask);
    masks.sort((a, b) => popCount(a) - popCount(b) || a - b);
    masksCache.set(breaks, masks);
  }
  return masks;
}

function popCount(value: number): number {
  let count = 0;
  for (let rest = value; rest > 0; rest >>= 1) count += rest & 1;
  return count;
}

/** Checks the parsed JSON against the protocol; returns the header, or the precise reason it is refused. */
function validateHeader(value: unknown): BlockHeader | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `invalid JSON header: expected an object, got ${describe(value)}`;
  }
  const fields = value as Record<string, unknown>;
  for (const field of ['to', 'type', 'id'] as const) {
    if (!Object.hasOwn(fields, field)) return `missing field: ${field}`;
  }
  if (!(ADDRESSEES as readonly unknown[]).includes(fields.to)) return `unknown addressee: ${describe(fields.to)}`;
  if (!(MESSAGE_TYPES as readonly unknown[]).includes(fields.type)) return `unknown type: ${describe(fields.type)}`;
  if (typeof fields.id !== 'string') return `invalid id: expected a string, got ${describe(fields.id)}`;
  if (fields.id === '') return 'empty id';
  return fields as BlockHeader;
}

/**
 * The body between the header's last line and the close tag: box borders removed, then the gutter — the indentation
 * common to the tag lines and the non-blank body lines — so the author's own deeper indentation stays. Blank lines
 * a renderer inserted inside the body stay; leading and trailing blank lines go.
 */
function readBody(lines: readonly string[], open: number, headerEnd: number, close: number): string {
  const bordered = hasLeftBorder(lines[open] ?? '');
  const unbox = (line: string): string => (bordered ? stripBoxBorder(line) : line);
  const body = lines.slice(headerEnd + 1, close).map(unbox);
  let gutter = Math.min(unbox(lines[open] ?? '').indexOf('[['), unbox(lines[close] ?? '').indexOf('[['));
  for (const line of body) {
    if (line !== '') gutter = Math.min(gutter, countLeadingSpaces(line));
  }
  const unindented = body.map((line) => unescapeTagLine(line.slice(gutter)));
  let start = 0;
  let end = unindented.length;
  while (start < end && unindented[start] === '') start += 1;
  while (end > start && unindented[end - 1] === '') end -= 1;
  return unindented.slice(start, end).join('\n');
}

function rejectAt(startLine: number, reason: string, headerText: string): RejectedBlock {
  return { reason, header: headerText.slice(0, REJECTED_HEADER_MAX_CHARS), startLine };
}

/** The header as seen, for reports: the tag word and the wrapped parts joined as they were on screen. */
function headerText(parts: readonly string[]): string {
  return `${OPEN_TAG_WORD} ${parts.join('')}`;
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > REASON_VALUE_MAX_CHARS ? `${text.slice(0, REASON_VALUE_MAX_CHARS)}…` : text;
}
