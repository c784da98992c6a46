/**
 * Reply-side switches in real tmux: byte-exact long results (`--reply-lines`, checked against `--sent-file`), a
 * quoted close tag, `--clear-before-reply`, `--restart-at` and the reminder, `--reply-file-pieces`, poli's message
 * files, the `--print-rate` flood, and the `--animate-ms` / `--bottom-rows` bottom area.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pointerText } from '../../src/reading/handoff.ts';
import { formatBlock } from '../../src/protocol/format-block.ts';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import { numberedLines } from '../../mocks/lib/reply-shaping.ts';
import { bottom, findBlock, TmuxServer } from './tmux-server.ts';

const NOTE_PLAN = '<PLAN>\n1. Note the weather\n</PLAN>';

describe('mock TUI reply switches', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const setUp = async () => {
    const server = new TmuxServer();
    cleanups.push(() => server.kill());
    const dir = await mkdtemp(join(tmpdir(), 'poli-mock-replies-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return { server, dir };
  };
  const submit = async (server: TmuxServer, pane: string, text: string) => {
    await server.paste(pane, text);
    await server.run(['send-keys', '-t', pane, 'Enter']);
  };
  const idle = (s: string) => bottom(s, 1) === '  ? for shortcuts' && s.includes('Worked for');

  it('--reply-lines 20000: the whole result is on the pane byte for byte, as --sent-file recorded it', async () => {
    const { server, dir } = await setUp();
    // A pane's history must hold 20,000 lines: the limit is set before the mock's session is made.
    await server.run(['new-session', '-d', '-s', 'holder']);
    await server.run(['set-option', '-g', 'history-limit', '30000']);
    const pane = await server.startMock('mock-executer.ts', ['--think-ms', '0', '--reply-lines', '20000', '--sent-file', 'sent.jsonl'], dir);
    const id = 'T1-R1-lines0';
    await submit(server, pane, formatBlock({ to: 'EXECUTER', type: 'plan', id }, NOTE_PLAN));
    await server.waitFor(pane, 'the last line', (s) => s.includes('line 20000 of 20000') && idle(s));
    const all = await server.run(['capture-pane', '-p', '-J', '-S', '-', '-t', pane]);
    const body = findBlock(all, { to: 'PLANNER', type: 'result', id })?.body;
    expect(body).toBe(numberedLines(20_000));
    const sent = (await readFile(join(dir, 'sent.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { header: { type: string }; body: string });
    expect(sent.map((s) => s.header.type)).toEqual(['status', 'result']);
    expect(sent[1]?.body).toBe(body);
  });

  it('--quote-close-in-fence: the result shows an unescaped close tag inside a fence in its middle', async () => {
    const { server, dir } = await setUp();
    const pane = await server.startMock('mock-executer.ts', ['--think-ms', '0', '--quote-close-in-fence', '--sent-file', 'sent.jsonl'], dir);
    await submit(server, pane, formatBlock({ to: 'EXECUTER', type: 'plan', id: 'T1-R1-fence0' }, NOTE_PLAN));
    const screen = await server.waitFor(pane, 'the result', (s) => s.includes('(the reply goes on after the quote)') && idle(s));
    expect(screen).toContain('\n  ```\n  [[/POLI:MSG]]\n  ```\n  (the reply goes on after the quote)\n  [[/POLI:MSG]]\n');
  });

  it('--clear-before-reply (classic): the reply starts at the top of an empty screen with an empty scrollback', async () => {
    const { server, dir } = await setUp();
    const pane = await server.startMock('mock-planner.ts', ['--think-ms', '0', '--clear-before-reply'], dir);
    const id = 'T1-R1-clear0';
    await submit(server, pane, formatBlock({ to: 'PLANNER', type: 'task', id }, 'Create hello.txt containing Hello'));
    const screen = await server.waitFor(pane, 'the plan', (s) => findBlock(s, { to: 'EXECUTER', type: 'plan', id }) !== undefined && idle(s));
    expect(screen.trimStart().startsWith(`● [[POLI:MSG {"to":"EXECUTER","type":"plan","id":"${id}"}]]`)).toBe(true);
    expect(screen).not.toContain('Mock PLANNER');
    expect(await server.format(pane, '#{history_size}')).toBe('0');
  });

  it('--restart-at 1: the pane shows a fresh start and no answer; the reminder gets the answer to that block', async () => {
    const { server, dir } = await setUp();
    const pane = await server.startMock('mock-planner.ts', ['--think-ms', '0', '--restart-at', '1'], dir);
    const id = 'T1-R1-rstrt0';
    await submit(server, pane, formatBlock({ to: 'PLANNER', type: 'task', id }, 'Create hello.txt containing Hello'));
    const restarted = await server.waitFor(pane, 'the fresh start', (s) => !s.includes('❯ [[POLI:MSG') && s.includes('Mock PLANNER'));
    expect(bottom(restarted, 1)).toBe('  ? for shortcuts');
    expect(parseBlocks(restarted).blocks).toEqual([]);
    expect(await server.format(pane, '#{history_size}')).toBe('0');
    await submit(server, pane, `Reminder from poli: I am still waiting for your reply to message ${id}. Reply with exactly one block.`);
    const answered = await server.waitFor(pane, 'the plan', (s) => findBlock(s, { to: 'EXECUTER', type: 'plan', id }) !== undefined);
    expect(findBlock(answered, { to: 'EXECUTER', type: 'plan', id })?.body).toBe('<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>');
  });

  it('--reply-file-pieces: the blocks go to .poli/replies/<id>.md in two pieces, the screen only names the file', async () => {
    const { server, dir } = await setUp();
    const pane = await server.startMock('mock-executer.ts', ['--think-ms', '0', '--reply-file-pieces'], dir);
    const id = 'T1-R1-files0';
    const file = join(dir, '.poli', 'replies', `${id}.md`);
    await submit(server, pane, formatBlock({ to: 'EXECUTER', type: 'plan', id }, NOTE_PLAN));
    let first = '';
    for (let i = 0; i < 300 && first === ''; i++) {
      first = await readFile(file, 'utf8').catch(() => '');
      if (first === '') await new Promise((r) => setTimeout(r, 20));
    }
    expect(first).toBe(`[[POLI:MSG {"to":"PLANNER","type":"status","id":"${id}"}]]\n`);
    const screen = await server.waitFor(pane, 'both blocks written', (s) => idle(s));
    expect(screen).toContain(`● wrote my reply to .poli/replies/${id}.md`);
    expect(parseBlocks(screen).blocks.filter((b) => b.header.to === 'PLANNER')).toEqual([]);
    const blocks = parseBlocks(await readFile(file, 'utf8')).blocks;
    expect(blocks.map((b) => `${b.header.type} ${b.body}`)).toEqual(['status Working on step 1: Note the weather', 'result Noted: Note the weather (no files changed)']);
  });

  it("reads poli's message file when the pasted block points to it", async () => {
    const { server, dir } = await setUp();
    const pane = await server.startMock('mock-executer.ts', ['--think-ms', '0'], dir);
    const id = 'T1-R1-mfile0';
    const long = `${formatBlock({ to: 'EXECUTER', type: 'plan', id }, `${NOTE_PLAN}\n${'padding '.repeat(12_000)}`)}\nReply with blocks.`;
    await mkdir(join(dir, '.poli', 'messages'), { recursive: true });
    await writeFile(join(dir, '.poli', 'messages', `${id}.md`), long);
    const block = parseBlocks(long).blocks[0];
    if (block === undefined) throw new Error('no block');
    await submit(server, pane, pointerText(long, block, dir));
    const screen = await server.waitFor(pane, 'the result', (s) => findBlock(s, { to: 'PLANNER', type: 'result', id }) !== undefined);
    expect(findBlock(screen, { to: 'PLANNER', type: 'result', id })?.body).toBe('Noted: Note the weather (no files changed)');
  });

  it('--print-rate: lines flood the pane while working, then the reply comes (repaint: still no scrollback)', async () => {
    const { server, dir } = await setUp();
    const pane = await server.startMock('mock-executer.ts', ['--think-ms', '0', '--draw', 'repaint', '--print-rate', '200', '--print-seconds', '1'], dir);
    const id = 'T1-R1-flood0';
    await submit(server, pane, formatBlock({ to: 'EXECUTER', type: 'plan', id }, NOTE_PLAN));
    const flooding = await server.waitFor(pane, 'flood lines', (s) => s.includes(`${id} progress 0000`));
    expect(flooding).toMatch(/T1-R1-flood0 progress \d{6}: compiling/);
    const done = await server.waitFor(pane, 'the result', (s) => findBlock(s, { to: 'PLANNER', type: 'result', id }) !== undefined);
    expect(done).toContain(`${id} progress 000200: `);
    expect(await server.format(pane, '#{history_size}')).toBe('0');
  });

  it('--animate-ms and --bottom-rows: a clock row ticks while idle above a todo panel and the input box', async () => {
    const { server, dir } = await setUp();
    const pane = await server.startMock('mock-planner.ts', ['--animate-ms', '100', '--bottom-rows', '10'], dir);
    const first = await server.capture(pane);
    const tick = (s: string) => s.split('\n').find((row) => row.startsWith('  ◷ tick '));
    await server.waitFor(pane, 'another tick', (s) => tick(s) !== undefined && tick(s) !== tick(first));
    const rows = bottom(await server.capture(pane), 9).split('\n').map((row) => row.replace(/ +$/, ''));
    expect(rows[0]).toMatch(/^ {2}◷ tick \d+$/);
    expect(rows.slice(1, 5)).toEqual(['  ☐ step 1', '  ☐ step 2', '  ☐ step 3', '  ☐ step 4']);
    expect(rows.slice(5)).toEqual(['─'.repeat(249), '❯\u00a0', '─'.repeat(249), '  ? for shortcuts']);
  });
});
