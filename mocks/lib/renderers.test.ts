import { describe, expect, it } from 'vitest';
import { ALT_SCREEN_OFF, ALT_SCREEN_ON, CLEAR_TERMINAL, createRenderer } from './renderers.ts';

const setUp = (mode: 'classic' | 'repaint' | 'alt', rows = 6) => {
  const out: string[] = [];
  const renderer = createRenderer(mode, {
    write: (text) => out.push(text),
    area: (columns) => ['─'.repeat(columns - 1), '❯\u00a0', 'footer'],
    columns: 10,
    rows,
  });
  return { out, renderer };
};

describe('classic renderer', () => {
  it('prints rows with line feeds, then erases the area (up, CR, ESC[J) before the next print', () => {
    const { out, renderer } = setUp('classic');
    renderer.print(() => ['a', 'b']);
    renderer.print(() => ['c']);
    expect(out).toEqual(['a\nb\n─────────\n❯\u00a0\nfooter', '\x1b[2A\r\x1b[Jc\n─────────\n❯\u00a0\nfooter']);
  });

  it('--clear-before-reply: clears only; the next print starts at the top without erasing an area there', () => {
    const { out, renderer } = setUp('classic');
    renderer.print(() => ['a']);
    renderer.clearScreen();
    renderer.print(() => ['reply']);
    expect(out.slice(1)).toEqual([CLEAR_TERMINAL, 'reply\n─────────\n❯\u00a0\nfooter']);
  });
});

describe('full-screen renderers', () => {
  it('repaint: never writes a line feed, shows the latest rows, and repaints all rows after a resize', () => {
    const { out, renderer } = setUp('repaint', 5);
    expect(renderer.enter).toBe('');
    for (let i = 1; i <= 6; i++) renderer.print(() => [`row ${i}`]);
    expect(out.join('')).not.toContain('\n');
    expect(out.at(-1)).toBe('\x1b[1;1H\x1b[2Krow 5\x1b[2;1H\x1b[2Krow 6\x1b[1;1H');
    renderer.redraw();
    expect(out).toHaveLength(6); // nothing changed, nothing written
    renderer.resize(8, 5);
    expect(out.at(-1)).toBe(
      '\x1b[1;1H\x1b[2Krow 5\x1b[2;1H\x1b[2Krow 6\x1b[3;1H\x1b[2K───────\x1b[4;1H\x1b[2K❯\u00a0\x1b[5;1H\x1b[2Kfooter\x1b[1;1H',
    );
  });

  it('alt: enters and leaves the alternate screen; a clear forgets the content', () => {
    const { out, renderer } = setUp('alt', 5);
    expect(renderer.enter).toBe(ALT_SCREEN_ON);
    renderer.print(() => ['old']);
    renderer.clearScreen();
    expect(out.at(-2)).toBe(CLEAR_TERMINAL);
    expect(out.at(-1)).not.toContain('old');
    expect(renderer.leave()).toBe(ALT_SCREEN_OFF);
  });

  it('repaint: leaving keeps the content and blanks the area', () => {
    const { renderer } = setUp('repaint', 5);
    renderer.print(() => ['kept']);
    const bytes = renderer.leave();
    expect(bytes).toContain('\x1b[3;1H\x1b[2K\x1b[4;1H\x1b[2K\x1b[5;1H\x1b[2K');
    expect(bytes).not.toContain('kept');
    expect(bytes).not.toContain('\n');
  });
});
