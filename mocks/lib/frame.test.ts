import { describe, expect, it } from 'vitest';
import { ContentLog } from './content-log.ts';
import { composeFrame, CURSOR_HOME, gotoRow, paintFrame } from './frame.ts';

describe('composeFrame', () => {
  it('top-aligns short content and pins the area to the bottom rows', () => {
    expect(composeFrame(['a', 'b'], ['rule', 'input'], 6)).toEqual(['a', 'b', '', '', 'rule', 'input']);
  });

  it('shows only the latest content rows when the content is taller than the space', () => {
    expect(composeFrame(['1', '2', '3', '4', '5'], ['area'], 3)).toEqual(['4', '5', 'area']);
  });

  it('shows the last rows of an area taller than the screen', () => {
    expect(composeFrame(['x'], ['a', 'b', 'c'], 2)).toEqual(['b', 'c']);
  });
});

describe('paintFrame', () => {
  it('paints every row by cursor addressing and erase-line, never a line feed, then parks the cursor at home', () => {
    const bytes = paintFrame([], ['top', '', 'bottom']);
    expect(bytes).toBe(`${gotoRow(1)}top${gotoRow(2)}${gotoRow(3)}bottom${CURSOR_HOME}`);
    expect(bytes).not.toContain('\n');
    expect(gotoRow(3)).toBe('\x1b[3;1H\x1b[2K');
  });

  it('repaints only the rows that changed, and nothing when none did', () => {
    expect(paintFrame(['a', 'b', 'c'], ['a', 'B', 'c'])).toBe(`${gotoRow(2)}B${CURSOR_HOME}`);
    expect(paintFrame(['a', 'b'], ['a', 'b'])).toBe('');
  });
});

describe('ContentLog', () => {
  it('lays entries out again at a new width and returns only the last rows', () => {
    const log = new ContentLog();
    let calls = 0;
    log.push(() => ['banner']);
    log.push((columns) => {
      calls++;
      return columns > 10 ? ['one long row'] : ['one long', 'row'];
    });
    expect(log.tail(20, 5)).toEqual(['banner', 'one long row']);
    expect(log.tail(20, 1)).toEqual(['one long row']);
    expect(calls).toBe(1); // cached for the width
    expect(log.tail(8, 2)).toEqual(['one long', 'row']);
    expect(calls).toBe(2);
    log.clear();
    expect(log.tail(8, 2)).toEqual([]);
  });
});
