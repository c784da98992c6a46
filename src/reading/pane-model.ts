/**
 * A terminal model of one pane: every byte the pane's program writes (tmux control mode's `%output`) is fed into a
 * headless terminal emulator (`@xterm/headless`), so poli holds the pane's screen in memory and reads it at no tmux
 * cost, and every row that scrolls off the top of the normal screen is kept in a journal. Reading a reply then
 * costs what the CLI prints, not how often poli looks (issue "Reading that never loses a reply").
 *
 * - The journal keeps rows as they leave the screen (they can no longer change), numbered from the start of the
 *   model; a turn marks the journal's end and later reads "everything written since": the journal rows after the
 *   mark plus the current screen. Where a CLI draws (top-aligned, above a tall input area, after a clear) does not
 *   matter: the reply is found by its id (dialogue/turn.ts), not by its position.
 * - ED2 (`ESC[2J`, what Ink's clearTerminal prints) pushes the screen into the journal first, as tmux's
 *   scroll-on-clear does, so a reply on the screen when a CLI clears is not lost; ESC[3J clears only the emulator's
 *   own scrollback, never the journal.
 * - The alternate screen has no history: rows that leave it are gone (a reply taller than the screen never shows
 *   whole there; the dialogue recovers it from a reply file, the CLI's transcript or a reminder).
 * - Rows the program wrapped (xterm's `isWrapped`) are joined into one line, as `capture-pane -J` does.
 * - The emulator keeps a small scrollback of its own; the journal is plain strings, bounded by `maxJournalRows`.
 */
import xtermHeadless from '@xterm/headless';

const { Terminal } = xtermHeadless;
type XTerm = InstanceType<typeof Terminal>;
type XBufferLine = NonNullable<ReturnType<XTerm['buffer']['active']['getLine']>>;

export interface PaneModelOptions {
  cols: number;
  rows: number;
  /** Rows kept in the journal at most (older ones are dropped first; marks before them read from the oldest). */
  maxJournalRows?: number;
}

/** A position in the pane's output: the journal row count when it was taken. Only for the model that made it. */
export type ModelMark = number;

export interface ModelRead {
  /** Lines written since the mark (journal rows after it, then the screen), wrapped rows joined, trailing blanks cut. */
  lines: string[];
  /** False when rows after the mark were dropped from the journal (`maxJournalRows`) or the model was reseeded. */
  exact: boolean;
}

/** Emulator scrollback: rows are copied into the journal as they scroll, so a little is enough to read them. */
const EMULATOR_SCROLLBACK = 200;
const DEFAULT_MAX_JOURNAL_ROWS = 250_000;
const TAG_WORD = 'POLI:MSG';

interface JournalRow {
  text: string;
  /** The next row continues this one (the program wrapped here): join without a line break. */
  continues: boolean;
}

export class PaneModel {
  private term: XTerm;
  private journal: JournalRow[] = [];
  /** Number of the first row in `journal` (rows before it were dropped). */
  private first = 0;
  /** Journal rows holding the tag word, by number: what changes the replies a read can find. */
  private tagRows: number[] = [];
  /** Marks below this were taken before a reseed: their reads are not exact. */
  private reseededAt = 0;
  private pending = 0;
  private idle: (() => void)[] = [];
  private readonly maxJournalRows: number;
  /** Bumped on every write, resize and reseed: lets callers skip work when nothing changed. */
  version = 0;
  private rowsCache: { version: number; rows: JournalRow[] } | undefined;

  constructor(options: PaneModelOptions) {
    this.maxJournalRows = options.maxJournalRows ?? DEFAULT_MAX_JOURNAL_ROWS;
    this.term = this.createTerminal(options.cols, options.rows);
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /** The alternate screen is active (no history). */
  get alternate(): boolean {
    return this.term.buffer.active.type === 'alternate';
  }

  /** Feeds output of the pane's program (decoded text, escape sequences included). */
  write(data: string): void {
    if (data === '') return;
    this.pending += 1;
    this.version += 1;
    this.term.write(data, () => {
      this.pending -= 1;
      if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  /** Resolves once everything written so far has been parsed (xterm parses in slices, off the write call). */
  whenParsed(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  resize(cols: number, rows: number): void {
    if (cols === this.term.cols && rows === this.term.rows) return;
    this.version += 1;
    this.term.resize(cols, rows);
  }

  /**
   * Replaces the screen with what tmux shows (`capture-pane -p -e` rows and the cursor), keeping the journal: used
   * when the model starts late (a session poli reused) or may have drifted (output dropped by flow control, a
   * cross-check that found the screens different). Reads from marks taken before are no longer exact.
   */
  reseed(seed: { rows: readonly string[]; cursorX: number; cursorY: number; alternate: boolean; cols: number; height: number }): void {
    this.term.dispose();
    this.term = this.createTerminal(seed.cols, seed.height);
    this.reseededAt = this.mark();
    this.version += 1;
    const prefix = seed.alternate ? '\x1b[?1049h' : '';
    const body = seed.rows
      .slice(0, seed.height)
      .map((row, i) => `\x1b[${i + 1};1H${row}\x1b[0m`)
      .join('');
    this.write(`${prefix}\x1b[H\x1b[2J${body}\x1b[${seed.cursorY + 1};${seed.cursorX + 1}H`);
  }

  /** The current end of the journal. */
  mark(): ModelMark {
    return this.first + this.journal.length;
  }

  /** What was written since `mark`: the journal rows after it, then the screen (see {@link ModelRead}). */
  readSince(mark: ModelMark): ModelRead {
    const from = Math.max(mark, this.first);
    const rows = [...this.journal.slice(from - this.first), ...this.screenRows()];
    return { lines: trimTrailingBlank(joinRows(rows)), exact: from === mark && mark >= this.reseededAt };
  }

  /**
   * A cheap fingerprint of the tag lines a read from `mark` would see: when it is unchanged, so are the blocks a
   * parser finds there (body rows that stream in between tags change nothing until the close tag comes).
   */
  tagSignature(mark: ModelMark): string {
    let count = 0;
    for (let i = this.tagRows.length - 1; i >= 0 && (this.tagRows[i] ?? 0) >= mark; i -= 1) count += 1;
    const onScreen = this.screenRows()
      .filter((row) => row.text.includes(TAG_WORD))
      .map((row) => row.text);
    return `${count}\u0000${this.alternate ? 'alt' : 'normal'}\u0000${onScreen.join('\n')}`;
  }

  /** The screen's last `n` lines (wrapped rows joined), trailing blank rows dropped. */
  bottomLines(n: number): string[] {
    const lines = trimTrailingBlank(joinRows(this.screenRows()));
    return lines.slice(Math.max(0, lines.length - n));
  }

  /** The screen's rows as plain text, trailing blanks cut (to compare with `capture-pane -p`). */
  screenText(): string[] {
    return this.screenRows().map((row) => trimSpaces(row.text));
  }

  dispose(): void {
    this.term.dispose();
  }

  private createTerminal(cols: number, rows: number): XTerm {
    const term = new Terminal({
      cols: Math.max(2, cols),
      rows: Math.max(1, rows),
      scrollback: EMULATOR_SCROLLBACK,
      allowProposedApi: true,
      // ED2 pushes the screen into the scrollback (tmux's scroll-on-clear): a reply on screen survives a clear.
      scrollOnEraseInDisplay: true,
      convertEol: false,
    });
    term.onScroll(() => this.onScroll(term));
    return term;
  }

  /**
   * A row left the top of the screen. On the normal screen with a scroll region starting at the top, it went into
   * the emulator's scrollback (its last row): copy it to the journal. Scrolls inside a region lower down, and on
   * the alternate screen, keep nothing (as in a real terminal).
   */
  private onScroll(term: XTerm): void {
    if (term !== this.term || term.buffer.active.type !== 'normal') return;
    if (scrollRegionTop(term) !== 0) return;
    const buffer = term.buffer.normal;
    const line = buffer.getLine(buffer.baseY - 1);
    if (!line) return;
    const continues = buffer.getLine(buffer.baseY)?.isWrapped === true;
    const text = line.translateToString(!continues);
    if (text.includes(TAG_WORD)) this.tagRows.push(this.mark());
    this.journal.push({ text, continues });
    if (this.journal.length > this.maxJournalRows) this.dropOldest(Math.ceil(this.maxJournalRows / 10));
  }

  private dropOldest(count: number): void {
    this.journal.splice(0, count);
    this.first += count;
    while ((this.tagRows[0] ?? Infinity) < this.first) this.tagRows.shift();
  }

  /**
   * The screen's rows, read once per change of the model: a dialogue wake reads the bottom lines, the tag signature
   * and maybe the whole text, and translating 50 rows of 250 cells is the model's main cost while a CLI prints.
   */
  private screenRows(): JournalRow[] {
    const cached = this.rowsCache;
    if (cached !== undefined && cached.version === this.version && this.pending === 0) return cached.rows;
    const rows = this.readScreenRows();
    if (this.pending === 0) this.rowsCache = { version: this.version, rows };
    return rows;
  }

  private readScreenRows(): JournalRow[] {
    const buffer = this.term.buffer.active;
    const rows: JournalRow[] = [];
    for (let y = 0; y < this.term.rows; y += 1) {
      const line: XBufferLine | undefined = buffer.getLine(buffer.baseY + y);
      if (!line) continue;
      const continues = buffer.getLine(buffer.baseY + y + 1)?.isWrapped === true;
      rows.push({ text: line.translateToString(!continues), continues });
    }
    return rows;
  }
}

/**
 * The top row of the emulator's scroll region. xterm.js keeps it private; a row scrolled inside a region that does
 * not start at the top never reaches the scrollback, and must not reach the journal either. Pinned by a test
 * (pane-model.test.ts) against the installed version.
 */
function scrollRegionTop(term: XTerm): number {
  const core = (term as unknown as { _core?: { buffer?: { scrollTop?: unknown } } })._core;
  const top = core?.buffer?.scrollTop;
  return typeof top === 'number' ? top : 0;
}

function joinRows(rows: readonly JournalRow[]): string[] {
  const lines: string[] = [];
  let current = '';
  let open = false;
  for (const row of rows) {
    current += row.text;
    open = row.continues;
    if (!open) {
      lines.push(trimSpaces(current));
      current = '';
    }
  }
  if (open) lines.push(trimSpaces(current));
  return lines;
}

/** Trailing spaces only, as capture-pane does: a no-break space is text (Claude's and the mocks' prompt is `❯` + U+00A0). */
function trimSpaces(text: string): string {
  return text.replace(/ +$/, '');
}

function trimTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end -= 1;
  return end === lines.length ? lines : lines.slice(0, end);
}
