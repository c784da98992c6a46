import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PaneChannel } from '../reading/channel.ts';
import { REPLY_FILE_SETTLE_MS, withHandoff } from './handoff.ts';
import { formatBlock } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';

const ID = 'T1-R1-k9x2m4';
const EXPECT = `Reply with blocks addressed to PLANNER with "id":"${ID}": one "type":"result".`;

/** An in-memory pane: records what was submitted, shows `screen` after the mark. */
function fakePane() {
  const submitted: string[] = [];
  const pane = { screen: '', submitted };
  const channel: PaneChannel = {
    role: 'EXECUTER',
    paneId: '%1',
    mark: async () => 'mark',
    submit: async (text) => {
      submitted.push(text);
    },
    readSince: async () => pane.screen,
    screenState: async () => 'idle',
    lastLines: async () => '',
  };
  return { pane, channel };
}

async function setup(fileThreshold = 2048) {
  const projectDir = await mkdtemp(path.join(tmpdir(), 'poli-handoff-'));
  const { pane, channel } = fakePane();
  const clock = { ms: 0 };
  return { projectDir, pane, clock, channel: withHandoff(channel, { projectDir, fileThreshold, now: () => clock.ms }) };
}

const message = (body: string) => `${formatBlock({ to: 'EXECUTER', type: 'plan', id: ID }, body)}\n${EXPECT}`;
const reply = (body: string, type: 'status' | 'result' = 'result') => formatBlock({ to: 'PLANNER', type, id: ID }, body);

describe('withHandoff: long messages', () => {
  it('types a short message as it is and writes no file', async () => {
    const { projectDir, pane, channel } = await setup();
    await channel.mark();
    await channel.submit(message('short plan'));
    expect(pane.submitted).toEqual([message('short plan')]);
    expect(await readdir(projectDir)).toEqual([]);
  });

  it('hands a message over the threshold in .poli/messages/<id>.md and types a pointer with the same header', async () => {
    const { projectDir, pane, channel } = await setup();
    const body = 'x'.repeat(3000);
    await channel.mark();
    await channel.submit(message(body));
    const file = path.join(projectDir, '.poli', 'messages', `${ID}.md`);
    expect(await readFile(file, 'utf8')).toBe(`${message(body)}\n`);
    // Nothing of poli's is written for git inside the project (project-files.ts uses .git/info/exclude).
    expect(await readdir(path.join(projectDir, '.poli'))).toEqual(['messages', 'replies']);
    const [typed = ''] = pane.submitted;
    expect(Buffer.byteLength(typed)).toBeLessThan(800);
    const [pointer] = parseBlocks(typed).blocks;
    expect(pointer?.header).toEqual({ to: 'EXECUTER', type: 'plan', id: ID });
    expect(pointer?.body).toContain(`.poli/messages/${ID}.md`);
    expect(pointer?.body).toContain(file);
    expect(typed.endsWith(`\n[[/POLI:MSG]]\n${EXPECT}`)).toBe(true);
  });

  it('counts bytes, not characters', async () => {
    const { pane, channel } = await setup(300);
    await channel.mark();
    await channel.submit(message('é'.repeat(140))); // 140 characters, 280 bytes, plus header and expect line
    expect(pane.submitted[0]).not.toContain('é');
  });

  it('types a primer or reminder (no leading block) as it is, however long', async () => {
    const { pane, channel } = await setup(256);
    const primer = `You are the PLANNER.\n${'rule\n'.repeat(100)}${reply('example')}`;
    await channel.submit(primer);
    expect(pane.submitted).toEqual([primer]);
  });
});

describe('withHandoff: reply files', () => {
  async function withReplyFile(content: string, name = `${ID}.md`) {
    const ctx = await setup();
    await ctx.channel.mark();
    await ctx.channel.submit(message('plan'));
    const dir = path.join(ctx.projectDir, '.poli', 'replies');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, name), content);
    return { ...ctx, dir };
  }

  it('puts the blocks of <id>.md in front of the screen text, byte-exact, once the file has stopped changing', async () => {
    const body = '# heading\n__init__ *a* _b_ `code`\n  - indented';
    const { channel, pane, dir, clock } = await withReplyFile(`\`\`\`\n${reply(body)}\n\`\`\`\n`);
    pane.screen = '● I wrote my reply to the file.';
    expect(await channel.readSince('mark')).toBe(pane.screen); // first look: may still be written
    clock.ms += REPLY_FILE_SETTLE_MS - 1;
    expect(await channel.readSince('mark')).toBe(pane.screen);
    clock.ms += 1;
    const taken = await channel.readSince('mark');
    expect(taken).toBe(`${reply(body)}\n● I wrote my reply to the file.`);
    expect(parseBlocks(taken).blocks.map((b) => b.body)).toEqual([body]);
    // Never removed during the turn: only the next turn (or the task's end) clears it.
    expect(await readdir(dir)).toEqual([`${ID}.md`]);
    expect(await channel.readSince('mark')).toBe(taken);
  });

  it('waits for a file written in two pieces 1.5 s apart, and takes the whole reply', async () => {
    const whole = reply('part one\npart two');
    const cut = whole.indexOf('part two');
    const { channel, pane, dir, clock } = await withReplyFile(whole.slice(0, cut));
    pane.screen = 'screen';
    expect(await channel.readSince('mark')).toBe('screen');
    clock.ms += 1_500;
    await writeFile(path.join(dir, `${ID}.md`), whole);
    expect(await channel.readSince('mark')).toBe('screen');
    clock.ms += REPLY_FILE_SETTLE_MS;
    expect(parseBlocks(await channel.readSince('mark')).blocks.map((b) => b.body)).toEqual(['part one\npart two']);
  });

  it('ignores files of other ids and half-written blocks', async () => {
    const { channel, pane, dir } = await withReplyFile(`[[POLI:MSG {"to":"PLANNER","type":"result","id":"${ID}"}]]\nhalf`);
    await writeFile(path.join(dir, 'T1-R0-aaaaaa.md'), formatBlock({ to: 'PLANNER', type: 'result', id: 'T1-R0-aaaaaa' }, 'old'));
    pane.screen = 'screen';
    expect(await channel.readSince('mark')).toBe('screen');
    expect(await channel.readSince('mark')).toBe('screen');
    expect((await readdir(dir)).sort()).toEqual(['T1-R0-aaaaaa.md', `${ID}.md`]);
  });

  it('takes <id>-status.md too, and does not repeat a block the screen already shows', async () => {
    const { channel, pane, clock } = await withReplyFile(reply('working', 'status'), `${ID}-status.md`);
    pane.screen = `\`\`\`\n${reply('working', 'status')}\n\`\`\``;
    await channel.readSince('mark');
    clock.ms += REPLY_FILE_SETTLE_MS;
    expect(parseBlocks(await channel.readSince('mark')).blocks).toHaveLength(1);
  });

  it('forgets a turn’s files at the next mark and removes what the previous turn left', async () => {
    const { channel, pane, dir, clock } = await withReplyFile(reply('done'));
    pane.screen = 'screen';
    await channel.readSince('mark');
    clock.ms += REPLY_FILE_SETTLE_MS;
    expect(await channel.readSince('mark')).toContain('done');
    await channel.mark();
    expect(await readdir(dir)).toEqual([]);
    expect(await channel.readSince('mark')).toBe('screen');
  });

  it('a reply file being written or written wins over a complete block the screen shows of it (cat folded like Codex)', async () => {
    const body = Array.from({ length: 14 }, (_, i) => `line ${i + 1}`).join('\n');
    const whole = reply(body).split('\n');
    const fold = [...whole.slice(0, 2), '… +12 lines', ...whole.slice(-2)].map((line) => `  ${line}`).join('\n');
    const { channel, pane, clock } = await withReplyFile(`${reply(body)}\n`);
    const echo = message('plan');
    pane.screen = `${echo}\n● Ran cat .poli/replies/${ID}.md\n${fold}`;
    const first = parseBlocks(await channel.readSince('mark'), { final: true }).blocks;
    // Being written (not settled yet): the fold is not offered as the reply; poli's own echo stays.
    expect(first.map((b) => b.header.to)).toEqual(['EXECUTER']);
    clock.ms += REPLY_FILE_SETTLE_MS;
    const taken = parseBlocks(await channel.readSince('mark'), { final: true }).blocks.filter((b) => b.header.to === 'PLANNER');
    expect(taken.map((b) => b.body)).toEqual([body]);
    expect(channel.origin?.(taken[0] ?? first[0]!)).toBe('file');
  });
});

describe('withHandoff: the channel of a block the transcript holds (issue 18, item 6)', () => {
  async function withRecovery(transcriptBodies: readonly string[]) {
    const projectDir = await mkdtemp(path.join(tmpdir(), 'poli-handoff-'));
    const { pane, channel: inner } = fakePane();
    // The screen as it is (nothing to rewrite); the transcript holds the blocks with these bodies.
    const recovery = {
      begin: async () => undefined,
      rewrite: async (screen: string) => screen,
      confirms: (block: { header: { id: string }; body: string }) => block.header.id === ID && transcriptBodies.includes(block.body),
    };
    const channel = withHandoff(inner, { projectDir, fileThreshold: 2048, now: () => 0, recovery });
    await channel.mark();
    return { pane, channel };
  }

  it('a body the screen showed just as the transcript has it came through the transcript', async () => {
    const { pane, channel } = await withRecovery(['working on it']);
    pane.screen = reply('working on it', 'status');
    const [block] = parseBlocks(await channel.readSince('mark')).blocks;
    expect(block && channel.origin?.(block)).toBe('transcript');
  });

  it('a body the transcript does not hold is the screen’s', async () => {
    const { pane, channel } = await withRecovery(['another body']);
    pane.screen = reply('working on it', 'status');
    const [block] = parseBlocks(await channel.readSince('mark')).blocks;
    expect(block && channel.origin?.(block)).toBeUndefined();
  });
});
