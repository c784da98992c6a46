import { describe, expect, it } from 'vitest';
import { formatBlock, sanitizeBody } from './format-block.ts';
import { parseBlocks } from './parse-blocks.ts';
import { readFenceLine, unescapeTagLine, type FenceLine } from './screen-text.ts';
import { ADDRESSEES, MESSAGE_TYPES, type BlockHeader } from './types.ts';

/**
 * Seeded property test: screens made of noise, real blocks rendered the way TUIs render them (markers, gutters,
 * boxes, fences, headers hard-wrapped at random widths, ANSI, CRLF, padding), echoes and half-written blocks.
 * Bodies are never wrapped (a wrapped body line is a different body, and the parser cannot know it); header lines are.
 */
const SCREENS = 10_000;
const FIRST_SEED = 20_240_601;
const ESC = '\u001b';
const NBSP = '\u00a0';
const OPEN_WORD = '[[POLI:MSG';

/** mulberry32: tiny, fast, good enough to drive a fuzzer reproducibly. */
function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T,
  };
}
interface Random {
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

// Header values hold no whitespace: a space lost at a wrap inside a string cannot be told from a hard break.
const HEADER_PIECES = ['T1', 'R2', 'k9x2m4', '-', '_', '.', ':', '/', 'é', '中文', '😀', '"', '\\', '{', ']'];
/** Tag text inside header values: formatBlock escapes `[`, so no wrap can make a header line look like a tag. */
const HEADER_TRAPS = ['}]]', '[[POLI:MSG', '[[/POLI:MSG]]'];
const ANSI = [
  `${ESC}[0m`,
  `${ESC}[1;32m`,
  `${ESC}[38;5;174m`,
  `${ESC}[2K`,
  `${ESC}[?25l`,
  `${ESC}[3G`,
  `${ESC}]8;;https://x.test${ESC}\\`,
  `${ESC}]0;title\u0007`,
];
const BODY_PIECES = [
  ...['word', 'two words', '  ', '   ', '\t', NBSP, 'é', '中文', '👩‍👩‍👧‍👦', '🏳️‍🌈', '"quoted"', "'single'", '\\'],
  ...['$(rm -rf ~)', '`x`', '__init__', '*a*', '- item', '/help', '# head', '```', '```ts', '}]]', '{"a":1}'],
  ...['[[POLI:MSG {"to":"PLANNER","type":"result","id":"x"}]]', '[[/POLI:MSG]]', '[[POLI:MS', '[[/POLI', '\\[[POLI:MSG'],
  ...['● ', '• ', '› ', `❯${NBSP}`, '> ', '│ ', ' │'],
  ...['\r\n', '\r', '\u0007', '\u0085', `${ESC}[31m`],
];
/** Chrome of both CLIs and near-miss tags; none of these lines is a tag. */
const NOISE_LINES = [
  ...['', 'Sure — here is the result.', '● I will now', '中文 é 😀 ‍', 'tab\there', 'progress 10%\rprogress 20%'],
  ...['✻ Worked for 3s', '✻ Thinking… (esc to interrupt)', '─'.repeat(80), `❯${NBSP}`, `❯${NBSP}[Pasted text #1 +12 lines]`],
  ...['  ⏵⏵ bypass permissions on (shift+tab to cycle)', '│ boxed text │', '╭────╮', '```', '```text'],
  ...['› Ask Codex to do anything', '  ? for shortcuts        100% context left', '─ Worked for 2s • 10:42 ─────'],
  ...['◦ Working (0s • esc to interrupt)', '■ stream disconnected before completion', '• Ran npm test', '  └ 58 passed'],
  ...['x [[POLI:MSG {"to":"PLANNER"}]]', '[[POLI:MS {"to":"PLANNER","type":"result","id":"a"}]]', '[[/POLI'],
  ...['[[POLI:MSGX {}]]', '[[/POLI:MSG]] trailing', '\\[[POLI:MSG {"to":"PLANNER","type":"result","id":"a"}]]'],
  ...['  [ [POLI:MSG', `${ESC}[1mbold${ESC}[0m and ${ESC}[2mdim${ESC}[0m`],
];
const MARKERS = ['', '● ', '⏺ ', '• ', '› ', `❯${NBSP}`, '> '];
const EXTRA_KEYS = ['note', 'progress', 'files', 'meta', 'n'];

interface Generated {
  header: BlockHeader;
  body: string;
}
interface Rendered {
  lines: string[];
  /** What the parser must return for this element; undefined for a half-written block. */
  expected?: Generated;
}
interface Style {
  marker: string;
  gutter: number;
  boxIndent: number | undefined;
  fence: 'none' | 'outside' | 'kept';
  width: number;
  wrap: 'hard' | 'swallow' | 'word';
  spacious: boolean;
  blankLines: boolean;
}

function randomText(random: Random, pieces: readonly string[], maxPieces: number): string {
  let text = '';
  for (let i = random.int(0, maxPieces); i > 0; i -= 1) text += random.pick(pieces);
  return text;
}

function randomHeader(random: Random): BlockHeader {
  const id = random.chance(0.5)
    ? `T${random.int(0, 99)}-R${random.int(0, 9)}-${random.int(0, 36 ** 6 - 1).toString(36)}`
    : `x${randomText(random, [...HEADER_PIECES, ...HEADER_TRAPS], 6)}`;
  const header: BlockHeader = { to: random.pick(ADDRESSEES), type: random.pick(MESSAGE_TYPES), id };
  for (let i = random.int(0, 2); i > 0; i -= 1) {
    const value = random.pick<unknown>([
      randomText(random, [...HEADER_PIECES, ...HEADER_TRAPS], 4),
      random.int(-5, 1000) / 4,
      random.chance(0.5),
      null,
      [randomText(random, HEADER_PIECES, 2), random.int(0, 9)],
      { k: randomText(random, HEADER_PIECES, 3), deep: { v: [] } },
    ]);
    header[random.pick(EXTRA_KEYS)] = value;
  }
  return header;
}

function randomBody(random: Random): string {
  const lines = Array.from({ length: random.int(0, 6) }, () =>
    random.chance(0.03) ? 'L'.repeat(random.int(200, 3000)) : randomText(random, BODY_PIECES, 6),
  );
  // A body line that starts with a box border and then a fence reads as a fence or not depending on whether the
  // TUI draws the reply in a box: too ambiguous for an exact expectation, so the generator avoids it.
  const body = lines.join(random.pick(['\n', '\r\n'])).replace(/(^|[\r\n])([ \t\u00a0]*│)/g, '$1x$2');
  // A body's own code fences are balanced (docs/protocol.md): an unbalanced one is ambiguous, since it would hide the
  // close tag. Close a fence the random pieces left open, as an author would.
  const open = openFenceAtEnd(sanitizeBody(body));
  return open === undefined ? body : `${body}\n${open.char.repeat(open.length)}`;
}

function openFenceAtEnd(body: string): FenceLine | undefined {
  let open: FenceLine | undefined;
  for (const line of body.split('\n')) {
    const fence = readFenceLine(line);
    if (!fence) continue;
    if (open === undefined) open = fence;
    else if (fence.bare && fence.char === open.char && fence.length >= open.length) open = undefined;
  }
  return open;
}

function randomStyle(random: Random): Style {
  return {
    marker: random.pick(MARKERS),
    gutter: random.pick([0, 0, 2, 4, random.int(1, 6)]),
    boxIndent: random.chance(0.15) ? random.int(0, 3) : undefined,
    fence: random.pick(['none', 'none', 'outside', 'kept'] as const),
    width: random.int(40, 250),
    wrap: random.pick(['hard', 'swallow', 'word'] as const),
    spacious: random.chance(0.25),
    blankLines: random.chance(0.3),
  };
}

/** Wraps one line into pieces of at most `first`, then `rest`, code points, as a TUI would. */
function wrapText(text: string, first: number, rest: number, mode: Style['wrap']): string[] {
  let remaining = Array.from(text);
  const pieces: string[] = [];
  while (remaining.length > (pieces.length === 0 ? first : rest)) {
    const width = pieces.length === 0 ? first : rest;
    let cut = width;
    let skip = 0;
    if (mode === 'word') {
      const space = remaining.lastIndexOf(' ', width);
      if (space > 0) [cut, skip] = [space, 1];
    } else if (mode === 'swallow' && remaining[width] === ' ') {
      skip = 1;
    }
    pieces.push(remaining.slice(0, cut).join(''));
    remaining = remaining.slice(cut + skip);
  }
  pieces.push(remaining.join(''));
  return pieces;
}

/** Adds spaces after `:` and `,` outside strings, as a model writing JSON by hand often does. */
function spaceOut(openLine: string): string {
  const json = openLine.slice(OPEN_WORD.length);
  const spaced = json.replace(
    /("(?:[^"\\]|\\.)*")|([:,])/g,
    (_match, literal: string | undefined, separator: string) => literal ?? `${separator} `,
  );
  return `${OPEN_WORD}${spaced}`;
}

interface RenderedBlock {
  lines: string[];
  closeIndex: number;
  /** The body lines as rendered, blank lines a renderer inserted included, without prefixes. */
  bodyLines: string[];
}

function renderBlock(random: Random, generated: Generated, style: Style): RenderedBlock {
  const canonical = formatBlock(generated.header, generated.body).split('\n');
  const openLine = style.spacious ? spaceOut(canonical[0] ?? '') : (canonical[0] ?? '');
  const bodyLines = canonical.slice(1, -1);
  const closeLine = canonical[canonical.length - 1] ?? '';
  const outer = style.boxIndent === undefined ? '' : `${' '.repeat(style.boxIndent)}│ `;
  const firstPrefix = `${outer}${' '.repeat(style.gutter)}${style.marker}`;
  const contPrefix = `${outer}${' '.repeat(style.gutter + style.marker.length)}`;
  const openPrefix = style.fence === 'kept' ? contPrefix : firstPrefix;

  let width = style.width;
  let header = wrapText(openLine, width - openPrefix.length, width - contPrefix.length, style.wrap);
  while (header.length > 9) {
    width += 40;
    header = wrapText(openLine, width - openPrefix.length, width - contPrefix.length, style.wrap);
  }
  const lines: string[] = [];
  const renderedBody: string[] = [];
  if (style.fence === 'kept') lines.push(`${firstPrefix}\`\`\``);
  header.forEach((piece, i) => lines.push(`${i === 0 ? openPrefix : contPrefix}${piece}`));
  for (const line of bodyLines) {
    lines.push(`${contPrefix}${line}`);
    renderedBody.push(line);
    if (style.blankLines && random.chance(0.3)) {
      lines.push(contPrefix);
      renderedBody.push('');
    }
  }
  const closeIndex = lines.push(`${contPrefix}${closeLine}`) - 1;
  if (style.fence === 'kept') lines.push(`${contPrefix}\`\`\``);
  if (style.fence === 'outside') {
    lines.unshift(`${outer}\`\`\``);
    lines.push(`${outer}\`\`\``);
  }
  const result = { lines, closeIndex: closeIndex + (style.fence === 'outside' ? 1 : 0), bodyLines: renderedBody };
  if (style.boxIndent === undefined) return result;
  const boxWidth = Math.max(...lines.map((line) => line.length));
  return { ...result, lines: lines.map((line) => `${line}${' '.repeat(boxWidth - line.length)} │`) };
}

/** The body the parser must give: the rendered body lines, inserted blank lines kept inside, trimmed at the edges. */
function expectedBody(lines: readonly string[]): string {
  // Tag lines in a body are escaped by formatBlock; the parser removes exactly one backslash again.
  const texts = lines.map(unescapeTagLine);
  while (texts[0] === '') texts.shift();
  while (texts[texts.length - 1] === '') texts.pop();
  return texts.join('\n');
}

/** Adds what a capture adds without changing the text: ANSI sequences, stray BEL/NUL, trailing padding. */
function dirty(random: Random, line: string): string {
  const count = random.chance(0.3) ? random.int(1, 3) : 0;
  const positions = Array.from({ length: count }, () => random.int(0, line.length)).sort((a, b) => b - a);
  let text = line;
  // Right to left, so each sequence goes between characters of the line, never inside another sequence.
  for (const position of positions) {
    // Between code points: never inside a surrogate pair.
    const at = /[\udc00-\udfff]/.test(line.charAt(position)) ? position - 1 : position;
    const inserted = random.chance(0.9) ? random.pick(ANSI) : random.pick(['\u0007', '\u0000']);
    text = `${text.slice(0, at)}${inserted}${text.slice(at)}`;
  }
  const padding = random.chance(0.2) ? random.pick([' ', '   ', NBSP, ` ${NBSP} `]) : '';
  return `${text}${padding}`;
}

function generateScreen(random: Random): { text: string; expected: Generated[]; unterminated: number } {
  const elements: Rendered[] = [];
  for (let i = random.int(0, 3); i > 0; i -= 1) {
    const generated = { header: randomHeader(random), body: randomBody(random) };
    const style = randomStyle(random);
    const reply = renderBlock(random, generated, style);
    if (random.chance(0.25)) {
      // The CLI echoes what poli typed, e.g. Codex's `› ` prompt line with the rest indented under it.
      const echoStyle: Style = { ...style, marker: '› ', gutter: 0, boxIndent: undefined, fence: 'none' };
      const echo = renderBlock(random, generated, echoStyle);
      elements.push({ lines: echo.lines, expected: { ...generated, body: expectedBody(echo.bodyLines) } });
    }
    elements.push({ lines: reply.lines, expected: { ...generated, body: expectedBody(reply.bodyLines) } });
  }
  // Half-written blocks (a reply still streaming, or cut by the screen's edge) anywhere among them.
  for (let i = random.chance(0.3) ? random.int(1, 2) : 0; i > 0; i -= 1) {
    const style = randomStyle(random);
    const generated = { header: randomHeader(random), body: randomBody(random) };
    const { lines, closeIndex } = renderBlock(random, generated, style);
    const openIndex = style.fence === 'none' ? 0 : 1;
    // Cut before any fence line of its body: an unfinished block with an open fence would hide the tags after it
    // (docs/protocol.md: a body's fences are balanced, and an unfinished block is only ever the latest text).
    const firstFence = lines.findIndex((line, i) => i > openIndex && readFenceLine(line) !== undefined);
    const cutAt = firstFence === -1 ? closeIndex : Math.min(closeIndex, firstFence);
    if (cutAt <= openIndex + 1) continue;
    const kept = lines.slice(0, random.int(openIndex + 1, cutAt));
    const last = kept.length - 1;
    const lastLine = kept[last] ?? '';
    if (last > openIndex && random.chance(0.5)) kept[last] = lastLine.slice(0, random.int(0, lastLine.length));
    elements.splice(random.int(0, elements.length), 0, { lines: kept });
  }

  const lines: string[] = [];
  const noise = (): void => {
    for (let n = random.int(0, 4); n > 0; n -= 1) {
      lines.push(random.chance(0.2) ? randomText(random, NOISE_LINES, 3) : random.pick(NOISE_LINES));
    }
  };
  noise();
  elements.forEach((element) => {
    lines.push(...element.lines);
    noise();
  });
  // A half-written block followed by any other block is reported as unterminated; at the end it is left out.
  const unterminated = elements.filter((element, i) => !element.expected && i < elements.length - 1).length;
  const eol = random.chance(0.3) ? '\r\n' : '\n';
  return {
    text: lines.map((line) => dirty(random, line)).join(eol),
    expected: elements.flatMap((element) => (element.expected ? [element.expected] : [])),
    unterminated,
  };
}

describe('parseBlocks fuzz', () => {
  it(`finds exactly the complete generated blocks in ${SCREENS} random final screens`, () => {
    let found = 0;
    for (let n = 0; n < SCREENS; n += 1) {
      const seed = FIRST_SEED + n;
      const { text, expected, unterminated } = generateScreen(createRandom(seed));
      const actual = { blocks: [] as Generated[], rejected: [] as string[] };
      try {
        const result = parseBlocks(text, { final: true });
        actual.blocks = result.blocks.map(({ header, body }) => ({ header, body }));
        actual.rejected = result.rejected.map((rejected) => rejected.reason);
      } catch (error) {
        throw new Error(`seed ${seed}: parseBlocks threw on ${JSON.stringify(text)}`, { cause: error });
      }
      const rejected = Array.from({ length: unterminated }, () => 'unterminated: another block started');
      const wanted = { blocks: expected, rejected };
      // Headers are built in the order the parser reads them back, so serialised equality is deep equality here.
      if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
        expect(actual, `seed ${seed}, screen ${JSON.stringify(text)}`).toEqual(wanted);
      }
      found += actual.blocks.length;
    }
    // Guard against a generator that silently stopped producing blocks.
    expect(found).toBeGreaterThan(SCREENS);
  });

  it('never finds a block that is not there while the text may still grow (not final)', () => {
    for (let n = 0; n < SCREENS / 5; n += 1) {
      const seed = FIRST_SEED + n;
      const { text, expected } = generateScreen(createRandom(seed));
      const wanted = expected.map((block) => JSON.stringify(block));
      // A body with an unbalanced fence hides its close tag until the text is final: fewer blocks, never others.
      for (const { header, body } of parseBlocks(text).blocks) {
        expect(wanted, `seed ${seed}: ${JSON.stringify(text)}`).toContain(JSON.stringify({ header, body }));
      }
    }
  });
});
