import { describe, expect, it } from 'vitest';
import { KeyParser, type KeyEvent } from './keys.ts';

function feedAll(chunks: readonly string[]): KeyEvent[] {
  const parser = new KeyParser();
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

describe('KeyParser', () => {
  it('reads typed text, Enter, Backspace, Ctrl+C and Ctrl+D', () => {
    expect(feedAll(['ab\x7fc\r\x03\x04'])).toEqual([
      { kind: 'text', text: 'ab' },
      { kind: 'backspace' },
      { kind: 'text', text: 'c' },
      { kind: 'enter' },
      { kind: 'ctrl-c' },
      { kind: 'ctrl-d' },
    ]);
  });

  it('reads a bracketed paste split anywhere across chunks, markers included', () => {
    expect(feedAll(['\x1b[20', '0~line1\r\nli', 'ne2\x1b[2', '01', '~\r'])).toEqual([
      { kind: 'paste', text: 'line1\nline2' },
      { kind: 'enter' },
    ]);
  });

  it('keeps an Enter inside a paste as part of the text', () => {
    expect(feedAll(['\x1b[200~a\rb\x1b[201~'])).toEqual([{ kind: 'paste', text: 'a\nb' }]);
  });

  it('holds a lone ESC until flushed, then reports Escape', () => {
    const parser = new KeyParser();
    expect(parser.feed('\x1b')).toEqual([]);
    expect(parser.hasPendingEscape).toBe(true);
    expect(parser.flush()).toEqual([{ kind: 'escape' }]);
  });

  it('reads arrow keys and ignores other sequences', () => {
    expect(feedAll(['\x1b[A\x1bOB\x1b[1;5C'])).toEqual([
      { kind: 'up' },
      { kind: 'down' },
      { kind: 'ignored', sequence: '\x1b[1;5C' },
    ]);
  });
});
