/**
 * What a full-screen renderer has printed, kept as render functions so it can be laid out again at a new width
 * (a resize re-wraps everything). Each entry caches its rows for the width it was last laid out at, so a frame
 * costs only the rows it shows.
 */

/** Lays one printed thing out at a width, e.g. `(columns) => renderReply(text, columns)`. */
export type RowsFn = (columns: number) => string[];

interface Entry {
  render: RowsFn;
  columns: number;
  rows: string[] | undefined;
}

export class ContentLog {
  private entries: Entry[] = [];

  push(render: RowsFn): void {
    this.entries.push({ render, columns: 0, rows: undefined });
  }

  /** Replaces the last thing printed (a redraw in place); pushes when nothing was. */
  replaceLast(render: RowsFn): void {
    this.entries.pop();
    this.push(render);
  }

  clear(): void {
    this.entries = [];
  }

  /** The last `count` rows of everything printed, laid out at `columns`. */
  tail(columns: number, count: number): string[] {
    const parts: string[][] = [];
    let total = 0;
    for (let i = this.entries.length - 1; i >= 0 && total < count; i--) {
      const rows = this.rowsOf(this.entries[i] as Entry, columns);
      parts.push(rows);
      total += rows.length;
    }
    const all = parts.reverse().flat();
    return all.slice(Math.max(0, all.length - count));
  }

  private rowsOf(entry: Entry, columns: number): string[] {
    if (entry.rows === undefined || entry.columns !== columns) {
      entry.rows = entry.render(columns);
      entry.columns = columns;
    }
    return entry.rows;
  }
}
