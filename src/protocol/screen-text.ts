import stripAnsi from 'strip-ansi';

/**
 * C0 controls except TAB and LF, DEL, and the C1 range. After ANSI sequences are removed, whatever control bytes
 * remain (a BEL, a lone ESC, a backspace) carry no text, so both the screen reader and the block formatter drop them.
 */
const CONTROL_BYTES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * What a TUI may put before a tag on the same line: blanks (Claude's prompt uses a no-break space), an optional
 * left box border `│`, and one reply or prompt marker (`●`/`⏺` Claude, `•` Codex, `›`/`❯`/`>`/`»` prompt echoes).
 * None of these characters is `[`, so the first `[[` of a tag line is where the tag starts.
 */
const LINE_CHROME = /^[ \u00a0]*(?:│(?=[ \u00a0]|$)[ \u00a0]*)?(?:[●⏺•›❯>»][ \u00a0]+)?/;
const LEFT_BORDER = /^[ \u00a0]*│(?:[ \u00a0]|$)/;
const RIGHT_BORDER = /[ \u00a0]+│$/;

const OPEN_TAG_START = '[[POLI:MSG';
const CLOSE_TAG = '[[/POLI:MSG]]';

/** A line that opens or closes a block, as the parser reads it. */
export type TagKind = 'open' | 'close';

/**
 * Turns CRLF and stray CR into LF and drops control bytes other than TAB and LF. A stray CR becomes a line break
 * (not a deletion) so that a body written with CRs reads the same on a screen as in the formatted block.
 */
export function normaliseText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL_BYTES, '');
}

/**
 * Splits captured pane text into the lines the parser works on: ANSI removed, line breaks and control bytes
 * normalised, trailing blanks removed (Claude pads every line to the pane width, with spaces and U+00A0).
 */
export function toScreenLines(screen: string): string[] {
  return normaliseText(stripAnsi(screen))
    .split('\n')
    .map((line) => line.trimEnd());
}

/**
 * Whether a line is an open or a close tag once its chrome (indentation, one box border, one reply marker) is
 * removed. An open tag is `[[POLI:MSG` followed by a space, `{` or the end of the line (a header wrapped right after
 * the prefix); a close tag is exactly `[[/POLI:MSG]]`.
 */
export function classifyTagLine(line: string): TagKind | undefined {
  // Fast path: on a 10,000-line screen almost no line mentions the tag.
  if (!line.includes('POLI:MSG')) return undefined;
  const chrome = chromeLength(line);
  let rest = line.slice(chrome);
  if (line.slice(0, chrome).includes('│')) rest = rest.replace(RIGHT_BORDER, '');
  if (rest === CLOSE_TAG) return 'close';
  if (rest.startsWith(OPEN_TAG_START)) {
    const next = rest.charAt(OPEN_TAG_START.length);
    if (next === '' || next === ' ' || next === '{') return 'open';
  }
  return undefined;
}

/**
 * Where tag-like text starts on a line that a reader could take for a tag line: after the chrome the parser skips, or
 * after any leading whitespace, optionally behind backslashes (`\\[[POLI:MSG…`, an escaped tag line). Undefined when
 * the line is plain text. The position is that of the first backslash, if any, else of the `[[`.
 */
export function findTagLikeStart(line: string): number | undefined {
  if (!line.includes('POLI:MSG')) return undefined;
  const candidates = [chromeLength(line), line.length - line.trimStart().length];
  return candidates.find((start) => ESCAPED_TAG_LIKE.test(line.slice(start)));
}

/** Removes exactly one backslash before the tag text of an escaped tag line; other lines are returned unchanged. */
export function unescapeTagLine(line: string): string {
  const start = findTagLikeStart(line);
  return start !== undefined && line.charAt(start) === '\\' ? `${line.slice(0, start)}${line.slice(start + 1)}` : line;
}

/** A Markdown fence line (``` or ~~~, three or more), once its chrome is removed. */
export interface FenceLine {
  char: '`' | '~';
  length: number;
  /** Nothing after the fence characters: only such a line can close a fence (an info string can only open one). */
  bare: boolean;
}

/** The fence on a line, or undefined. Inside a body, a fenced region hides tags (they are quoted text). */
export function readFenceLine(line: string): FenceLine | undefined {
  if (!line.includes('```') && !line.includes('~~~')) return undefined;
  const chrome = chromeLength(line);
  let rest = line.slice(chrome).trimStart();
  if (line.slice(0, chrome).includes('│')) rest = rest.replace(RIGHT_BORDER, '');
  const match = /^(`{3,}|~{3,})(.*)$/.exec(rest);
  if (!match) return undefined;
  const fence = match[1] ?? '';
  return { char: fence.charAt(0) as '`' | '~', length: fence.length, bare: (match[2] ?? '').trim() === '' };
}

/** `[[POLI:MSG` or `[[/POLI:MSG`, behind any number of backslashes (the escape of a tag line in a body). */
const ESCAPED_TAG_LIKE = /^\\*\[\[\/?POLI:MSG/;

/** Whether a line starts with a left box border `│` (after indentation). */
export function hasLeftBorder(line: string): boolean {
  return LEFT_BORDER.test(line);
}

/**
 * Removes a left box border (the `│` and one blank after it) and, only then, a right border (` │` at the end).
 * Lines without a left border are returned unchanged, so a body's own `│` survives outside boxes.
 */
export function stripBoxBorder(line: string): string {
  const left = LEFT_BORDER.exec(line);
  if (!left) return line;
  return line.slice(left[0].length).replace(RIGHT_BORDER, '').trimEnd();
}

/** Number of leading plain spaces: the unit the gutter is measured in. */
export function countLeadingSpaces(line: string): number {
  let count = 0;
  while (line.charCodeAt(count) === 0x20) count += 1;
  return count;
}

function chromeLength(line: string): number {
  return LINE_CHROME.exec(line)?.[0].length ?? 0;
}
