/**
 * Submission quirks in real tmux: `--submit-on-paste` (no Enter needed, an Enter on the empty box does nothing),
 * `--enters N` (only the Nth Enter in a row submits) and `--echo-char-ms N` (slow input; an Enter typed meanwhile
 * waits its turn and is not lost).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mockProfile } from '../../src/profiles/basic.ts';
import { bottom, TmuxServer } from './tmux-server.ts';

const GREETING = '● Ready. I am the PLANNER.';

describe('mock TUI submission quirks', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const start = async (args: readonly string[]) => {
    const server = new TmuxServer();
    cleanups.push(() => server.kill());
    const dir = await mkdtemp(join(tmpdir(), 'poli-mock-submit-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const pane = await server.startMock('mock-planner.ts', ['--think-ms', '20', ...args], dir, { x: 100, y: 30 });
    return { server, pane };
  };
  const count = (screen: string, row: string) => screen.split('\n').filter((r) => r === row).length;
  const input = (screen: string) => mockProfile.readInput(bottom(screen, 12).split('\n'));
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('--submit-on-paste: the paste is submitted at once; an Enter on the empty box does nothing', async () => {
    const { server, pane } = await start(['--submit-on-paste']);
    await server.paste(pane, 'hello\nplanner');
    const done = await server.waitFor(pane, 'the greeting', (s) => s.includes(GREETING) && bottom(s, 1) === '  ? for shortcuts');
    expect(done).toContain('❯ hello\n  planner');
    expect(input(done)).toBe('');
    await server.run(['send-keys', '-t', pane, 'Enter']);
    await settle();
    expect(count(await server.capture(pane), GREETING)).toBe(1);
  });

  it('--enters 3: two Enters leave the text in the box, the third submits it', async () => {
    const { server, pane } = await start(['--enters', '3']);
    await server.paste(pane, 'hello planner');
    await server.waitFor(pane, 'the pasted text', (s) => input(s) === 'hello planner');
    await server.run(['send-keys', '-t', pane, 'Enter']);
    await server.run(['send-keys', '-t', pane, 'Enter']);
    await settle();
    const waiting = await server.capture(pane);
    expect(input(waiting)).toBe('hello planner');
    expect(waiting).not.toContain(GREETING);
    await server.run(['send-keys', '-t', pane, 'Enter']);
    const done = await server.waitFor(pane, 'the greeting', (s) => s.includes(GREETING));
    expect(done).toContain('❯ hello planner');
  });

  it('--enters 2: a key between the Enters starts the count again', async () => {
    const { server, pane } = await start(['--enters', '2']);
    await server.paste(pane, 'abc');
    await server.run(['send-keys', '-t', pane, 'Enter', 'd', 'Enter']);
    await settle();
    expect(input(await server.capture(pane))).toBe('abcd');
    await server.run(['send-keys', '-t', pane, 'Enter']);
    expect(await server.waitFor(pane, 'the greeting', (s) => s.includes(GREETING))).toContain('❯ abcd');
  });

  it('--echo-char-ms: the input box fills slowly, and an Enter sent with the paste is kept for its turn', async () => {
    const { server, pane } = await start(['--echo-char-ms', '25']);
    const text = 'a slow terminal shows this text one character at a time';
    await server.run(['load-buffer', '-b', 'x', '-'], text);
    await server.run(['paste-buffer', '-p', '-r', '-d', '-b', 'x', '-t', pane, ';', 'send-keys', '-t', pane, 'Enter']);
    const partial = await server.waitFor(pane, 'part of the text in the box', (s) => {
      const shown = input(s) ?? '';
      return shown.length > 0 && shown.length < text.length;
    });
    expect(text.startsWith(input(partial) ?? '')).toBe(true);
    const done = await server.waitFor(pane, 'the greeting', (s) => s.includes(GREETING) && bottom(s, 1) === '  ? for shortcuts');
    expect(done).toContain(`❯ ${text}`);
    expect(input(done)).toBe('');
  });
});
