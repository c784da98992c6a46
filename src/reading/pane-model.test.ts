import { describe, expect, it } from 'vitest';
import { PaneModel } from './pane-model.ts';

const ESC = '\x1b';

async function model(text: string, cols = 20, rows = 5): Promise<PaneModel> {
  const m = new PaneModel({ cols, rows });
  m.write(text);
  await m.whenParsed();
  return m;
}

describe('PaneModel', () => {
  it('keeps every row that scrolls off the screen, and reads all lines written since a mark', async () => {
    const m = new PaneModel({ cols: 20, rows: 5 });
    m.write('old 1\r\nold 2\r\n');
    await m.whenParsed();
    const mark = m.mark();
    m.write(Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\r\n'));
    await m.whenParsed();
    const read = m.readSince(mark);
    expect(read.exact).toBe(true);
    // The rows already scrolled away before the mark stay out; rows on the screen at the mark are in.
    expect(read.lines[0]).toBe('old 1');
    expect(read.lines.slice(-500)).toEqual(Array.from({ length: 500 }, (_, i) => `line ${i}`));
  });

  it('joins rows the program wrapped, also across the journal and the screen', async () => {
    const long = 'abcdefghij'.repeat(5);
    const m = await model(`x\r\n${long}\r\ntail`, 20, 3);
    expect(m.readSince(0).lines).toEqual(['x', long, 'tail']);
  });

  it('keeps a trailing space at a wrap point', async () => {
    const text = `${'a'.repeat(19)} b`;
    const m = await model(text, 20, 3);
    expect(m.readSince(0).lines).toEqual([text]);
  });

  it('keeps what was on the screen when the program clears it (ESC[2J ESC[3J ESC[H, as Ink does)', async () => {
    const m = new PaneModel({ cols: 30, rows: 5 });
    const mark = m.mark();
    m.write('reply line 1\r\nreply line 2\r\n');
    m.write(`${ESC}[2J${ESC}[3J${ESC}[H`);
    m.write('after the clear');
    await m.whenParsed();
    expect(m.readSince(mark).lines.filter((l) => l !== '')).toEqual(['reply line 1', 'reply line 2', 'after the clear']);
  });

  it('reads the alternate screen as it is, and keeps nothing that leaves it', async () => {
    const m = new PaneModel({ cols: 20, rows: 3 });
    const mark = m.mark();
    m.write(`${ESC}[?1049h`);
    m.write('a\r\nb\r\nc\r\nd');
    await m.whenParsed();
    expect(m.alternate).toBe(true);
    expect(m.readSince(mark).lines).toEqual(['b', 'c', 'd']);
  });

  it('does not journal rows scrolled inside a region below the top (a TUI scrolling its own content area)', async () => {
    const m = new PaneModel({ cols: 20, rows: 5 });
    m.write('header\r\n1\r\n2\r\n3\r\nfooter');
    m.write(`${ESC}[2;4r${ESC}[4;1H\n${ESC}[4;1Hnew`);
    await m.whenParsed();
    expect(m.readSince(0).lines).toEqual(['header', '2', '3', 'new', 'footer']);
  });

  it('reads a screen drawn by cursor addressing (a full-screen TUI) wherever the text is', async () => {
    const m = new PaneModel({ cols: 30, rows: 6 });
    const mark = m.mark();
    m.write(`${ESC}[1;1Htop-aligned reply${ESC}[5;1H────${ESC}[6;1H❯ input`);
    await m.whenParsed();
    expect(m.readSince(mark).lines).toEqual(['top-aligned reply', '', '', '', '────', '❯ input']);
    expect(m.bottomLines(2)).toEqual(['────', '❯ input']);
  });

  it('changes its tag signature only when a line with a tag appears, moves or changes', async () => {
    const m = new PaneModel({ cols: 40, rows: 4 });
    const mark = m.mark();
    const before = m.tagSignature(mark);
    m.write('plain output\r\n');
    await m.whenParsed();
    expect(m.tagSignature(mark)).toBe(before);
    m.write('[[POLI:MSG {"id":"a"}]]\r\n');
    await m.whenParsed();
    const withTag = m.tagSignature(mark);
    expect(withTag).not.toBe(before);
    m.write('body\r\n');
    await m.whenParsed();
    expect(m.tagSignature(mark)).toBe(withTag);
  });

  it('reseeds the screen from a capture and keeps the journal', async () => {
    const m = await model('a\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng', 20, 3);
    m.reseed({ rows: ['X', 'Y', 'Z'], cursorX: 1, cursorY: 2, alternate: false, cols: 20, height: 3 });
    await m.whenParsed();
    expect(m.screenText()).toEqual(['X', 'Y', 'Z']);
    expect(m.readSince(0).lines.slice(0, 4)).toEqual(['a', 'b', 'c', 'd']);
  });
});
