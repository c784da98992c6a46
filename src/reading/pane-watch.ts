/**
 * Keeps a {@link PaneModel} of one pane in step with tmux: seeds it from a capture of the pane and feeds it every
 * `%output` of the pane after that capture. Output that arrives before the capture's reply is already on the captured
 * screen and is dropped; output after it is applied: tmux delivers notifications and replies in one ordered stream,
 * and the capture's `onReply` hook runs at the reply itself (TmuxRunOptions.onReply), so the split is exact.
 *
 * When output may have been lost (`%pause` under flow control) or the screen rewrapped (a layout change: resize),
 * the model is resized and reseeded the same way; rows already journaled stay. {@link crossCheck} compares the
 * model's screen with tmux's own and reseeds on a difference: capture-pane stays the reference.
 *
 * Only in control mode: with a polling client there is no output stream, and the session reads the pane by capture.
 */
import { PaneModel } from './pane-model.ts';
import type { TmuxClient } from '../tmux/client.ts';
import type { TmuxResult } from '../tmux/types.ts';

export interface PaneWatchOptions {
  client: Pick<TmuxClient, 'run' | 'onOutput' | 'onResync' | 'onStop'>;
  paneId: string;
  maxJournalRows?: number;
  debug?(message: string): void;
}

const SEED_FORMAT = '#{pane_id} #{pane_width} #{pane_height} #{cursor_x} #{cursor_y} #{alternate_on}';

export class PaneWatch {
  readonly model: PaneModel;
  /** Output is applied only once the first seed arrived (before it, the capture will hold it). */
  private seeded = false;
  /** A reseed is on its way: output until its reply is on the captured screen. */
  private seeding = false;
  private readonly off: (() => void)[] = [];
  /** Counts resyncs from layout changes (resizes): a reply drawn across one may be damaged. */
  resizes = 0;
  /**
   * False once control mode stopped: no output reaches the model any more (a person's `tmux attach -d` detached
   * poli's client), so its screen is stale and readers must capture the pane instead (and start a new watch).
   */
  live = true;

  private constructor(private readonly options: PaneWatchOptions) {
    this.model = new PaneModel({ cols: 250, rows: 50, ...(options.maxJournalRows ? { maxJournalRows: options.maxJournalRows } : {}) });
    this.off.push(
      options.client.onOutput((paneId, text) => {
        if (paneId !== options.paneId || !this.seeded || this.seeding) return;
        this.model.write(text);
      }),
      options.client.onResync((paneId) => {
        if (paneId !== undefined && paneId !== options.paneId) return;
        if (paneId === undefined) this.resizes += 1;
        void this.seed().catch((error: unknown) => options.debug?.(`could not resync the model of ${options.paneId}: ${String(error)}`));
      }),
      options.client.onStop?.(() => {
        this.live = false;
      }) ?? (() => undefined),
    );
  }

  /** Starts watching `paneId` (the client must already be in control mode) and seeds the model from tmux. */
  static async start(options: PaneWatchOptions): Promise<PaneWatch> {
    const watch = new PaneWatch(options);
    await watch.seed();
    return watch;
  }

  /**
   * Compares the model's screen with tmux's; on a difference, reseeds the model (rows already journaled stay).
   * Returns true when they agreed.
   */
  async crossCheck(): Promise<boolean> {
    await this.model.whenParsed();
    const mine = this.model.screenText();
    const result = await this.options.client.run(['capture-pane', '-p', '-t', this.options.paneId]);
    if (result.exitCode !== 0) return true;
    const theirs = result.stdout.replace(/\n$/, '').split('\n').map((line) => line.replace(/ +$/, ''));
    if (sameScreen(mine, theirs)) return true;
    this.options.debug?.(`the model of ${this.options.paneId} differed from tmux's screen; reseeding it`);
    await this.seed();
    return false;
  }

  stop(): void {
    for (const off of this.off.splice(0)) off();
    this.model.dispose();
  }

  /** One tmux call: the pane's geometry and screen (with attributes), applied at the reply (see the module comment). */
  private async seed(): Promise<void> {
    this.seeding = true;
    const args = ['display-message', '-p', '-t', this.options.paneId, SEED_FORMAT, ';', 'capture-pane', '-p', '-e', '-t', this.options.paneId];
    try {
      await this.options.client.run(args, { onReply: (result) => this.applySeed(result) });
    } finally {
      this.seeding = false;
    }
  }

  private applySeed(result: TmuxResult): void {
    if (result.exitCode !== 0) return;
    const newline = result.stdout.indexOf('\n');
    const [id, width, height, cursorX, cursorY, alternate] = result.stdout.slice(0, newline).split(' ');
    if (id !== this.options.paneId) return;
    const rows = result.stdout.slice(newline + 1).replace(/\n$/, '').split('\n');
    this.model.reseed({
      rows,
      cols: Number(width),
      height: Number(height),
      cursorX: Number(cursorX),
      cursorY: Number(cursorY),
      alternate: alternate === '1',
    });
    this.seeded = true;
    // Output after this reply is not on the captured screen: let it through from here on.
    this.seeding = false;
  }
}

/** Screens compare equal ignoring trailing blank rows (capture-pane leaves out nothing, the model trims). */
function sameScreen(a: readonly string[], b: readonly string[]): boolean {
  const trim = (rows: readonly string[]) => {
    let end = rows.length;
    while (end > 0 && rows[end - 1] === '') end -= 1;
    return rows.slice(0, end);
  };
  const x = trim(a);
  const y = trim(b);
  return x.length === y.length && x.every((row, i) => row === y[i]);
}
