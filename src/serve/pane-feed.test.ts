import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTACHED, createFakeProcess, reply } from '../../test/helpers/fake-control-process.ts';
import { createFakeRunner, createSandbox, waitFor, type Sandbox } from '../../test/helpers/tmux-sandbox.ts';
import { createPaneFeed, parseScreen, type TmuxPaneFeed } from './pane-feed.ts';
import { pipePaneFrames } from './pane-socket.ts';
import type { PaneFrame } from './pane-frames.ts';

/** A shell that prints a line, then waits for commands with a plain prompt. */
const SHELL = `printf 'hello from the pane\\n'; PS1='$ ' exec sh`;

describe('parseScreen', () => {
  it('joins the lines with CRLF, then resets attributes and places the cursor as tmux has it', () => {
    expect(parseScreen('80 3 2 1 1 0\n\x1b[1mab\x1b[0m\n$ \n \n')).toEqual({
      cols: 80,
      rows: 3,
      cursorX: 2,
      cursorY: 1,
      data: '\x1b[1mab\x1b[0m\r\n$ \r\n \x1b[0m\x1b[2;3H\x1b[?25h',
    });
  });

  it('hides the cursor when the pane hides it', () => {
    expect(parseScreen('4 1 0 0 0 0\nabcd\n').data).toBe('abcd\x1b[0m\x1b[1;1H\x1b[?25l');
  });

  it('draws a pane on its alternate screen on the alternate screen', () => {
    expect(parseScreen('4 1 1 0 1 1\nabcd\n').data).toBe('\x1b[?1049h\x1b[Habcd\x1b[0m\x1b[1;2H\x1b[?25h');
  });
});

describe('PaneFeed over a fake control client', () => {
  /** A feed whose one pane is %1 of session $0; the control process answers a snapshot with `snapshotAnswer`. */
  function fakeFeed(snapshotAnswer: (n: number) => string) {
    const runner = createFakeRunner((args) => ({ stdout: args.includes('#{pane_id} #{session_id} #{pane_dead}') ? '%1 $0 0\n' : '%1 0\n' }));
    const process = createFakeProcess((line, n) => (line.includes("'capture-pane'") ? snapshotAnswer(n) : reply(n, []) + reply(n, [])));
    const feed = createPaneFeed({
      processRunner: () => runner,
      spawnControl: () => {
        queueMicrotask(() => process.emit(ATTACHED));
        return process;
      },
    });
    return { feed, process, runner };
  }

  it('drops output the capture already shows and holds output after it until the caller has the screen', async () => {
    const { feed, process } = fakeFeed((n) => `%output %1 before\n${reply(n, ['3 1 2 0 1'])}${reply(n + 1, ['ab '])}%output %1 after\n`);
    const stream = await feed.open('poli-test-x', '%1');
    const events: string[] = [];
    stream.onOutput((text) => events.push(`output ${text}`));

    const screen = await stream.snapshot();
    events.push(`reset ${JSON.stringify(screen.data)}`);
    await new Promise((resolve) => setImmediate(resolve));
    process.emit('%output %1 later\n');
    expect(events).toEqual([`reset ${JSON.stringify('ab \x1b[0m\x1b[1;3H\x1b[?25h')}`, 'output after', 'output later']);
    await feed.close();
    expect(process.killed).toBe(true);
  });

  it('answers a %pause with continue and asks for a fresh screen; a layout change asks every stream', async () => {
    const { feed, process } = fakeFeed((n) => reply(n, ['3 1 0 0 1']) + reply(n + 1, ['abc']));
    const stream = await feed.open('poli-test-x', '%1');
    let resyncs = 0;
    stream.onResync(() => {
      resyncs += 1;
    });
    process.emit('%pause %2\n');
    expect(resyncs).toBe(0);
    process.emit('%pause %1\n');
    expect(resyncs).toBe(1);
    expect(process.lines.at(-1)).toBe(`'refresh-client' '-A' '%1:continue'`);
    process.emit('%layout-change @0 a87d,100x30,0,0,0 a87d,100x30,0,0,0 *\n');
    expect(resyncs).toBe(2);
    await feed.close();
  });

  it('pipes a resync as a new reset frame', async () => {
    let screens = 0;
    const { feed, process } = fakeFeed((n) => {
      screens += 1;
      return reply(n, ['3 1 0 0 1']) + reply(n + 1, [`screen ${screens}`]);
    });
    const stream = await feed.open('poli-test-x', '%1');
    const frames: string[] = [];
    pipePaneFrames(stream, (text) => frames.push(text));
    await waitFor(() => Promise.resolve(frames.length === 1 ? true : undefined), () => frames.join('\n'));
    process.emit('%pause %1\n');
    await waitFor(() => Promise.resolve(frames.length === 2 ? true : undefined), () => frames.join('\n'));
    expect(frames.map((frame) => (JSON.parse(frame) as { data: string }).data.slice(0, 8))).toEqual(['screen 1', 'screen 2']);
    await feed.close();
  });
});

describe('PaneFeed (real tmux)', () => {
  let sandbox: Sandbox;
  let feed: TmuxPaneFeed;

  beforeEach(() => {
    sandbox = createSandbox();
    feed = createPaneFeed();
  });
  afterEach(async () => {
    await feed.close();
    await sandbox.cleanup();
  });

  const clients = async (): Promise<string> => (await sandbox.run(['list-clients', '-F', '#{client_name} #{session_name}'])).stdout;
  const screenOf = async (paneId: string): Promise<string> => (await sandbox.run(['capture-pane', '-p', '-t', paneId])).stdout;

  it('finds the panes of exactly the session asked for by their @poli_role', async () => {
    const planner = await sandbox.newPane(SHELL, { session: 'T1' });
    const executer = (await sandbox.run(['split-window', '-d', '-t', planner, '-P', '-F', '#{pane_id}', 'sleep 600'])).stdout.trim();
    const other = await sandbox.newPane('sleep 600', { session: 'T10' });
    await sandbox.run(['set-option', '-p', '-t', planner, '@poli_role', 'PLANNER', ';', 'set-option', '-p', '-t', executer, '@poli_role', 'EXECUTER']);
    await sandbox.run(['set-option', '-p', '-t', other, '@poli_role', 'PLANNER']);

    expect(await feed.findPanes(sandbox.socket, 'T1')).toEqual({ PLANNER: planner, EXECUTER: executer });
    expect(await feed.findPanes(sandbox.socket, 'T10')).toEqual({ PLANNER: other });
    expect(await feed.findPanes(sandbox.socket, 'T')).toEqual({});
    expect(await feed.findPanes('poli-test-no-such-server', 'T1')).toEqual({});
  });

  it('shows the screen as it is, then what the pane prints as it is typed, without resizing the window', async () => {
    const pane = await sandbox.newPane(SHELL, { width: 100, height: 30 });
    await waitFor(async () => ((await screenOf(pane)).includes('$') ? true : undefined), () => screenOf(pane));
    const stream = await feed.open(sandbox.socket, pane);
    let output = '';
    stream.onOutput((text) => {
      output += text;
    });

    const screen = await stream.snapshot();
    expect(screen).toMatchObject({ cols: 100, rows: 30, cursorX: 2, cursorY: 1 });
    expect(screen.data.startsWith('hello from the pane\r\n$ ')).toBe(true);
    expect(screen.data.split('\r\n')).toHaveLength(30);

    await stream.type('echo typed-$((6*7)) é中\r');
    await waitFor(() => Promise.resolve(output.includes('typed-42 é中\r\n') ? true : undefined), () => `output so far: ${JSON.stringify(output)}`);
    expect(output.startsWith('echo typed-$((6*7)) é中\r\n')).toBe(true);

    // Backspace, arrows (the shell ignores them: sh has no line editing) and Ctrl+C reach the program as keys.
    await stream.type('sleep 600\r');
    // Ctrl+C before sh has handed the terminal to sleep would interrupt sh instead, and sleep would run on.
    const current = async (): Promise<string> => (await sandbox.run(['display-message', '-p', '-t', pane, '#{pane_current_command}'])).stdout.trim();
    await waitFor(async () => ((await current()) === 'sleep' ? true : undefined), current);
    await stream.type('\x03');
    await stream.type('echo abX\x7fc\r');
    await waitFor(() => Promise.resolve(output.includes('abc\r\n') ? true : undefined), () => `output so far: ${JSON.stringify(output)}`);
    expect((await sandbox.run(['display-message', '-p', '-t', pane, '#{window_width}x#{window_height}'])).stdout).toBe('100x30\n');
  });

  it('types arrows and Tab as the keys a terminal sends (cat -v shows what arrived)', async () => {
    const pane = await sandbox.newPane('stty -echo; exec cat -v');
    await waitFor(async () => ((await sandbox.run(['display-message', '-p', '-t', pane, '#{pane_current_command}'])).stdout === 'cat\n' ? true : undefined), () => screenOf(pane));
    const stream = await feed.open(sandbox.socket, pane);
    let output = '';
    stream.onOutput((text) => {
      output += text;
    });
    await stream.type('a\x1b[Db\x1b[A\tc\r');
    await waitFor(() => Promise.resolve(output.includes('\r\n') ? true : undefined), () => `output so far: ${JSON.stringify(output)}`);
    expect(output).toBe('a^[[Db^[[A\tc\r\n');
  });

  it('tells a stream when its pane is killed', async () => {
    const pane = await sandbox.newPane(SHELL, { session: 'T1' });
    const survivor = (await sandbox.run(['split-window', '-d', '-t', pane, '-P', '-F', '#{pane_id}', 'sleep 600'])).stdout.trim();
    const stream = await feed.open(sandbox.socket, pane);
    const other = await feed.open(sandbox.socket, survivor);
    const gone: string[] = [];
    stream.onGone(() => gone.push(pane));
    other.onGone(() => gone.push(survivor));

    await sandbox.run(['kill-pane', '-t', pane]);
    await waitFor(() => Promise.resolve(gone.length > 0 ? true : undefined), () => `gone: ${gone.join(', ')}`);
    expect(gone).toEqual([pane]);
  });

  it('tells a stream when its program exits (the pane stays, dead, under remain-on-exit)', async () => {
    const pane = await sandbox.newPane(SHELL);
    const stream = await feed.open(sandbox.socket, pane);
    let gone = false;
    stream.onGone(() => {
      gone = true;
    });
    await stream.type('exit\r');
    await waitFor(() => Promise.resolve(gone ? true : undefined), () => 'no gone yet');
    expect((await sandbox.run(['display-message', '-p', '-t', pane, '#{pane_dead}'])).stdout).toBe('1\n');
  });

  it('tells every stream when the server ends', async () => {
    const pane = await sandbox.newPane(SHELL);
    const stream = await feed.open(sandbox.socket, pane);
    let gone = false;
    stream.onGone(() => {
      gone = true;
    });
    await sandbox.run(['kill-server']);
    await waitFor(() => Promise.resolve(gone ? true : undefined), () => 'no gone yet');
  });

  it('shares one control client among the streams of a session and ends it with the last stream', async () => {
    const first = await sandbox.newPane(SHELL, { session: 'T1' });
    const second = (await sandbox.run(['split-window', '-d', '-t', first, '-P', '-F', '#{pane_id}', 'sleep 600'])).stdout.trim();
    const a = await feed.open(sandbox.socket, first);
    const b = await feed.open(sandbox.socket, second);
    const c = await feed.open(sandbox.socket, first);
    expect((await clients()).trim().split('\n').map((line) => line.split(' ')[1])).toEqual(['T1']);

    await a.close();
    await b.close();
    expect((await clients()).trim().split('\n')).toHaveLength(1);
    await c.close();
    await waitFor(async () => ((await clients()) === '' ? true : undefined), clients);
    // A closed stream attaches nothing again.
    await expect(c.snapshot()).rejects.toThrow(`the tmux control-mode client on socket "${sandbox.socket}" was closed for pane ${first}.`);
    expect(await clients()).toBe('');
    // A stream opened afterwards attaches a new client.
    const d = await feed.open(sandbox.socket, second);
    expect((await d.snapshot()).rows).toBe(Number((await sandbox.run(['display-message', '-p', '-t', second, '#{pane_height}'])).stdout));
    expect((await clients()).trim().split('\n')).toHaveLength(1);
  });

  it('attaches again when a person detaches every client, and asks for a fresh screen', async () => {
    const pane = await sandbox.newPane(SHELL, { session: 'T1' });
    const stream = await feed.open(sandbox.socket, pane);
    let resyncs = 0;
    let output = '';
    stream.onResync(() => {
      resyncs += 1;
    });
    stream.onOutput((text) => {
      output += text;
    });
    await sandbox.run(['detach-client', '-s', 'T1']);
    await waitFor(() => Promise.resolve(resyncs > 0 ? true : undefined), () => `resyncs: ${resyncs}`);
    await stream.type('echo still-$((1+1))\r');
    await waitFor(() => Promise.resolve(output.includes('still-2') ? true : undefined), () => `output so far: ${JSON.stringify(output)}`);
    expect((await clients()).trim().split('\n')).toHaveLength(1);
  });

  it('reports a pane that does not exist', async () => {
    await sandbox.newPane(SHELL);
    await expect(feed.open(sandbox.socket, '%99')).rejects.toThrow('tmux pane %99 does not exist (any more); expected a live pane.');
    expect(await clients()).toBe('');
  });

  it('pipes a stream into WebSocket frames: the screen, then output, then gone', async () => {
    const pane = await sandbox.newPane(SHELL);
    await waitFor(async () => ((await screenOf(pane)).includes('$') ? true : undefined), () => screenOf(pane));
    const stream = await feed.open(sandbox.socket, pane);
    const frames: PaneFrame[] = [];
    const stop = pipePaneFrames(stream, (text) => frames.push(JSON.parse(text) as PaneFrame));
    await waitFor(() => Promise.resolve(frames.length > 0 ? true : undefined), () => 'no frame yet');
    expect(frames[0]).toMatchObject({ type: 'reset', cols: 250, rows: 50 });

    await stream.type('echo piped\r');
    const printed = (): string => frames.flatMap((frame) => (frame.type === 'output' ? [frame.data] : [])).join('');
    await waitFor(() => Promise.resolve(printed().includes('piped\r\n$ ') ? true : undefined), () => JSON.stringify(frames));
    await sandbox.run(['kill-pane', '-t', pane]);
    await waitFor(() => Promise.resolve(frames.at(-1)?.type === 'gone' ? true : undefined), () => JSON.stringify(frames));
    expect(frames.map((frame) => frame.type).filter((type, i, all) => type !== all[i - 1])).toEqual(['reset', 'output', 'gone']);
    stop();
  });

  it('sends a dead pane its last screen, then gone', async () => {
    const pane = await sandbox.newPane(SHELL);
    await waitFor(async () => ((await screenOf(pane)).includes('$') ? true : undefined), () => screenOf(pane));
    await sandbox.run(['send-keys', '-t', pane, '-l', 'echo last words; exit', ';', 'send-keys', '-t', pane, 'Enter']);
    await waitFor(async () => ((await sandbox.run(['display-message', '-p', '-t', pane, '#{pane_dead}'])).stdout === '1\n' ? true : undefined), () => screenOf(pane));
    const stream = await feed.open(sandbox.socket, pane);
    const frames: PaneFrame[] = [];
    pipePaneFrames(stream, (text) => frames.push(JSON.parse(text) as PaneFrame));
    await waitFor(() => Promise.resolve(frames.length === 2 ? true : undefined), () => JSON.stringify(frames));
    expect(frames[0]?.type === 'reset' && frames[0].data.includes('\r\nlast words\r\n')).toBe(true);
    expect(frames[1]).toEqual({ type: 'gone' });
  });
});
