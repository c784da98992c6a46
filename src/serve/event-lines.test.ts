import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLines, formatSse, resumeAfter, wantedLine } from './event-lines.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'poli-event-lines-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('EventLines', () => {
  it('numbers the lines from 1, holds back a partial last line, and starts over when the file is replaced', async () => {
    const file = path.join(dir, 'events.jsonl');
    const lines = new EventLines(file);
    expect(await lines.read()).toEqual([]);
    await writeFile(file, 'a\nb\nc');
    expect(await lines.read()).toEqual([{ n: 1, line: 'a' }, { n: 2, line: 'b' }]);
    await appendFile(file, 'ç\nd\n');
    expect(await lines.read()).toEqual([{ n: 3, line: 'cç' }, { n: 4, line: 'd' }]);
    expect(await lines.read()).toEqual([]);
    await writeFile(file, 'x\n');
    expect(await lines.read()).toEqual([{ n: 1, line: 'x' }]);
  });
});

describe('wantedLine, formatSse, resumeAfter', () => {
  it('skips what the client has, blank and broken lines, and other tasks\' events', () => {
    const line = (n: number, text: string) => ({ n, line: text });
    expect(wantedLine(line(3, '{"task":"T1"}'), 2, undefined)).toBe(true);
    expect(wantedLine(line(2, '{"task":"T1"}'), 2, undefined)).toBe(false);
    expect(wantedLine(line(3, '{"task":"T2"}'), 0, 'T1')).toBe(false);
    expect(wantedLine(line(3, '{"event":"start"}'), 0, 'T1')).toBe(false);
    expect(wantedLine(line(3, '{"task":"T1"}'), 0, 'T1')).toBe(true);
    for (const text of ['', '  ', '{broken', '[1]', '"x"']) expect(wantedLine(line(3, text), 0, undefined), text).toBe(false);
  });

  it('writes an event as id and data, and reads the id to resume after from the header first', () => {
    expect(formatSse({ n: 7, line: '{"a":1}' })).toBe('id: 7\ndata: {"a":1}\n\n');
    expect(resumeAfter('12', '3')).toBe(12);
    expect(resumeAfter(undefined, '3')).toBe(3);
    expect(resumeAfter(undefined, undefined)).toBe(0);
    expect(resumeAfter('x', undefined)).toBe(0);
  });
});
