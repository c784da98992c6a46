import { describe, expect, it } from 'vitest';
import { pointerText } from '../../src/reading/handoff.ts';
import { formatBlock } from '../../src/protocol/format-block.ts';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import {
  EXAMPLE_BODY,
  floodLine,
  formatRawBlock,
  longLine,
  messageFilePointer,
  numberedLines,
  otherId,
  quotedLines,
  quoteInMiddle,
  replyFilePieces,
} from './reply-shaping.ts';

const header = { to: 'PLANNER', type: 'result', id: 'T1-R1-abc123' } as const;

describe('quoted lines in the middle of a body', () => {
  it('--quote-close-in-fence: a ``` fence holding an unescaped close tag', () => {
    const quoted = quotedLines(header, { quoteCloseInFence: true, quoteExample: undefined });
    expect(quoteInMiddle('line 1\nline 5', quoted)).toBe('line 1\n```\n[[/POLI:MSG]]\n```\nline 5');
    // A one-line body gets a line after the quote, so the reply goes on past it.
    expect(quoteInMiddle('only', quoted).split('\n')).toEqual(['only', '```', '[[/POLI:MSG]]', '```', '(the reply goes on after the quote)']);
    expect(quoteInMiddle('a\nb\nc\nd', quoted).split('\n')).toEqual(['a', 'b', '```', '[[/POLI:MSG]]', '```', 'c', 'd']);
  });

  it('--quote-example same|other: a whole example block addressed like the reply', () => {
    expect(quotedLines(header, { quoteCloseInFence: false, quoteExample: 'same' })).toEqual([formatBlock(header, EXAMPLE_BODY)]);
    expect(quotedLines(header, { quoteCloseInFence: false, quoteExample: 'other' })).toEqual([
      formatBlock({ ...header, id: otherId(header.id) }, EXAMPLE_BODY),
    ]);
    expect(quotedLines(header, { quoteCloseInFence: false, quoteExample: undefined })).toEqual([]);
  });

  it('formatRawBlock keeps the quoted tags unescaped (formatBlock would escape them)', () => {
    const body = quoteInMiddle('x\ny', ['```', '[[/POLI:MSG]]', '```']);
    expect(formatRawBlock(header, body)).toBe(`[[POLI:MSG {"to":"PLANNER","type":"result","id":"T1-R1-abc123"}]]\n${body}\n[[/POLI:MSG]]`);
    expect(formatBlock(header, body)).toContain('\\[[/POLI:MSG]]');
  });
});

describe('--reply-lines', () => {
  it('gives exactly N numbered lines', () => {
    expect(numberedLines(2)).toBe("line 00001 of 2: the mock executer's numbered result\nline 00002 of 2: the mock executer's numbered result");
    const many = numberedLines(20_000).split('\n');
    expect(many).toHaveLength(20_000);
    expect(many[19_999]).toBe("line 20000 of 20000: the mock executer's numbered result");
  });
});

describe('--reply-file-pieces', () => {
  it('splits a block into the open tag with the first half of the body, then the rest with the close tag', () => {
    const text = formatBlock(header, 'a\nb\nc\nd\ne');
    const [first, second] = replyFilePieces(text);
    expect(first).toBe(`${text.split('\n')[0]}\na\nb\n`);
    expect(second).toBe('c\nd\ne\n[[/POLI:MSG]]\n');
    expect(parseBlocks(first).blocks).toEqual([]);
    expect(parseBlocks(first + second).blocks[0]?.body).toBe('a\nb\nc\nd\ne');
  });
});

describe('message file pointers', () => {
  it("finds the file named by poli's pointerText, the absolute path first", () => {
    const text = `${formatBlock({ to: 'EXECUTER', type: 'plan', id: 'T1-R1-aaaaaa' }, 'long')}\nReply with blocks…`;
    const block = parseBlocks(text).blocks[0];
    if (block === undefined) throw new Error('no block');
    const pointer = parseBlocks(pointerText(text, block, '/tmp/project')).blocks[0];
    expect(messageFilePointer(pointer?.body ?? '')).toBe('/tmp/project/.poli/messages/T1-R1-aaaaaa.md');
    expect(messageFilePointer('poli wrote it to the file .poli/messages/X.md somewhere')).toBe('.poli/messages/X.md');
    expect(messageFilePointer('<PLAN>\n1. do it\n</PLAN>')).toBeUndefined();
  });
});

describe('--print-rate lines', () => {
  it('are about 80 printable characters and all distinct', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => floodLine('T1-R1-abc123', i + 1));
    expect(new Set(lines).size).toBe(1000);
    for (const line of lines) expect(line.length).toBeGreaterThanOrEqual(75);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe('--long-line', () => {
  it('is exactly N characters of numbered words, with no blank at either end', () => {
    for (const n of [1, 9, 10, 300, 601]) {
      const line = longLine(n);
      expect(line).toHaveLength(n);
      expect(line).toBe(line.trim());
      expect(line).not.toContain('\n');
    }
    expect(longLine(20)).toBe('word0001 word0002 wo');
  });
});
