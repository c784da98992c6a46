import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatBlock } from './format-block.ts';
import { parseBlocks } from './parse-blocks.ts';
import type { Addressee, BlockHeader, MessageType } from './types.ts';

const ESC = '\u001b';
const NBSP = '\u00a0';
const RULE = '─'.repeat(60);

function header(to: Addressee, type: MessageType, id: string, extras: Record<string, unknown> = {}): BlockHeader {
  return { to, type, id, ...extras };
}
function screen(...lines: string[]): string {
  return lines.join('\n');
}
/** The message this Node's JSON.parse gives for `text`, so expectations stay exact across Node versions. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return `invalid JSON header: ${(error as Error).message}`;
  }
  throw new Error(`expected ${text} to be invalid JSON`);
}

const RESULT = header('PLANNER', 'result', 'T1-R1-k9x2m4');
const PLAN = header('EXECUTER', 'plan', 'T1-R1-abc123');
const OPEN_RESULT = '[[POLI:MSG {"to":"PLANNER","type":"result","id":"T1-R1-k9x2m4"}]]';
const OPEN_PLAN = '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1-R1-abc123"}]]';
const CLOSE = '[[/POLI:MSG]]';
const LONG_LINE = 'x'.repeat(10_000);

interface Case {
  name: string;
  screen: string;
  blocks: Array<[BlockHeader, string]>;
  rejected?: string[];
}

const cases: Case[] = [
  { name: 'plain block', screen: screen(OPEN_RESULT, 'done', CLOSE), blocks: [[RESULT, 'done']] },
  {
    name: 'prose before and after',
    screen: screen('Sure, here it is:', '', OPEN_RESULT, 'done', CLOSE, '', 'Anything else?'),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'ANSI colours and cursor sequences',
    screen: screen(
      `${ESC}[2K${ESC}[?25l${ESC}[37m●${ESC}[39m ${ESC}[1m${OPEN_RESULT}${ESC}[22m`,
      `  ${ESC}[32mall ${ESC}[1mgreen${ESC}[0m`,
      `  ${ESC}[2m${CLOSE}${ESC}[0m${ESC}[?25h`,
    ),
    blocks: [[RESULT, 'all green']],
  },
  {
    name: 'ANSI sequences splitting the tag words',
    screen: screen(`[[POLI:${ESC}[1mMSG${ESC}[0m {"to":"PLANNER",${ESC}[36m"type":"result"${ESC}[0m,"id":"T1-R1-k9x2m4"}]]`, 'ok', `[[/${ESC}[1mPOLI:MSG]]`),
    blocks: [[RESULT, 'ok']],
  },
  { name: 'CRLF line ends', screen: `${OPEN_RESULT}\r\nline 1\r\nline 2\r\n${CLOSE}\r\n`, blocks: [[RESULT, 'line 1\nline 2']] },
  { name: 'stray CR is a line break', screen: `${OPEN_RESULT}\rline 1\rline 2\r${CLOSE}`, blocks: [[RESULT, 'line 1\nline 2']] },
  {
    name: 'trailing spaces padding every line',
    screen: screen(`${OPEN_RESULT}      `, 'done   ', `${CLOSE}          `),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'trailing no-break spaces and a no-break space after the prompt marker',
    screen: screen(`❯${NBSP}${OPEN_RESULT}${NBSP}${NBSP}`, `  done${NBSP}`, `  ${CLOSE}${NBSP}`),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'Claude: ● marker, 2-space gutter, turn summary and idle prompt between rules',
    screen: screen(
      `● ${OPEN_RESULT}`,
      '  Implemented the parser.',
      '  Tests pass.',
      `  ${CLOSE}`,
      '',
      '✻ Worked for 3s',
      '',
      RULE,
      `❯${NBSP}`,
      RULE,
      '  ? for shortcuts',
    ),
    blocks: [[RESULT, 'Implemented the parser.\nTests pass.']],
  },
  {
    name: 'Claude (older): ⏺ marker',
    screen: screen(`⏺ ${OPEN_RESULT}`, '  done', `  ${CLOSE}`),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'Codex: › echo of the sent block, then • reply, footer',
    screen: screen(
      `› ${OPEN_PLAN}`,
      '  Step 1: add a test',
      `  ${CLOSE}`,
      '  Reply with exactly one block addressed to PLANNER with "type":"result" or "error" and "id":"T1-R1-abc123".',
      '',
      `• [[POLI:MSG {"to":"PLANNER","type":"result","id":"T1-R1-abc123"}]]`,
      '  Added the test.',
      `  ${CLOSE}`,
      '',
      '─ Worked for 2s • 10:42 ─────────',
      '',
      '› Ask Codex to do anything',
      '',
      '  ? for shortcuts                    100% context left',
    ),
    blocks: [
      [PLAN, 'Step 1: add a test'],
      [header('PLANNER', 'result', 'T1-R1-abc123'), 'Added the test.'],
    ],
  },
  {
    name: 'Codex: blank lines inserted before a list, • bullets kept as body',
    screen: screen(`• ${OPEN_RESULT}`, '  Done:', '', '  • one', '  • two', '', '  Bye.', `  ${CLOSE}`, 'Worked for 2s • 10:42'),
    blocks: [[RESULT, 'Done:\n\n• one\n• two\n\nBye.']],
  },
  {
    name: 'box-bordered lines with a right border',
    screen: screen(
      '╭────────────────────────────────────────────────────────────────────────╮',
      `│ ${OPEN_RESULT}     │`,
      '│ line one                                                               │',
      '│   indented                                                             │',
      '│                                                                        │',
      '│ line three                                                             │',
      `│ ${CLOSE}                                                          │`,
      '╰────────────────────────────────────────────────────────────────────────╯',
    ),
    blocks: [[RESULT, 'line one\n  indented\n\nline three']],
  },
  {
    name: 'box border with a reply marker inside and body lines that contain │',
    screen: screen(
      `  │ ● ${OPEN_RESULT}   │`,
      '  │   | a │ b |                                                       │',
      `  │   ${CLOSE}                                                    │`,
    ),
    blocks: [[RESULT, '| a │ b |']],
  },
  {
    name: 'body lines starting with │ outside a box keep it',
    screen: screen(OPEN_RESULT, '│ cell │', CLOSE),
    blocks: [[RESULT, '│ cell │']],
  },
  {
    name: 'fenced block, fences kept at column 0',
    screen: screen('```', OPEN_RESULT, 'done', CLOSE, '```'),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'Codex: fence kept, marker on the fence line',
    screen: screen('• ```', `  ${OPEN_RESULT}`, '  done', '    - kept verbatim', `  ${CLOSE}`, '  ```'),
    blocks: [[RESULT, 'done\n  - kept verbatim']],
  },
  {
    name: 'fence with a language tag',
    screen: screen('```text', OPEN_RESULT, '__init__ *a*', CLOSE, '```'),
    blocks: [[RESULT, '__init__ *a*']],
  },
  {
    name: 'Claude: fence lines vanished, block indented under a prose paragraph',
    screen: screen('● Here is my report:', '', `  ${OPEN_RESULT}`, '  # not a heading', '  __init__', `  ${CLOSE}`),
    blocks: [[RESULT, '# not a heading\n__init__']],
  },
  {
    name: 'fence lines inside the body are body',
    screen: screen('```', OPEN_RESULT, 'Run:', '```bash', 'npm test', '```', CLOSE, '```'),
    blocks: [[RESULT, 'Run:\n```bash\nnpm test\n```']],
  },
  {
    name: 'header wrapped over 2 lines inside a word',
    screen: screen('● [[POLI:MSG {"to":"EXECUTER","type":"pl', '  an","id":"T1-R1-abc123"}]]', '  go', `  ${CLOSE}`),
    blocks: [[PLAN, 'go']],
  },
  {
    name: 'header wrapped over 2 lines at a space the renderer dropped',
    screen: screen('• [[POLI:MSG {"to": "EXECUTER", "type": "plan",', '  "id": "T1-R1-abc123"}]]', '  go', `  ${CLOSE}`),
    blocks: [[PLAN, 'go']],
  },
  {
    name: 'header wrapped over 3 lines, one break inside the id',
    screen: screen('● [[POLI:MSG {"to":"PLANNER","ty', '  pe":"result","id":"T1-R', '  1-k9x2m4"}]]', '  done', `  ${CLOSE}`),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'header wrapped over 3 lines, spaces swallowed at both breaks',
    screen: screen('● [[POLI:MSG {"to": "PLANNER",', '  "type": "result",', '  "id": "T1-R1-k9x2m4"}]]', '  done', `  ${CLOSE}`),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'header wrapped right after the tag word',
    screen: screen('● [[POLI:MSG', '  {"to":"PLANNER","type":"result","id":"T1-R1-k9x2m4"}]]', '  done', `  ${CLOSE}`),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'header wrapped between the two closing brackets',
    screen: screen('[[POLI:MSG {"to":"PLANNER","type":"result","id":"T1-R1-k9x2m4"}]', ']', 'done', CLOSE),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'header wrapped inside a box',
    screen: screen('│ [[POLI:MSG {"to":"PLANNER","type":"res │', '│ ult","id":"T1-R1-k9x2m4"}]]            │', '│ done                                   │', `│ ${CLOSE}                          │`),
    blocks: [[RESULT, 'done']],
  },
  {
    name: 'a space lost at a break inside an extra string value is not restored (ids never hold spaces)',
    screen: screen('[[POLI:MSG {"to":"PLANNER","type":"result","id":"T1-R1-k9x2m4","note":"two', '  words"}]]', 'done', CLOSE),
    blocks: [[header('PLANNER', 'result', 'T1-R1-k9x2m4', { note: 'twowords' }), 'done']],
  },
  {
    name: 'author indentation deeper than the gutter is kept',
    screen: screen(`● ${OPEN_RESULT}`, '  def f():', '      return 1', '  \tx', `  ${CLOSE}`),
    blocks: [[RESULT, 'def f():\n    return 1\n\tx']],
  },
  {
    name: 'a body indented as a whole keeps that indentation when the tags are at the gutter',
    screen: screen(OPEN_RESULT, '    a', '    b', CLOSE),
    blocks: [[RESULT, '    a\n    b']],
  },
  {
    name: 'close tag less indented than the body: gutter is the common indentation',
    screen: screen(`  ${OPEN_RESULT}`, '  body', CLOSE),
    blocks: [[RESULT, '  body']],
  },
  {
    name: 'leading and trailing blank lines of the body are trimmed, inner ones kept',
    screen: screen(OPEN_RESULT, '', '', 'a', '', '', 'b', '', CLOSE),
    blocks: [[RESULT, 'a\n\n\nb']],
  },
  {
    name: 'echo of a sent block (Claude ❯) and the reply: both are returned',
    screen: screen(
      `❯${NBSP}${OPEN_PLAN}`,
      '  do it',
      `  ${CLOSE}`,
      '  Reply with exactly one block addressed to PLANNER with "type":"result" or "error" and "id":"T1-R1-abc123", inside a ``` fence.',
      '',
      `● [[POLI:MSG {"to":"PLANNER","type":"result","id":"T1-R1-abc123"}]]`,
      '  did it',
      `  ${CLOSE}`,
    ),
    blocks: [
      [PLAN, 'do it'],
      [header('PLANNER', 'result', 'T1-R1-abc123'), 'did it'],
    ],
  },
  {
    name: 'echo with the older > marker',
    screen: screen(`> ${OPEN_PLAN}`, '  do it', `  ${CLOSE}`),
    blocks: [[PLAN, 'do it']],
  },
  { name: 'incomplete block (still streaming) is neither a block nor rejected', screen: screen(`● ${OPEN_RESULT}`, '  half'), blocks: [] },
  {
    name: 'complete block followed by an incomplete one',
    screen: screen(OPEN_PLAN, 'a', CLOSE, OPEN_RESULT, 'b'),
    blocks: [[PLAN, 'a']],
  },
  {
    name: 'unterminated block then a good one',
    screen: screen(OPEN_PLAN, 'lost', OPEN_RESULT, 'kept', CLOSE),
    blocks: [[RESULT, 'kept']],
    rejected: ['unterminated: another block started'],
  },
  {
    name: 'invalid JSON header',
    screen: screen('[[POLI:MSG {to:PLANNER}]]', 'x', CLOSE),
    blocks: [],
    rejected: [jsonError('{to:PLANNER}')],
  },
  {
    name: 'text after the closing brackets: no header end found',
    screen: screen(`${OPEN_RESULT} and more`, 'x', CLOSE),
    blocks: [],
    rejected: ['invalid JSON header: no closing "}]]"'],
  },
  {
    name: 'header wrapped over more than 8 continuation lines',
    screen: screen('[[POLI:MSG {"to":', ...Array.from({ length: 8 }, () => '  '), '"PLANNER","type":"result","id":"x"}]]', 'x', CLOSE),
    blocks: [],
    rejected: ['invalid JSON header: no closing "}]]"'],
  },
  {
    name: 'missing id',
    screen: screen('[[POLI:MSG {"to":"PLANNER","type":"result"}]]', 'x', CLOSE),
    blocks: [],
    rejected: ['missing field: id'],
  },
  { name: 'missing to', screen: screen('[[POLI:MSG {"type":"result","id":"a"}]]', CLOSE), blocks: [], rejected: ['missing field: to'] },
  { name: 'missing type', screen: screen('[[POLI:MSG {"to":"PLANNER","id":"a"}]]', CLOSE), blocks: [], rejected: ['missing field: type'] },
  {
    name: 'unknown type',
    screen: screen('[[POLI:MSG {"to":"PLANNER","type":"foo","id":"a"}]]', 'x', CLOSE),
    blocks: [],
    rejected: ['unknown type: foo'],
  },
  {
    name: 'unknown addressee',
    screen: screen('[[POLI:MSG {"to":"BOB","type":"result","id":"a"}]]', 'x', CLOSE),
    blocks: [],
    rejected: ['unknown addressee: BOB'],
  },
  { name: 'empty id', screen: screen('[[POLI:MSG {"to":"PLANNER","type":"result","id":""}]]', CLOSE), blocks: [], rejected: ['empty id'] },
  {
    name: 'id that is not a string',
    screen: screen('[[POLI:MSG {"to":"PLANNER","type":"result","id":7}]]', CLOSE),
    blocks: [],
    rejected: ['invalid id: expected a string, got 7'],
  },
  {
    name: 'extra header fields are kept',
    screen: screen('[[POLI:MSG {"to":"PLANNER","type":"status","id":"a","progress":0.5,"files":["x.ts"],"meta":{"k":null}}]]', 'x', CLOSE),
    blocks: [[header('PLANNER', 'status', 'a', { progress: 0.5, files: ['x.ts'], meta: { k: null } }), 'x']],
  },
  {
    name: 'header value containing }]] and [[',
    screen: screen('[[POLI:MSG {"to":"PLANNER","type":"status","id":"a","note":"x}]] [[y"}]]', 'x', CLOSE),
    blocks: [[header('PLANNER', 'status', 'a', { note: 'x}]] [[y' }), 'x']],
  },
  {
    name: 'several blocks in order, a rejected one between them',
    screen: screen(
      '[[POLI:MSG {"to":"PLANNER","type":"status","id":"a"}]]',
      'one',
      CLOSE,
      '[[POLI:MSG {"to":"PLANNER","type":"nope","id":"a"}]]',
      CLOSE,
      '[[POLI:MSG {"to":"PLANNER","type":"status","id":"a"}]]',
      'two',
      CLOSE,
      '[[POLI:MSG {"to":"PLANNER","type":"result","id":"a"}]]',
      'three',
      CLOSE,
    ),
    blocks: [
      [header('PLANNER', 'status', 'a'), 'one'],
      [header('PLANNER', 'status', 'a'), 'two'],
      [header('PLANNER', 'result', 'a'), 'three'],
    ],
    rejected: ['unknown type: nope'],
  },
  {
    name: 'body mentioning [[POLI:MSG and [[/POLI:MSG]] inline',
    screen: screen(OPEN_RESULT, 'the tags are [[POLI:MSG {...}]] and [[/POLI:MSG]] here', 'x [[/POLI:MSG]]', CLOSE),
    blocks: [[RESULT, 'the tags are [[POLI:MSG {...}]] and [[/POLI:MSG]] here\nx [[/POLI:MSG]]']],
  },
  {
    name: 'tag lines escaped by formatBlock are body, with exactly one backslash removed',
    screen: screen(OPEN_RESULT, '\\[[POLI:MSG {"to":"PLANNER","type":"result","id":"x"}]]', '  ● \\[[/POLI:MSG]]', '\\\\[[/POLI:MSG]]', CLOSE),
    blocks: [[RESULT, '[[POLI:MSG {"to":"PLANNER","type":"result","id":"x"}]]\n  ● [[/POLI:MSG]]\n\\[[/POLI:MSG]]']],
  },
  {
    name: 'a close tag inside a fence of the body is body',
    screen: screen(OPEN_RESULT, 'line 1', '```', '[[/POLI:MSG]]', '```', 'line 5', CLOSE),
    blocks: [[RESULT, 'line 1\n```\n[[/POLI:MSG]]\n```\nline 5']],
  },
  {
    name: 'a whole example block quoted in a body (same id) is body, not the reply',
    screen: screen(OPEN_RESULT, 'before', OPEN_RESULT, 'example', CLOSE, 'after', CLOSE),
    blocks: [[RESULT, `before\n${OPEN_RESULT}\nexample\n${CLOSE}\nafter`]],
  },
  {
    name: 'a whole example block quoted in a body (another id) is body',
    screen: screen(OPEN_RESULT, 'before', '[[POLI:MSG {"to":"PLANNER","type":"result","id":"other"}]]', 'example', CLOSE, 'after', CLOSE),
    blocks: [[RESULT, 'before\n[[POLI:MSG {"to":"PLANNER","type":"result","id":"other"}]]\nexample\n[[/POLI:MSG]]\nafter']],
  },
  {
    name: 'while the outer block is unfinished, a quoted block is only provisional (left out here: see below)',
    screen: screen(OPEN_RESULT, 'before', '[[POLI:MSG {"to":"PLANNER","type":"result","id":"other"}]]', 'example', CLOSE, 'still writing'),
    blocks: [[header('PLANNER', 'result', 'other'), 'example']],
    rejected: ['unterminated: another block started'],
  },
  { name: 'near-miss tags are not tags', screen: screen('[[POLI:MS {"x":1}]]', '[[POLI:MSGX {}]]', '[[/POLI', '[[/POLI:MSG]] x', '[ [POLI:MSG {}]]'), blocks: [] },
  { name: 'a close tag without an open tag is ignored', screen: screen('● [[/POLI:MSG]]', OPEN_RESULT, 'x', `● ${CLOSE}`), blocks: [[RESULT, 'x']] },
  { name: 'empty body', screen: screen(OPEN_RESULT, CLOSE), blocks: [[RESULT, '']] },
  { name: 'empty body with blank lines', screen: screen(`● ${OPEN_RESULT}`, '', '', `  ${CLOSE}`), blocks: [[RESULT, '']] },
  {
    name: 'primer example with a placeholder id is a block (the caller filters by id)',
    screen: screen(
      'Always answer with one block like this, inside a ``` fence:',
      '```',
      '[[POLI:MSG {"to":"PLANNER","type":"result","id":"<the id you were given>"}]]',
      '<what you did>',
      CLOSE,
      '```',
    ),
    blocks: [[header('PLANNER', 'result', '<the id you were given>'), '<what you did>']],
  },
  {
    name: 'very long body lines (10,000 chars)',
    screen: screen(`● ${OPEN_RESULT}`, `  ${LONG_LINE}`, `  ${LONG_LINE}y`, `  ${CLOSE}`),
    blocks: [[RESULT, `${LONG_LINE}\n${LONG_LINE}y`]],
  },
  {
    name: 'stray control bytes are dropped',
    screen: screen(`${OPEN_RESULT}\u0007`, 'a\u0008b\u0085c\u0000', CLOSE),
    blocks: [[RESULT, 'abc']],
  },
  {
    name: 'the formatted text of a block',
    screen: formatBlock(header('EXECUTER', 'revision', 'T2-R3-zz9xx0', { reason: 'tests fail' }), 'Fix "it"\n\t$(rm -rf /)\n`x`'),
    blocks: [[header('EXECUTER', 'revision', 'T2-R3-zz9xx0', { reason: 'tests fail' }), 'Fix "it"\n\t$(rm -rf /)\n`x`']],
  },
];

describe('parseBlocks', () => {
  it('has a large table', () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
  });

  it.each(cases)('$name', ({ screen: text, blocks, rejected = [] }) => {
    const result = parseBlocks(text, { final: true });
    expect(result.blocks.map((block) => [block.header, block.body])).toEqual(blocks);
    expect(result.rejected.map((block) => block.reason)).toEqual(rejected);
  });

  it('gives the line numbers of the tags in the normalised input', () => {
    const result = parseBlocks(screen('intro', `● ${OPEN_RESULT}`, '  a', `  ${CLOSE}`, '[[POLI:MSG {"to":"PLANNER","type":"result",', '  "id":"b"}]]', CLOSE));
    expect(result.blocks.map((block) => [block.startLine, block.endLine])).toEqual([
      [1, 3],
      [4, 6],
    ]);
  });

  it('reports a rejected block with its rejoined header text and start line', () => {
    const result = parseBlocks(screen('x', '● [[POLI:MSG {"to":"PLANNER","type":"ba', '  d","id":"a"}]]', CLOSE, OPEN_PLAN, 'y', OPEN_RESULT, CLOSE), { final: true });
    expect(result.rejected).toEqual([
      { reason: 'unknown type: bad', header: '[[POLI:MSG {"to":"PLANNER","type":"bad","id":"a"}]]', startLine: 1 },
      { reason: 'unterminated: another block started', header: OPEN_PLAN, startLine: 4 },
    ]);
    expect(result.blocks.map((block) => block.body)).toEqual(['']);
  });

  it('truncates a rejected header to 200 characters', () => {
    const open = `[[POLI:MSG {"to":"PLANNER","type":"result","id":"${'i'.repeat(300)}",}]]`;
    const [rejected] = parseBlocks(screen(open, CLOSE)).rejected;
    expect(rejected?.header).toBe(open.slice(0, 200));
  });

  it('never throws on odd input', () => {
    for (const text of ['', '\u0000', '\ud800[[POLI:MSG', '[[POLI:MSG', `[[POLI:MSG\n${CLOSE}`, `${ESC}[`, '[[POLI:MSG {"to":"PLANNER","type":"result","id":"a"}]]\n\ud800\n[[/POLI:MSG]]']) {
      expect(() => parseBlocks(text)).not.toThrow();
    }
  });

  it('marks a block after an unfinished open tag provisional until the text is final', () => {
    const text = screen(OPEN_RESULT, 'before', '[[POLI:MSG {"to":"PLANNER","type":"result","id":"other"}]]', 'example', CLOSE);
    expect(parseBlocks(text).blocks.map((b) => b.provisional)).toEqual([true]);
    expect(parseBlocks(text, { final: true }).blocks.map((b) => b.provisional)).toEqual([undefined]);
  });

  it('ends a block whose body has an unbalanced fence at its close tag (a fence that never closes hides nothing)', () => {
    const text = screen(OPEN_RESULT, 'use ``` like this', '```', 'x', CLOSE);
    expect(parseBlocks(text).blocks.map((b) => b.body)).toEqual(['use ``` like this\n```\nx']);
  });

  it('does not let fences pair across blocks: an unfinished block never swallows the blocks after it', () => {
    const text = screen('[[POLI:MSG {"to":"PLANNER","type":"result","id":"t"}]]', 'half', '```', OPEN_RESULT, '```ts', 'code', '```', CLOSE);
    expect(parseBlocks(text, { final: true }).blocks.map((b) => [b.header.id, b.body])).toEqual([['T1-R1-k9x2m4', '```ts\ncode\n```']]);
  });

  // Its speed is a benchmark figure (npm run bench), never a test assertion: a loaded CI machine would fail it.
  it('finds the one block at the end of a 10,000-line screen', () => {
    const noise = Array.from({ length: 9_990 }, (_, i) => `${ESC}[2mline ${i} of some ordinary output [[ not a tag ]]${ESC}[0m   `);
    const text = screen(...noise, `● ${OPEN_RESULT}`, ...Array.from({ length: 8 }, () => '  body'), `  ${CLOSE}`);
    expect(parseBlocks(text).blocks).toHaveLength(1);
  });
});

describe('parseBlocks on captured-looking screens', () => {
  const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

  it('claude-reply.txt: fence lines vanished, prose around, prompt chrome below', () => {
    const result = parseBlocks(fixture('claude-reply.txt'));
    expect(result.rejected).toEqual([]);
    expect(result.blocks).toEqual([
      {
        header: RESULT,
        body: [
          'Added src/protocol/parse-blocks.ts and its tests.',
          '',
          'Changes:',
          '- parseBlocks(screen) returns { blocks, rejected }',
          '  - headers wrapped by the TUI are rejoined',
          '`npx vitest run src/protocol` → 58 passed',
        ].join('\n'),
        startLine: 10,
        endLine: 17,
      },
    ]);
  });

  it('codex-reply.txt: echo of the sent plan, then status, status, result inside a kept fence', () => {
    const result = parseBlocks(fixture('codex-reply.txt'));
    const id = 'T2-R1-p0q7zz';
    expect(result.rejected).toEqual([]);
    expect(result.blocks.map((block) => [block.header, block.body, block.startLine])).toEqual([
      [header('EXECUTER', 'plan', id), 'Step 1: create hello.txt containing hi\n• keep it small', 7],
      [header('PLANNER', 'status', id), 'created hello.txt', 18],
      [header('PLANNER', 'status', id, { progress: 0.5 }), 'checking contents', 21],
      [header('PLANNER', 'result', id), 'Done: hello.txt contains "hi".\n\n- cat hello.txt → hi', 24],
    ]);
  });

  it('claude-narrow-wrapped.txt: header wrapped inside the id, a second block still streaming', () => {
    const result = parseBlocks(fixture('claude-narrow-wrapped.txt'));
    expect(result).toEqual({
      blocks: [
        {
          header: header('EXECUTER', 'revision', 'T4-R3-x81kq0'),
          body: 'The test for the empty body fails: trim the trailing blank\nline before joining.\n\n  Keep everything else as is.',
          startLine: 2,
          endLine: 8,
        },
      ],
      rejected: [],
    });
  });
});
