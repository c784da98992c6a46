/**
 * PaneReader against a real tmux pane running `tail -f FILE`: the test appends lines to FILE
 * and checks that readSince returns exactly them, across history trims, resizes and the
 * alternate screen, and below 100,000 rows of history.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaneReader } from '../../src/tmux/reader.ts';
import { createSandbox, defaultSocketPath, waitFor, type Sandbox } from '../helpers/tmux-sandbox.ts';

let sandbox: Sandbox;
let dir: string;
let files = 0;

interface TailPane {
  paneId: string;
  reader: PaneReader;
  /** Appends raw text to the file `tail -f` shows. */
  write(text: string): Promise<void>;
  /** Appends lines and waits until the last one is on the screen. */
  print(lines: string[]): Promise<void>;
}

async function startTail(options: { historyLimit?: number; width?: number; height?: number } = {}): Promise<TailPane> {
  files += 1;
  const file = join(dir, `out-${files}.txt`);
  await writeFile(file, '');
  const paneId = await sandbox.newPane(`exec tail -n +1 -f '${file}'`, options);
  // A separate reader waits for output, so the reader under test observes only when the test says.
  const watcher = new PaneReader(sandbox.run, paneId);
  const write = (text: string) => appendFile(file, text);
  return {
    paneId,
    reader: new PaneReader(sandbox.run, paneId),
    write,
    async print(lines) {
      await write(lines.map((line) => `${line}\n`).join(''));
      const last = lines.at(-1) ?? '';
      await waitFor(
        async () => ((await watcher.bottomLines(3)).at(-1) === last ? true : undefined),
        async () => `"${last}" never reached the bottom of ${paneId}:\n${await watcher.lastLines()}`,
      );
    },
  };
}

const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);

beforeAll(async () => {
  sandbox = createSandbox();
  dir = await mkdtemp(join(tmpdir(), 'poli-reader-'));
});

afterAll(async () => {
  await sandbox.cleanup();
  expect(existsSync(defaultSocketPath(sandbox.socket))).toBe(false);
  await rm(dir, { recursive: true, force: true });
});

describe('PaneReader on a real pane', () => {
  it('returns exactly the new lines, read after read, while the history is trimmed', async () => {
    // history-limit 1000: tmux drops 100 rows whenever the history is full.
    const pane = await startTail({ historyLimit: 1000 });
    await pane.print(numbered('fill', 1100));
    const first = await pane.reader.snapshot();
    expect(first.historyLimit).toBe(1000);
    const longMark = await pane.reader.mark();
    const sizes: number[] = [];
    const all: string[] = [];
    for (let round = 1; round <= 12; round += 1) {
      const mark = await pane.reader.mark();
      const lines = numbered(`round${round}`, 37);
      await pane.print(lines);
      all.push(...lines);
      const result = await pane.reader.readSinceDetailed(mark);
      expect(result).toEqual({ lines, text: lines.join('\n'), exact: true });
      sizes.push((await pane.reader.snapshot()).historySize);
    }
    // The history really was trimmed on the way (history_size went down).
    expect(sizes.some((size, i) => i > 0 && size < (sizes[i - 1] ?? 0))).toBe(true);
    // A mark held across several trims still finds its line.
    const held = await pane.reader.readSinceDetailed(longMark);
    expect(held).toEqual({ lines: all, text: all.join('\n'), exact: true });
  });

  it('keeps positions across a height change and falls back to a window after a width change', async () => {
    const pane = await startTail({ height: 50 });
    await pane.print(numbered('before', 80));
    let mark = await pane.reader.mark();
    await sandbox.run(['resize-window', '-t', pane.paneId, '-y', '40']);
    await pane.print(numbered('shorter', 5));
    await sandbox.run(['resize-window', '-t', pane.paneId, '-y', '60']);
    await pane.print(numbered('taller', 5));
    expect(await pane.reader.readSinceDetailed(mark)).toEqual({
      lines: [...numbered('shorter', 5), ...numbered('taller', 5)],
      text: [...numbered('shorter', 5), ...numbered('taller', 5)].join('\n'),
      exact: true,
    });

    mark = await pane.reader.mark();
    await sandbox.run(['resize-window', '-t', pane.paneId, '-x', '180']);
    await pane.print(numbered('narrow', 5));
    const after = await pane.reader.readSinceDetailed(mark, { maxLines: 100 });
    expect(after.exact).toBe(false);
    expect(after.reason).toBe('reset');
    expect(after.lines.slice(-5)).toEqual(numbered('narrow', 5));
    expect(after.lines.length).toBeLessThanOrEqual(100);

    mark = await pane.reader.mark();
    await pane.print(numbered('tracked', 3));
    expect(await pane.reader.readSince(mark)).toBe(numbered('tracked', 3).join('\n'));
  });

  it('reads the alternate screen as a window and tracks again after leaving it', async () => {
    const pane = await startTail();
    await pane.print(numbered('normal', 10));
    const mark = await pane.reader.mark();
    await pane.write('\x1b[?1049h\x1b[H\x1b[2J');
    await pane.print(['ALT screen line 1', 'ALT screen line 2']);
    const alternate = await pane.reader.readSinceDetailed(mark);
    expect(alternate).toEqual({
      lines: ['ALT screen line 1', 'ALT screen line 2'],
      text: 'ALT screen line 1\nALT screen line 2',
      exact: false,
      reason: 'reset',
    });
    expect((await pane.reader.snapshot()).alternate).toBe(true);

    await pane.write('\x1b[?1049l');
    await waitFor(async () => ((await pane.reader.snapshot()).alternate ? undefined : true), () => 'alternate screen stayed on');
    const back = await pane.reader.mark();
    await pane.print(numbered('back', 4));
    expect(await pane.reader.readSinceDetailed(back)).toEqual({
      lines: numbered('back', 4),
      text: numbered('back', 4).join('\n'),
      exact: true,
    });
  });

  // What a read costs at 0, 10k and 100k rows of history is a figure of `npm run bench` (4.), never timed here: a
  // loaded machine slows the 100,000 rows tmux must take in, not what poli does with them. This checks the behaviour:
  // deep history changes nothing in what readSince returns.
  it('reads exactly the lines after its mark below 100,000 rows of history', { timeout: 180_000 }, async () => {
    const full = await startTail({ historyLimit: 200_000 });
    await full.print(numbered('history', 100_050));
    const state = await full.reader.snapshot();
    expect(state.historySize).toBeGreaterThanOrEqual(100_000);
    const mark = await full.reader.mark();
    await full.print(numbered('after', 4));
    expect(await full.reader.readSinceDetailed(mark)).toEqual({
      lines: numbered('after', 4),
      text: numbered('after', 4).join('\n'),
      exact: true,
    });
  });
});

describe('PaneReader.lastLines in a 250-column pane', () => {
  it('cuts a TUI\'s full-width rules to 80 columns for the error message, text unchanged', async () => {
    const pane = await startTail({ width: 250, height: 20 });
    await pane.print(['─'.repeat(250), '> half-typed message', '─'.repeat(250), 'end']);
    expect(await pane.reader.lastLines(4)).toBe(['─'.repeat(80), '> half-typed message', '─'.repeat(80), 'end'].join('\n'));
  });
});
