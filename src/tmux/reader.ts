/**
 * Reading one pane's screen cheaply and incrementally.
 *
 * Position tracking rule (tmux 3.3a has no monotonic line counter; see notes/tmux-facts.md):
 * - A line's *absolute position* is `base + history_size + row`, where `row` is its screen row
 *   (history rows are negative) and `base` counts the rows tmux has trimmed off the top of the
 *   history since tracking (re)started. Scrolling moves content up by one row and adds one to
 *   history_size, so the absolute position of a line never changes while it exists.
 * - When history is full (history_size = history_limit) and one more line scrolls in, tmux drops
 *   `d = max(1, floor(limit / 10))` rows and then adds the line, so right after a trim
 *   history_size lies in [limit - d + 1, limit]. A drop of history_size between two observations
 *   that lands in that range and is smaller than `d` is one trim: `base += d`. This assumes fewer
 *   than `d` rows scrolled between two observations (5,000 with the default limit of 50,000):
 *   every snapshot/mark/read observes, so callers that poll keep it true. (With a limit below 20,
 *   d = 1 and a trim leaves history_size unchanged: such tiny limits cannot be tracked.)
 * - Height-only resizes move rows between screen and history while keeping the formula valid:
 *   no trim is inferred from them. A width change rewraps everything (history_size changes
 *   arbitrarily), an alternate-screen switch swaps the whole screen, and any other unexplained
 *   drop (clear-history, respawn) breaks the numbering: tracking restarts in a new *epoch*, and a
 *   mark from an older epoch falls back to a bounded window of the latest lines (`exact: false`).
 * Positions are a cost optimisation, not a correctness guarantee: callers must still dedupe the
 * messages they parse by identity.
 *
 * Reads are bounded: every capture starts at a computed row (`-S N`) and never at `-S -` (whole
 * history), which costs ~1.5 ms per 1,000 rows and stalls the whole tmux server (measured).
 * No `-e`: lines are plain text. `-J` joins rows that tmux wrapped, so the number of captured
 * lines is not a number of rows: positions are only ever computed from rows (cursor_y,
 * history_size), never by counting captured lines.
 */
import { tidyDumpLine } from './dump-lines.ts';
import { PaneNotFoundError } from '../errors.ts';
import { checkResult } from './runner.ts';
import type { TmuxRunner } from './types.ts';

/** What a pane looks like at one instant (one tmux call: display-message ; capture-pane). */
export interface PaneSnapshot {
  /** Captured lines, plain text, tmux-wrapped rows joined (-J): screen, plus history if asked. */
  lines: string[];
  historySize: number;
  cursorY: number;
  height: number;
  width: number;
  alternate: boolean;
  /** The pane shows a mode (copy mode): send-keys input would be swallowed. */
  inMode: boolean;
  /** The pane's program has exited (remain-on-exit keeps the pane). */
  dead: boolean;
  historyLimit: number;
  /** Absolute position of the cursor line (see the module comment). */
  absCursor: number;
  /** A mark at the cursor line, as {@link PaneReader.mark} would return. */
  mark: PaneMark;
}

/** Opaque position of a line: only pass it back to the reader that made it. */
export interface PaneMark {
  readonly epoch: number;
  readonly line: number;
}

export interface ReadResult {
  lines: string[];
  text: string;
  /** False when the result may hold lines from before the mark, or lack some after it. */
  exact: boolean;
  /** Why the result is not exact. */
  reason?: 'reset' | 'trimmed' | 'truncated' | 'unstable';
}

/** The numbers tracking needs, as display-message reports them. */
export interface PaneGeometry {
  historySize: number;
  cursorY: number;
  height: number;
  width: number;
  alternate: boolean;
  historyLimit: number;
}

// #{pane_id} first: display-message -t %gone exits 0 and prints the format with empty fields
// (measured), so a missing pane is recognised by the id not coming back.
const STATE_FORMAT =
  '#{pane_id} #{history_size} #{cursor_y} #{pane_height} #{pane_width} #{alternate_on} #{pane_in_mode} #{pane_dead} #{history_limit}';
const DEFAULT_MAX_LINES = 5000;
/** Re-reads when the pane scrolled between planning a read and doing it (see readSinceDetailed). */
const READ_ATTEMPTS = 3;

/** Pure position bookkeeping for one pane, fed with every observation (see the module comment). */
export class PositionTracker {
  epoch = 0;
  base = 0;
  last: PaneGeometry | undefined;

  observe(geometry: PaneGeometry): void {
    const last = this.last;
    this.last = geometry;
    if (last === undefined) return;
    if (geometry.width !== last.width || geometry.alternate !== last.alternate) return this.restart();
    if (geometry.height !== last.height) return;
    if (geometry.historySize >= last.historySize) return;
    const drop = Math.max(1, Math.floor(geometry.historyLimit / 10));
    const afterTrim = geometry.historySize >= geometry.historyLimit - drop + 1;
    if (afterTrim && last.historySize - geometry.historySize < drop) {
      this.base += drop;
      return;
    }
    this.restart();
  }

  /** Absolute position of a screen row (negative rows are history) in the last observation. */
  absolute(row: number): number {
    return this.base + (this.last?.historySize ?? 0) + row;
  }

  /** Screen row of an absolute position in the last observation. */
  row(line: number): number {
    return line - this.base - (this.last?.historySize ?? 0);
  }

  restart(): void {
    this.epoch += 1;
    this.base = 0;
  }
}

/** Reads one pane, addressed by `%id`, through the injected runner. */
export class PaneReader {
  readonly paneId: string;
  private readonly run: TmuxRunner;
  private readonly tracker = new PositionTracker();

  constructor(run: TmuxRunner, paneId: string) {
    this.run = run;
    this.paneId = paneId;
  }

  /** The screen (plus `historyLines` rows of history) and the pane state, in one tmux call. */
  async snapshot(options: { historyLines?: number } = {}): Promise<PaneSnapshot> {
    return this.capture(-Math.max(0, Math.floor(options.historyLines ?? 0)));
  }

  /**
   * Marks the current cursor line, or `linesAbove` rows above it; {@link readSince} returns the
   * text from there on.
   *
   * TUIs that redraw an input area at the bottom (Claude Code, Codex, poli's mocks) keep the
   * cursor on the area's *last* row, and print new output from the area's *first* row after
   * erasing it (mocks/lib/tui.ts eraseArea). A mark at the cursor would miss the first rows of
   * that output: mark such panes with `linesAbove` ≥ the area's height (the extra old lines are
   * harmless, callers dedupe by identity).
   */
  async mark(options: { linesAbove?: number } = {}): Promise<PaneMark> {
    const args = ['display-message', '-p', '-t', this.paneId, STATE_FORMAT];
    const result = checkResult(args, await this.run(args), this.paneId);
    const geometry = parseState(result.stdout.split('\n')[0] ?? '', this.paneId);
    this.tracker.observe(geometry);
    const row = Math.max(-geometry.historySize, geometry.cursorY - Math.max(0, options.linesAbove ?? 0));
    return { epoch: this.tracker.epoch, line: this.tracker.absolute(row) };
  }

  /** The text from the marked line (inclusive) to the bottom of the screen, trailing blank lines dropped. */
  async readSince(mark: PaneMark, options: { maxLines?: number } = {}): Promise<string> {
    return (await this.readSinceDetailed(mark, options)).text;
  }

  /**
   * Like {@link readSince}, with whether the result is exact. At most `maxLines` rows are read
   * (the latest ones). One tmux call normally: the capture starts at the row computed from the
   * previous observation, and the state printed in the same call tells whether the pane scrolled
   * meanwhile (then the start was late by that many rows: plan again). If it keeps scrolling, the
   * last attempt starts earlier by twice the drift seen, so it errs towards extra old lines
   * (callers dedupe) rather than missing new ones.
   */
  async readSinceDetailed(mark: PaneMark, options: { maxLines?: number } = {}): Promise<ReadResult> {
    const maxLines = Math.max(1, options.maxLines ?? DEFAULT_MAX_LINES);
    if (this.tracker.last === undefined) await this.mark();
    let drift = 0;
    for (let attempt = 1; ; attempt += 1) {
      const last = attempt === READ_ATTEMPTS;
      const plan = this.plan(mark, maxLines, last ? 2 * drift : 0);
      const snapshot = await this.capture(plan.start);
      const replan = this.plan(mark, maxLines, 0);
      const lines = trimTrailingBlank(snapshot.lines);
      const result = (exact: boolean, reason: ReadResult['reason']): ReadResult => ({
        lines,
        text: lines.join('\n'),
        exact,
        ...(reason === undefined ? {} : { reason }),
      });
      if (replan.start === plan.start) return result(plan.exact, plan.reason);
      if (last) return result(false, 'unstable');
      drift = Math.max(drift, plan.start - replan.start);
    }
  }

  /** The last `n` lines of the pane, trailing blank rows dropped (from history when the screen has fewer). */
  async bottomLines(n: number): Promise<string[]> {
    const snapshot = await this.snapshot({ historyLines: n });
    return bottomOf(snapshot.lines, n);
  }

  /**
   * The last non-blank lines as one string for error messages; never throws. tmux's own
   * `Pane is dead (…)` row is left out (the caller reports the exit), and blank rows too: a
   * 50-row screen of a program that died at start is mostly empty.
   */
  async lastLines(n = 15): Promise<string> {
    try {
      const snapshot = await this.snapshot({ historyLines: n * 4 });
      // Rules cut to a terminal's width: a 250-column pane's rules wrap into blocks of dashes in an error message.
      const said = snapshot.lines.filter((line) => line.trim() !== '' && !/^Pane is dead \(/.test(line)).map(tidyDumpLine);
      return said.slice(Math.max(0, said.length - n)).join('\n');
    } catch (error) {
      return `(could not read pane ${this.paneId}: ${error instanceof Error ? error.message : String(error)})`;
    }
  }

  /** Forgets all positions (after respawn-pane, clear-history): older marks read a window. */
  reset(): void {
    this.tracker.restart();
    this.tracker.last = undefined;
  }

  private plan(mark: PaneMark, maxLines: number, slack: number): { start: number; exact: boolean; reason?: ReadResult['reason'] } {
    const last = this.tracker.last;
    if (last === undefined) throw new Error('bug: PaneReader.plan before any observation');
    const oldest = -last.historySize;
    const window = Math.max(oldest, last.height - maxLines);
    // The alternate screen has no history of its own: the screen is all there is.
    if (last.alternate) return { start: 0, exact: false, reason: 'reset' };
    if (mark.epoch !== this.tracker.epoch) return { start: window, exact: false, reason: 'reset' };
    const row = Math.min(this.tracker.row(mark.line), last.height - 1) - slack;
    if (row < oldest) return { start: window, exact: false, reason: 'trimmed' };
    if (row < window) return { start: window, exact: false, reason: 'truncated' };
    return { start: row, exact: true };
  }

  /** display-message ; capture-pane -S start — one call, so state and lines match exactly. */
  private async capture(start: number): Promise<PaneSnapshot> {
    const args = [
      'display-message', '-p', '-t', this.paneId, STATE_FORMAT, ';',
      'capture-pane', '-p', '-J', '-t', this.paneId, '-S', String(start),
    ];
    const result = checkResult(args, await this.run(args), this.paneId);
    const newline = result.stdout.indexOf('\n');
    const stateLine = newline === -1 ? result.stdout : result.stdout.slice(0, newline);
    const body = newline === -1 ? '' : result.stdout.slice(newline + 1);
    const geometry = parseState(stateLine, this.paneId);
    this.tracker.observe(geometry);
    const lines = body === '' ? [] : body.replace(/\n$/, '').split('\n');
    const fields = stateLine.split(' ');
    const absCursor = this.tracker.absolute(geometry.cursorY);
    return {
      ...geometry,
      lines,
      inMode: fields[6] === '1',
      dead: fields[7] === '1',
      absCursor,
      mark: { epoch: this.tracker.epoch, line: absCursor },
    };
  }
}

/** The last `n` lines after dropping trailing blank ones (blank rows below a TUI's content). */
export function bottomOf(lines: readonly string[], n: number): string[] {
  const trimmed = trimTrailingBlank(lines);
  return trimmed.slice(Math.max(0, trimmed.length - n));
}

function trimTrailingBlank(lines: readonly string[]): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end -= 1;
  return lines.slice(0, end);
}

function parseState(line: string, paneId: string): PaneGeometry {
  const [id, ...fields] = line.split(' ');
  if (id !== paneId) throw new PaneNotFoundError(paneId);
  const numbers = fields.map(Number);
  const [historySize, cursorY, height, width, alternate, , , historyLimit] = numbers;
  if (
    fields.length !== 8 ||
    numbers.some((value) => !Number.isInteger(value)) ||
    historySize === undefined || cursorY === undefined || height === undefined || width === undefined ||
    alternate === undefined || historyLimit === undefined
  ) {
    throw new Error(`bug: unexpected pane state from tmux for ${paneId}: ${JSON.stringify(line)}`);
  }
  return { historySize, cursorY, height, width, alternate: alternate === 1, historyLimit };
}
