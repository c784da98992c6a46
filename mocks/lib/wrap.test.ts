import { describe, expect, it } from 'vitest';
import { displayWidth, layOutWithGutter, sanitizeText, wrapLine } from './wrap.ts';

describe('wrapLine', () => {
  it.each([
    ['fits exactly', 'hello world', 11, ['hello world']],
    ['breaks at a space that falls on the edge, dropping it', 'hello world foo', 11, ['hello world', 'foo']],
    ['prefers the last space that fits', 'hello world foo', 8, ['hello', 'world', 'foo']],
    ['cuts mid-word when no space fits', 'abcdefghij', 4, ['abcd', 'efgh', 'ij']],
    ['never breaks inside the leading indentation', '    abcdefgh', 8, ['    abcd', 'efgh']],
    ['counts wide characters as two cells', '日本語テキスト', 5, ['日本', '語テ', 'キス', 'ト']],
    ['keeps an empty line', '', 10, ['']],
    ['drops only one space at a break', 'ab  cd', 3, ['ab ', 'cd']],
  ])('%s', (_name, line, width, rows) => {
    expect(wrapLine(line, width)).toEqual(rows);
  });
});

describe('layOutWithGutter', () => {
  it('wraps a block header inside its JSON like Claude Code, gutter on every row after the first', () => {
    const text = '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1-R1-abcdef"}]]\nbody\n[[/POLI:MSG]]';
    expect(layOutWithGutter(text, 30, '● ')).toEqual([
      '● [[POLI:MSG',
      '  {"to":"EXECUTER","type":"pla',
      '  n","id":"T1-R1-abcdef"}]]',
      '  body',
      '  [[/POLI:MSG]]',
    ]);
  });

  it('keeps every row within the pane width', () => {
    const text = 'word '.repeat(100);
    for (const row of layOutWithGutter(text, 37, '❯ ')) expect(displayWidth(row)).toBeLessThanOrEqual(37);
  });

  it('uses the gutter for blank lines and the prompt glyph only once', () => {
    expect(layOutWithGutter('a\n\nb', 10, '❯ ')).toEqual(['❯ a', '  ', '  b']);
  });
});

describe('sanitizeText', () => {
  it('normalises line ends, expands tabs and drops control characters', () => {
    expect(sanitizeText('a\r\nb\rc\td\x07e')).toBe('a\nb\nc    de');
  });
});
