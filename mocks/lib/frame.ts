/**
 * Pure pieces of the full-screen renderers (`--draw repaint|alt`): which rows a frame shows, and the bytes that turn
 * the previous frame into the next one by cursor addressing only. No line feed is ever written, so nothing scrolls
 * and nothing reaches tmux's scrollback. Neither `ESC[2J` nor `ESC[J` from the top is used either: with tmux's
 * `scroll-on-clear` (on by default) clearing the whole screen pushes it into the history.
 */
import { ESC } from './screen.ts';

/** Move to row `row` (1-based), column 1, and erase that row. */
export function gotoRow(row: number): string {
  return `${ESC}[${row};1H${ESC}[2K`;
}

/** Parking the cursor at the top left means a pane that gets shorter drops bottom rows instead of scrolling them into history. */
export const CURSOR_HOME = `${ESC}[1;1H`;

/**
 * The rows of a screen `height` rows tall: the latest content rows top-aligned above the bottom area, blank rows in
 * between; when the area alone is taller than the screen, its last rows.
 */
export function composeFrame(content: readonly string[], area: readonly string[], height: number): string[] {
  const rows = Math.max(1, height);
  if (area.length >= rows) return area.slice(area.length - rows);
  const space = rows - area.length;
  const shown = content.slice(Math.max(0, content.length - space));
  return [...shown, ...Array<string>(space - shown.length).fill(''), ...area];
}

/** The bytes that repaint every row of `next` that differs from `previous` (all rows when `previous` is empty), cursor parked at home. */
export function paintFrame(previous: readonly string[], next: readonly string[]): string {
  let out = '';
  for (let i = 0; i < next.length; i++) {
    if (previous.length === next.length && previous[i] === next[i]) continue;
    out += gotoRow(i + 1) + (next[i] ?? '');
  }
  return out === '' ? '' : out + CURSOR_HOME;
}
