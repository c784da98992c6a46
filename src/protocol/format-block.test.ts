import { describe, expect, it } from 'vitest';
import { blockKey, cleanBody, formatBlock, newMessageId, randomIdSuffix, sanitizeBody } from './format-block.ts';
import { parseBlocks } from './parse-blocks.ts';
import type { Block, BlockHeader } from './types.ts';

const RESULT: BlockHeader = { to: 'PLANNER', type: 'result', id: 'T1-R1-k9x2m4' };

describe('formatBlock', () => {
  it('produces the canonical text', () => {
    expect(formatBlock(RESULT, 'done\n  - detail')).toBe(
      '[[POLI:MSG {"to":"PLANNER","type":"result","id":"T1-R1-k9x2m4"}]]\ndone\n  - detail\n[[/POLI:MSG]]',
    );
  });

  it('writes to, type, id first, then the extra fields in their order', () => {
    const header: BlockHeader = { note: 'n', id: 'a', progress: 0.5, type: 'status', to: 'PLANNER' };
    expect(formatBlock(header, 'x')).toBe(
      '[[POLI:MSG {"to":"PLANNER","type":"status","id":"a","note":"n","progress":0.5}]]\nx\n[[/POLI:MSG]]',
    );
  });

  it('formats an empty body as one blank line', () => {
    expect(formatBlock(RESULT, '')).toBe('[[POLI:MSG {"to":"PLANNER","type":"result","id":"T1-R1-k9x2m4"}]]\n\n[[/POLI:MSG]]');
  });

  it('escapes header characters a screen would lose or read as a tag', () => {
    const header: BlockHeader = { ...RESULT, note: 'a[[/POLI:MSG]]\u0085\u2028"\n' };
    expect(formatBlock(header, 'x').split('\n')[0]).toBe(
      '[[POLI:MSG {"to":"PLANNER","type":"result","id":"T1-R1-k9x2m4","note":"a\\u005b\\u005b/POLI:MSG]]\\u0085\\u2028\\"\\n"}]]',
    );
  });

  it.each([
    ['CRLF and CR become LF', 'a\r\nb\rc', 'a\nb\nc'],
    ['ESC and other C0/C1 controls go, TAB stays', '\u001b[31mred\u001b[0m\u0007\u0000\u0085\u009b\tx', '[31mred[0m\tx'],
    ['trailing blanks of each line go', 'a  \nb\t\u00a0\nc', 'a\nb\nc'],
    ['leading and trailing blank lines go', '\n\n  \na\n\nb\n\n', 'a\n\nb'],
    ['an open tag line gets a backslash', '[[POLI:MSG {"to":"PLANNER"}]]', '\\[[POLI:MSG {"to":"PLANNER"}]]'],
    ['a close tag line gets a backslash', '[[/POLI:MSG]]', '\\[[/POLI:MSG]]'],
    ['an indented tag line keeps its indentation', '   [[/POLI:MSG]]', '   \\[[/POLI:MSG]]'],
    ['a tab-indented tag line', '\t[[POLI:MSG', '\t\\[[POLI:MSG'],
    ['a tag line behind a reply marker', '● [[/POLI:MSG]]', '● \\[[/POLI:MSG]]'],
    ['a tag line behind a box border', '│ › [[POLI:MSG {}]] │', '│ › \\[[POLI:MSG {}]] │'],
    ['a tag-like line that is not a full tag', '[[POLI:MSGX and [[/POLI:MSG]] x', '\\[[POLI:MSGX and [[/POLI:MSG]] x'],
    ['inline tags stay', 'see [[POLI:MSG {}]] and [[/POLI:MSG]]', 'see [[POLI:MSG {}]] and [[/POLI:MSG]]'],
    ['an escaped line gets one more backslash', '\\[[POLI:MSG', '\\\\[[POLI:MSG'],
  ])('sanitises the body: %s', (_name, body, expected) => {
    expect(sanitizeBody(body)).toBe(expected);
    expect(formatBlock(RESULT, body)).toBe(`${formatBlock(RESULT, '').split('\n')[0]}\n${expected}\n[[/POLI:MSG]]`);
  });

  const trickyBodies: Array<[string, string]> = [
    ['quotes', `He said "hi" and 'bye' \\"escaped\\"`],
    ['shell substitutions', 'run $(rm -rf ~) and ${HOME} and `whoami`'],
    ['backticks and fences', '```ts\nconst a = `x`;\n```'],
    ['emoji and ZWJ sequences', '👩‍👩‍👧‍👦 family 🏳️‍🌈 flag, é, 中文, \u200d alone'],
    ['Markdown-looking text', '__init__ *a* _b_ # not a heading\n> quote'],
    ['leading - and /', '- item\n/help\n-- double'],
    ['tabs and indentation', '\tdef f():\n\t\treturn 1\n    spaced'],
    ['a whole block as body', '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"x"}]]\ninner\n[[/POLI:MSG]]'],
    ['decorated tags as body', '● [[POLI:MSG {"to":"PLANNER","type":"result","id":"x"}]]\n  ● [[/POLI:MSG]]\n› [[/POLI:MSG]]'],
    ['blank lines inside', 'a\n\n\nb'],
    ['JSON', '{"to":"PLANNER","type":"result","id":"x"}]]'],
    ['control bytes and CRs', 'a\u0000b\r\nc\u001b[1md\u009b'],
    ['a very long line', 'y'.repeat(10_000)],
    ['only blanks', ' \n\t\n'],
  ];

  it.each(trickyBodies)('round-trips through parseBlocks: %s', (_name, body) => {
    const header: BlockHeader = { to: 'EXECUTER', type: 'plan', id: 'T9-R9-zz0000', note: 'a "b" [[c]] 😀' };
    const { blocks, rejected } = parseBlocks(formatBlock(header, body));
    expect(rejected).toEqual([]);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.header).toEqual(header);
    expect(blocks[0]?.body).toBe(cleanBody(body));
  });

  it('round-trips a Claude-rendered block (● marker, 2-space gutter)', () => {
    const body = '  indented\n\tTab\n[[/POLI:MSG]]';
    const rendered = formatBlock(RESULT, body)
      .split('\n')
      .map((line, i) => (i === 0 ? `● ${line}` : `  ${line}`))
      .join('\n');
    expect(parseBlocks(rendered).blocks.map((block) => block.body)).toEqual([cleanBody(body)]);
  });
});

describe('newMessageId', () => {
  it('joins task, round and the random suffix', () => {
    expect(newMessageId(3, 2, () => 'k9x2m4')).toBe('T3-R2-k9x2m4');
  });

  it('uses 6 random base36 characters by default', () => {
    const ids = Array.from({ length: 200 }, () => newMessageId(1, 1));
    for (const id of ids) expect(id).toMatch(/^T1-R1-[0-9a-z]{6}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws every base36 character', () => {
    const seen = new Set(Array.from({ length: 400 }, () => randomIdSuffix()).join(''));
    expect(seen.size).toBe(36);
  });

  it.each([
    [-1, 1, 'newMessageId: task must be a non-negative integer, got -1'],
    [1, 1.5, 'newMessageId: round must be a non-negative integer, got 1.5'],
    [Number.NaN, 1, 'newMessageId: task must be a non-negative integer, got NaN'],
  ])('refuses task %s, round %s', (task, round, message) => {
    expect(() => newMessageId(task, round)).toThrow(new RangeError(message));
  });
});

describe('blockKey', () => {
  const block = (header: BlockHeader, body: string, startLine = 0): Block => ({ header, body, startLine, endLine: startLine + 2 });

  it('is id, type, addressee and the sha1 of the body (as `printf done | sha1sum`)', () => {
    expect(blockKey(block(RESULT, 'done'))).toBe(
      '["T1-R1-k9x2m4","result","PLANNER","e5fd9cfe0e8039111d54b588e77b2bb0cad41c3a"]',
    );
  });

  it('ignores where the block was seen and extra header fields', () => {
    expect(blockKey(block({ ...RESULT, note: 'x' }, 'done', 40))).toBe(blockKey(block(RESULT, 'done')));
  });

  it('differs when the body, type or addressee differ', () => {
    const keys = [
      blockKey(block(RESULT, 'done')),
      blockKey(block(RESULT, 'done!')),
      blockKey(block({ ...RESULT, type: 'error' }, 'done')),
      blockKey(block({ ...RESULT, to: 'ORCHESTRATOR' }, 'done')),
    ];
    expect(new Set(keys).size).toBe(4);
  });
});
