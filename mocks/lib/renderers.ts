/**
 * How the TUI puts its output on the terminal (`--draw`):
 * - classic (Claude Code's classic renderer): printed rows go into the normal screen and its scrollback; the bottom
 *   area is erased (cursor up, `ESC[J`) and redrawn under them;
 * - repaint / alt (full-screen TUIs): every frame is painted by cursor addressing, content top-aligned, the area
 *   pinned to the bottom rows, only the latest content rows shown; `alt` does it on the alternate screen.
 *   One thing repaint cannot prevent: when the pane gets narrower, tmux itself reflows the rows that no longer fit
 *   and pushes the overflow into the history before the mock can repaint (a shorter pane adds none: the cursor is
 *   parked at the top, so tmux drops bottom rows instead).
 * The TUI's state lives in tui.ts; a renderer only knows how to lay rows out and what it drew last.
 */
import { ContentLog, type RowsFn } from './content-log.ts';
import { composeFrame, gotoRow, paintFrame } from './frame.ts';
import { ESC } from './screen.ts';
import { displayWidth } from './wrap.ts';

export type { RowsFn } from './content-log.ts';

/** What Ink's clearTerminal prints: clear the screen, clear the scrollback, cursor home. */
export const CLEAR_TERMINAL = `${ESC}[2J${ESC}[3J${ESC}[H`;
export const ALT_SCREEN_ON = `${ESC}[?1049h`;
export const ALT_SCREEN_OFF = `${ESC}[?1049l`;
const SGR_SEQUENCE = /\x1b\[[0-9;]*m/g;

export interface Renderer {
  /** Bytes that set the terminal up (e.g. enter the alternate screen); written once, before anything else. */
  readonly enter: string;
  /** Prints rows above the bottom area (laid out at the current width) and redraws the area. */
  print(rows: RowsFn): void;
  /** Redraws the bottom area (spinner, input, prompt). */
  redraw(): void;
  /** Erases the rows of the last print (still on the screen) and prints `rows` in their place. */
  replaceLast(rows: RowsFn): void;
  /** Writes CLEAR_TERMINAL and forgets what was printed; a print is expected next (it brings the area back). */
  clearScreen(): void;
  resize(columns: number, rows: number): void;
  /**
   * Full-screen renderers: the bottom half of the screen (the input area and spinner with it) is painted blank for `ms`,
   * then painted again, as a TUI that redraws half its screen at a submission (others ignore it).
   */
  blankHalf(ms: number): void;
  /** Bytes that leave the terminal usable (area erased, alternate screen left). */
  leave(): string;
}

export interface RendererSetup {
  write(text: string): void;
  /** The bottom area's rows at a width. */
  area: RowsFn;
  columns: number;
  rows: number;
}

export function createRenderer(mode: 'classic' | 'repaint' | 'alt', setup: RendererSetup): Renderer {
  return mode === 'classic' ? new ClassicRenderer(setup) : new FullScreenRenderer(setup, mode === 'alt');
}

class ClassicRenderer implements Renderer {
  readonly enter = '';
  private columns: number;
  private areaRows = 0;
  /** Cell widths of the rows drawn last, to know how many rows tmux makes of them when the pane narrows. */
  private areaWidths: number[] = [];

  constructor(private readonly setup: RendererSetup) {
    this.columns = setup.columns;
  }

  /** Rows of the last print, to erase them again (replaceLast). */
  private lastPrinted = 0;

  print(rows: RowsFn): void {
    const laid = rows(this.columns);
    this.lastPrinted = laid.length;
    this.setup.write(this.eraseArea() + laid.map((row) => `${row}\n`).join('') + this.drawArea());
  }

  replaceLast(rows: RowsFn): void {
    const erase = this.eraseArea();
    const up = this.lastPrinted > 0 ? `${ESC}[${this.lastPrinted}A\r${ESC}[J` : '';
    const laid = rows(this.columns);
    this.lastPrinted = laid.length;
    this.setup.write(erase + up + laid.map((row) => `${row}\n`).join('') + this.drawArea());
  }

  redraw(): void {
    this.setup.write(this.eraseArea() + this.drawArea());
  }

  /**
   * Only clears: the print that follows draws the rows and the area. Drawing the area now would put it at the top,
   * and erasing it from there (`ESC[J` at the home position) makes tmux scroll the screen into the history
   * (`scroll-on-clear`), refilling the scrollback this was meant to empty.
   */
  clearScreen(): void {
    this.areaRows = 0;
    this.setup.write(CLEAR_TERMINAL);
  }

  resize(columns: number): void {
    if (columns === this.columns) return;
    // tmux reflows lines wider than the new width onto several rows; erase all of them.
    if (this.areaRows > 0) {
      this.areaRows = this.areaWidths.reduce((sum, width) => sum + Math.max(1, Math.ceil(width / columns)), 0);
    }
    this.columns = columns;
    this.redraw();
  }

  /** The classic renderer has no fixed frame to blank. */
  blankHalf(): void {}

  leave(): string {
    return this.eraseArea();
  }

  /** Moves to the first row of the area and clears to the end of the screen (cursor sits on its last row). */
  private eraseArea(): string {
    if (this.areaRows === 0) return '';
    const up = this.areaRows > 1 ? `${ESC}[${this.areaRows - 1}A` : '';
    this.areaRows = 0;
    return `${up}\r${ESC}[J`;
  }

  private drawArea(): string {
    const rows = this.setup.area(this.columns);
    this.areaRows = rows.length;
    this.areaWidths = rows.map((row) => displayWidth(row.replace(SGR_SEQUENCE, '')));
    return rows.join('\n');
  }
}

class FullScreenRenderer implements Renderer {
  readonly enter: string;
  private readonly content = new ContentLog();
  private columns: number;
  private rows: number;
  /** The frame on the terminal now; empty forces a repaint of every row. */
  private shown: string[] = [];
  /** While set, the bottom half of every frame is painted blank (`blankHalf`). */
  private blanking: NodeJS.Timeout | undefined;

  constructor(
    private readonly setup: RendererSetup,
    private readonly alt: boolean,
  ) {
    this.columns = setup.columns;
    this.rows = setup.rows;
    this.enter = alt ? ALT_SCREEN_ON : '';
  }

  print(rows: RowsFn): void {
    this.content.push(rows);
    this.paint();
  }

  redraw(): void {
    this.paint();
  }

  replaceLast(rows: RowsFn): void {
    this.content.replaceLast(rows);
    this.paint();
  }

  clearScreen(): void {
    this.content.clear();
    this.shown = [];
    this.setup.write(CLEAR_TERMINAL);
    this.paint();
  }

  resize(columns: number, rows: number): void {
    if (columns === this.columns && rows === this.rows) return;
    this.columns = columns;
    this.rows = rows;
    this.shown = [];
    this.paint();
  }

  leave(): string {
    clearTimeout(this.blanking);
    if (this.alt) return ALT_SCREEN_OFF;
    // Keep the content on screen, blank the area, and leave the cursor under the last content row.
    const area = this.setup.area(this.columns).length;
    const frame = composeFrame(this.content.tail(this.columns, this.rows), Array<string>(area).fill(''), this.rows);
    const last = frame.findLastIndex((row) => row !== '');
    return paintFrame(this.shown, frame) + gotoRow(Math.min(this.rows, last + 2));
  }

  blankHalf(ms: number): void {
    clearTimeout(this.blanking);
    this.blanking = setTimeout(() => {
      this.blanking = undefined;
      this.paint();
    }, ms);
    this.paint();
  }

  private paint(): void {
    const area = this.setup.area(this.columns);
    const frame = composeFrame(this.content.tail(this.columns, this.rows), area, this.rows);
    if (this.blanking !== undefined) frame.fill('', Math.floor(this.rows / 2));
    const bytes = paintFrame(this.shown, frame);
    this.shown = frame;
    if (bytes !== '') this.setup.write(bytes);
  }
}
