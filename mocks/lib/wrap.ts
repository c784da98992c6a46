/**
 * Hard wrapping the way Claude Code's classic renderer does it: the CLI breaks every line itself at the
 * pane width (so `capture-pane -J` cannot rejoin it), prefers the last space that fits, and otherwise cuts
 * mid-word — inside JSON strings and block headers too.
 */

/** Spaces a tab expands to: terminals would move to a tab stop, which breaks width accounting. */
const TAB_SPACES = '    ';

/** Terminal cell width of one code point: 0 for combining marks, 2 for East Asian wide and emoji, else 1. */
export function charWidth(codePoint: number): number {
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0;
  if ((codePoint >= 0x300 && codePoint <= 0x36f) || codePoint === 0x200b || codePoint === 0xfe0f) return 0;
  if (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf && codePoint !== 0x303f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Terminal cell width of a string without escape sequences. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0) ?? 0);
  return width;
}

/** Makes text safe to print: CRLF/CR become LF, tabs become spaces, other control characters are dropped. */
export function sanitizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, TAB_SPACES)
    .replace(/[\x00-\x09\x0b-\x1f\x7f]/g, '');
}

/**
 * Splits one logical line (no `\n`) into rows of at most `width` cells. A break at a space drops that one
 * space (it would only be trailing blank on screen); a break inside leading indentation or in a word
 * longer than the row cuts mid-word.
 */
export function wrapLine(line: string, width: number): string[] {
  const max = Math.max(1, width);
  const rows: string[] = [];
  let rest = Array.from(line);
  while (widthOf(rest) > max) {
    const cut = fittingLength(rest, max);
    if (rest[cut] === ' ') {
      rows.push(rest.slice(0, cut).join(''));
      rest = rest.slice(cut + 1);
      continue;
    }
    const indentEnd = rest.findIndex((ch) => ch !== ' ');
    const space = rest.lastIndexOf(' ', cut - 1);
    if (space > indentEnd && indentEnd >= 0) {
      rows.push(rest.slice(0, space).join(''));
      rest = rest.slice(space + 1);
    } else {
      rows.push(rest.slice(0, cut).join(''));
      rest = rest.slice(cut);
    }
  }
  rows.push(rest.join(''));
  return rows;
}

/**
 * Lays text out with a 2-cell gutter the way Claude Code prints replies (`● `) and prompt echoes (`❯ `):
 * `firstPrefix` on the very first row, two spaces on every other row (following lines and wrap
 * continuations alike), every row at most `columns` cells wide.
 */
export function layOutWithGutter(text: string, columns: number, firstPrefix: string): string[] {
  const gutter = ' '.repeat(displayWidth(firstPrefix));
  const contentWidth = columns - gutter.length;
  const rows: string[] = [];
  for (const line of sanitizeText(text).split('\n')) {
    for (const row of wrapLine(line, contentWidth)) {
      rows.push((rows.length === 0 ? firstPrefix : gutter) + row);
    }
  }
  return rows;
}

function widthOf(chars: readonly string[]): number {
  let width = 0;
  for (const ch of chars) width += charWidth(ch.codePointAt(0) ?? 0);
  return width;
}

/** How many leading characters fit in `max` cells (at least one, so a too-wide glyph cannot stall wrapping). */
function fittingLength(chars: readonly string[], max: number): number {
  let width = 0;
  for (let i = 0; i < chars.length; i++) {
    width += charWidth(chars[i]?.codePointAt(0) ?? 0);
    if (width > max) return Math.max(1, i);
  }
  return chars.length;
}
