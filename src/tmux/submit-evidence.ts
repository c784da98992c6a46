/**
 * What counts as evidence that a CLI took a message (send.ts): pure rules over two looks at the screen. Each rule is
 * about a *change* the message caused, never about a state the screen was already in:
 * - busy counts only when the CLI was not busy before (a CLI that keeps its spinner after replying is busy before the
 *   paste: busy is then no evidence of a submit, issue 18 item 9);
 * - the echo of the payload counts when one of its ends (first or last non-blank line) shows and did not before: a
 *   long payload's first line scrolls off the screen under its own echo (a 49-line primer in a 50-row pane), its
 *   last line stays (item 1);
 * - for a CLI whose input cannot be read, an echo alone is no evidence (the text may sit in a plain `> ` prompt): the
 *   CLI must have printed something after it that is neither the payload nor on the screen before (its reply, its
 *   spinner), counters and clocks ignored;
 * - a change in blank space only (Enter that inserted a line break into the input) is no evidence (item 2).
 */
import type { SendProfile } from './types.ts';

/** How many characters (blanks removed) of a payload line must match: enough to be its own, short enough to fit a row. */
const ECHO_CHARS = 80;
/** An end of the payload shorter than this is not looked for when telling whether the text left the input. */
const MIN_MARK_CHARS = 8;
/** A paste placeholder some CLIs show for long pastes instead of the text (Claude Code, Codex, Gemini CLI). */
export const PASTE_PLACEHOLDER = /\[Pasted (?:text|Content)\b/i;

/** The text without any blank (space, tab, no-break space, line break): how a CLI's own line wrap is undone. */
export function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

/** A line with blanks and digits removed: a spinner's seconds or a clock's tick do not make a line new. */
function gist(line: string): string {
  return squeeze(line).replace(/\d+/g, '');
}

/** The payload's first and last non-blank lines, blanks removed, cut to what an echo row surely holds. */
export function payloadEnds(payload: string): { first: string; last: string } {
  const lines = payload.split('\n').filter((line) => line.trim() !== '');
  const first = squeeze(lines[0] ?? '').slice(0, ECHO_CHARS);
  const last = squeeze(lines.at(-1) ?? '').slice(-ECHO_CHARS);
  return { first, last };
}

/** Whether the screen shows `part` (blanks ignored, so a CLI's own wrap does not hide it). */
function shows(lines: readonly string[], part: string): boolean {
  return part !== '' && squeeze(lines.join('')).includes(part);
}

/**
 * The end of the payload that shows now and did not before the paste (its echo, or the text in the input box), or
 * undefined. The last line is tried first: it is the one still on the screen when the echo is taller than the screen.
 */
export function newEnd(beforeLines: readonly string[], lines: readonly string[], payload: string): string | undefined {
  const { first, last } = payloadEnds(payload);
  return [last, first].find((end) => shows(lines, end) && !shows(beforeLines, end));
}

/**
 * Whether, below the last row holding `end`, the screen shows a non-blank line that is neither part of the payload
 * nor (counters aside) on the screen before: the CLI printed after the text it was given.
 */
function printedAfter(beforeLines: readonly string[], lines: readonly string[], payload: string, end: string): boolean {
  let row = -1;
  for (let i = lines.length - 1; i >= 0 && row === -1; i -= 1) {
    // The end may be wrapped over several rows: find the last row that holds a piece of it.
    if (squeeze(lines.slice(i, i + 4).join('')).includes(end)) row = i;
  }
  if (row === -1) return false;
  while (row + 1 < lines.length && end.includes(squeeze(lines[row + 1] ?? '')) && squeeze(lines[row + 1] ?? '') !== '') row += 1;
  const old = new Set(beforeLines.map(gist));
  const inPayload = squeeze(payload);
  return lines.slice(row + 1).some((line) => {
    const g = gist(line);
    return g !== '' && !old.has(g) && !inPayload.includes(squeeze(line)) && !PASTE_PLACEHOLDER.test(line);
  });
}

/**
 * Whether the screen shows the payload's echo and, after it, something the CLI printed (its answer): evidence that a
 * turn on the payload ran, for a CLI never seen busy (its spinner hidden by a redraw, or too short to be seen).
 */
export function answeredSince(beforeLines: readonly string[], lines: readonly string[], payload: string): boolean {
  const end = newEnd(beforeLines, lines, payload);
  return end !== undefined && printedAfter(beforeLines, lines, payload, end);
}

export interface Look {
  /** The bottom lines of the screen (status and input are judged from these). */
  bottom: readonly string[];
  /** The whole screen. */
  lines: readonly string[];
}

/**
 * Whether the CLI took the paste as a submission since `before` (it submits on paste): it turned busy, or the payload's
 * echo shows and the input box is empty — or, when the box cannot be read, the CLI printed after the echo.
 */
export function submittedOnPaste(profile: SendProfile, before: Look, now: Look, payload: string): boolean {
  if (now.lines.join('\n') === before.lines.join('\n')) return false;
  const busyBefore = profile.classify(before.bottom) === 'busy';
  if (!busyBefore && profile.classify(now.bottom) === 'busy') return true;
  const end = newEnd(before.lines, now.lines, payload);
  if (end === undefined) return false;
  const input = profile.readInput(now.bottom);
  if (input !== undefined) return input === '';
  // Unreadable input of a CLI that was busy: its spinner's own changes would pass for output after the text.
  return !busyBefore && printedAfter(before.lines, now.lines, payload, end);
}

/**
 * Whether the Enter pressed on `before` was taken: the CLI turned busy; or the bottom changed and the box that held the
 * text is empty; or (box unreadable) the bottom changed in more than blank space — and, for a CLI that was already
 * busy, the payload's text (or a paste placeholder) that showed before Enter is gone.
 */
export function enterTaken(profile: SendProfile, before: readonly string[], now: readonly string[], inputBefore: string | undefined, payload: string): boolean {
  const busyBefore = profile.classify(before) === 'busy';
  if (!busyBefore && profile.classify(now) === 'busy') return true;
  if (now.join('\n') === before.join('\n')) return false;
  const input = profile.readInput(now);
  if (input !== undefined) return input === '' && inputBefore !== '';
  if (inputBefore !== undefined) return true;
  // A line break added to the input moves rows, and changes nothing else.
  if (squeeze(now.join('')) === squeeze(before.join(''))) return false;
  if (!busyBefore) return true;
  // Busy before: the spinner changes the screen by itself. Taken when what showed of the text left the bottom.
  const { first, last } = payloadEnds(payload);
  // An end too short to be the payload's own (a lone word) would be found anywhere on the screen.
  const marks = [first, last].filter((end) => end.length >= MIN_MARK_CHARS && shows(before, end));
  const placeholder = before.some((line) => PASTE_PLACEHOLDER.test(line));
  if (marks.length === 0 && !placeholder) return true;
  return marks.every((end) => !shows(now, end)) && (!placeholder || !now.some((line) => PASTE_PLACEHOLDER.test(line)));
}
