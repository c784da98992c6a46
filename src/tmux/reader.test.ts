import { describe, expect, it } from 'vitest';
import { PaneNotFoundError, TmuxServerGoneError } from '../errors.ts';
import { createFakeRunner } from '../../test/helpers/tmux-sandbox.ts';
import { bottomOf, PaneReader, PositionTracker, type PaneGeometry } from './reader.ts';

const FORMAT =
  '#{pane_id} #{history_size} #{cursor_y} #{pane_height} #{pane_width} #{alternate_on} #{pane_in_mode} #{pane_dead} #{history_limit}';

interface FakePane {
  historySize: number;
  cursorY: number;
  height: number;
  width: number;
  alternate: boolean;
  inMode?: boolean;
  limit: number;
  /** What capture-pane prints, by start row. */
  capture: (start: number) => string[];
}

function paneRunner(pane: FakePane, paneId = '%3') {
  return createFakeRunner((args) => {
    const state = `${paneId} ${pane.historySize} ${pane.cursorY} ${pane.height} ${pane.width} ${pane.alternate ? 1 : 0} ${pane.inMode === true ? 1 : 0} 0 ${pane.limit}\n`;
    const startIndex = args.indexOf('-S');
    if (startIndex === -1) return { stdout: state };
    const lines = pane.capture(Number(args[startIndex + 1]));
    return { stdout: state + lines.map((line) => `${line}\n`).join('') };
  });
}

const geometry = (historySize: number, extra: Partial<PaneGeometry> = {}): PaneGeometry => ({
  historySize,
  cursorY: 10,
  height: 50,
  width: 250,
  alternate: false,
  historyLimit: 1000,
  ...extra,
});

describe('PaneReader.snapshot', () => {
  it('reads state and lines in one tmux call with ";" as its own argument', async () => {
    const pane: FakePane = { historySize: 7, cursorY: 2, height: 50, width: 250, alternate: false, limit: 50000, capture: () => ['a', 'b', '', ''] };
    const run = paneRunner(pane);
    const snapshot = await new PaneReader(run, '%3').snapshot();
    expect(run.calls.map((call) => call.args)).toEqual([
      ['display-message', '-p', '-t', '%3', FORMAT, ';', 'capture-pane', '-p', '-J', '-t', '%3', '-S', '0'],
    ]);
    expect(snapshot).toMatchObject({
      lines: ['a', 'b', '', ''],
      historySize: 7,
      cursorY: 2,
      height: 50,
      width: 250,
      alternate: false,
      inMode: false,
      dead: false,
      absCursor: 9,
    });
  });

  it('asks for history rows with a negative -S, never "-S -"', async () => {
    const pane: FakePane = { historySize: 100, cursorY: 49, height: 50, width: 250, alternate: false, limit: 50000, capture: () => [] };
    const run = paneRunner(pane);
    await new PaneReader(run, '%3').snapshot({ historyLines: 20 });
    expect(run.calls[0]?.args.slice(-2)).toEqual(['-S', '-20']);
  });

  it('maps a vanished pane to PaneNotFoundError and a dead server to TmuxServerGoneError', async () => {
    const gonePane = createFakeRunner(() => ({ stdout: '          \n', stderr: "can't find pane: %3", exitCode: 1 }));
    await expect(new PaneReader(gonePane, '%3').snapshot()).rejects.toBeInstanceOf(PaneNotFoundError);
    // display-message alone exits 0 with empty fields for a missing pane (measured).
    const emptyFields = createFakeRunner(() => ({ stdout: '        \n' }));
    await expect(new PaneReader(emptyFields, '%3').mark()).rejects.toBeInstanceOf(PaneNotFoundError);
    const goneServer = createFakeRunner(() => ({ stderr: 'no server running on /tmp/tmux-0/poli-x\n', exitCode: 1 }));
    await expect(new PaneReader(goneServer, '%3').snapshot()).rejects.toThrow(
      new TmuxServerGoneError('poli-x', 'no server running on /tmp/tmux-0/poli-x'),
    );
  });
});

describe('PaneReader.readSince', () => {
  it('captures from the marked row, bounded, and drops trailing blank lines', async () => {
    const pane: FakePane = { historySize: 0, cursorY: 5, height: 50, width: 250, alternate: false, limit: 50000, capture: () => ['x', 'new 1', 'new 2', '', '  '] };
    const run = paneRunner(pane);
    const reader = new PaneReader(run, '%3');
    const mark = await reader.mark();
    pane.historySize = 30;
    pane.cursorY = 49;
    // The read is planned from the last observation (history 0); the state in the same call
    // shows 30 rows scrolled in, so it reads again from the corrected row.
    const result = await reader.readSinceDetailed(mark);
    const starts = run.calls.filter((call) => call.args.includes('-S')).map((call) => call.args.at(-1));
    expect(starts).toEqual(['5', '-25']);
    expect(result).toEqual({ lines: ['x', 'new 1', 'new 2'], text: 'x\nnew 1\nnew 2', exact: true });
  });

  it('can mark rows above the cursor, for TUIs that redraw an input area below their output', async () => {
    const pane: FakePane = { historySize: 2, cursorY: 10, height: 50, width: 250, alternate: false, limit: 50000, capture: () => ['x'] };
    const run = paneRunner(pane);
    const reader = new PaneReader(run, '%3');
    const mark = await reader.mark({ linesAbove: 3 });
    await reader.readSince(mark);
    expect(run.calls.at(-1)?.args.at(-1)).toBe('7');
    // Never above the top of the history.
    await reader.readSince(await reader.mark({ linesAbove: 100 }));
    expect(run.calls.at(-1)?.args.at(-1)).toBe('-2');
  });

  it('needs one call when nothing scrolled since the last observation', async () => {
    const pane: FakePane = { historySize: 200, cursorY: 49, height: 50, width: 250, alternate: false, limit: 50000, capture: () => ['only'] };
    const run = paneRunner(pane);
    const reader = new PaneReader(run, '%3');
    const mark = await reader.mark();
    run.calls.length = 0;
    expect(await reader.readSince(mark)).toBe('only');
    expect(run.calls).toHaveLength(1);
    expect(run.calls[0]?.args.at(-1)).toBe('49');
  });

  it('reads only the latest maxLines rows of a long span', async () => {
    const pane: FakePane = { historySize: 0, cursorY: 0, height: 50, width: 250, alternate: false, limit: 50000, capture: () => ['tail'] };
    const run = paneRunner(pane);
    const reader = new PaneReader(run, '%3');
    const mark = await reader.mark();
    pane.historySize = 40_000;
    await reader.snapshot();
    const result = await reader.readSinceDetailed(mark, { maxLines: 100 });
    expect(run.calls.at(-1)?.args.at(-1)).toBe('-50');
    expect(result.exact).toBe(false);
    expect(result.reason).toBe('truncated');
  });

  it('falls back to a bounded window after a width change', async () => {
    const pane: FakePane = { historySize: 10_000, cursorY: 20, height: 50, width: 250, alternate: false, limit: 50000, capture: () => ['w'] };
    const run = paneRunner(pane);
    const reader = new PaneReader(run, '%3');
    const mark = await reader.mark();
    pane.width = 200;
    pane.historySize = 12_000;
    const result = await reader.readSinceDetailed(mark, { maxLines: 300 });
    expect(result.reason).toBe('reset');
    expect(result.exact).toBe(false);
    expect(run.calls.at(-1)?.args.at(-1)).toBe('-250');
  });

  it('reads the screen only while the alternate screen is on', async () => {
    const pane: FakePane = { historySize: 500, cursorY: 20, height: 50, width: 250, alternate: false, limit: 50000, capture: () => ['full screen app'] };
    const run = paneRunner(pane);
    const reader = new PaneReader(run, '%3');
    const mark = await reader.mark();
    pane.alternate = true;
    const result = await reader.readSinceDetailed(mark);
    expect(run.calls.at(-1)?.args.at(-1)).toBe('0');
    expect(result).toMatchObject({ text: 'full screen app', exact: false, reason: 'reset' });
  });
});

describe('PositionTracker', () => {
  it('counts a history trim of limit/10 rows', () => {
    const tracker = new PositionTracker();
    tracker.observe(geometry(995));
    const line = tracker.absolute(10);
    // 20 rows scrolled in: at 1000 tmux dropped 100, so 995 + 20 - 100 = 915.
    tracker.observe(geometry(915));
    expect(tracker.base).toBe(100);
    expect(tracker.row(line)).toBe(10 - 20);
    expect(tracker.epoch).toBe(0);
  });

  it('rounds the trim size down (limit 35 drops 3 rows)', () => {
    const tracker = new PositionTracker();
    tracker.observe(geometry(35, { historyLimit: 35 }));
    tracker.observe(geometry(34, { historyLimit: 35 }));
    expect(tracker.base).toBe(3);
    // 31 is below 35 - 3 + 1: no trim leaves that little, so the numbering is lost.
    tracker.observe(geometry(31, { historyLimit: 35 }));
    expect(tracker.epoch).toBe(1);
  });

  it('restarts on a drop that no trim explains (clear-history, respawn)', () => {
    const tracker = new PositionTracker();
    tracker.observe(geometry(400));
    tracker.observe(geometry(0));
    expect(tracker.epoch).toBe(1);
    expect(tracker.base).toBe(0);
  });

  it('keeps positions across a height-only resize and restarts on width or alternate changes', () => {
    const tracker = new PositionTracker();
    tracker.observe(geometry(400));
    tracker.observe(geometry(390, { height: 60 }));
    expect(tracker.epoch).toBe(0);
    expect(tracker.base).toBe(0);
    tracker.observe(geometry(500, { height: 60, width: 120 }));
    expect(tracker.epoch).toBe(1);
    tracker.observe(geometry(500, { height: 60, width: 120, alternate: true }));
    expect(tracker.epoch).toBe(2);
  });
});

describe('bottomOf', () => {
  it('takes the last lines after trailing blank ones', () => {
    expect(bottomOf(['a', 'b', 'c', '', ' '], 2)).toEqual(['b', 'c']);
    expect(bottomOf(['', ''], 3)).toEqual([]);
  });
});
