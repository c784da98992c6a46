import { describe, expect, it } from 'vitest';
import { formatBlock } from '../protocol/format-block.ts';
import { endWithoutStart } from './unseen-start.ts';

const block = (id: string, body = 'body'): string => formatBlock({ to: 'PLANNER', type: 'result', id }, body);
const tail = (id: string): string => block(id, 'line 1\nline 2\nline 3').split('\n').slice(3).join('\n');

describe('endWithoutStart', () => {
  it('a screen that shows only the end of a block (its open tag scrolled away)', () => {
    expect(tail('T1-R1-a')).toBe('line 3\n[[/POLI:MSG]]');
    expect(endWithoutStart(`● Working\n${tail('T1-R1-a')}\n✻ Worked for 1s\n❯ `)).toBe(true);
  });

  it('complete blocks, before or around the end, do not pair with it', () => {
    expect(endWithoutStart(`${block('T1-R1-a')}\n${tail('T1-R1-a')}`)).toBe(true);
  });

  it('no tags, a complete block, or a complete block after the orphan end: not this case', () => {
    expect(endWithoutStart('nothing here\n❯ ')).toBe(false);
    expect(endWithoutStart(block('T1-R1-a'))).toBe(false);
    expect(endWithoutStart(`${tail('T1-R0-z')}\n${block('T1-R1-a')}`)).toBe(false);
  });

  it('a close tag quoted in a fence inside a complete block is part of that block', () => {
    const quoting = formatBlock({ to: 'PLANNER', type: 'result', id: 'x' }, 'a\n```\n[[/POLI:MSG]]\n```\nb');
    expect(endWithoutStart(quoting)).toBe(false);
  });

  it('an unfinished block (open tag, no end yet) is not an end without a start', () => {
    expect(endWithoutStart(`[[POLI:MSG {"to":"PLANNER","type":"result","id":"x"}]]\nstreaming`)).toBe(false);
  });
});
