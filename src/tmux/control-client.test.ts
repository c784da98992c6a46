import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControlClient, ControlClientClosedError, loadBufferStdinIndex } from './control-client.ts';
import { ATTACHED, createFakeProcess, reply } from '../../test/helpers/fake-control-process.ts';
import type { TmuxRunner } from './types.ts';

const noFallback: TmuxRunner = async () => {
  throw new Error('bug: fallback used');
};

async function attached(process: ReturnType<typeof createFakeProcess>, fallbackRun = noFallback) {
  const pending = ControlClient.attach({ socket: 'poli-test-x', spawn: () => process, fallbackRun, now: () => Date.now() });
  process.emit(ATTACHED);
  return pending;
}

describe('ControlClient', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sets up flow control and the pane-death subscription after attaching', async () => {
    const process = createFakeProcess((_line, n) => reply(n, []) + reply(n, []));
    await attached(process);
    expect(process.lines).toEqual([`'refresh-client' '-f' 'pause-after=2' ; 'refresh-client' '-B' 'poli-pane-dead:%*:#{pane_dead}'`]);
  });

  it('fails to attach with what tmux said', async () => {
    const process = createFakeProcess();
    const pending = ControlClient.attach({ socket: 'poli-test-x', spawn: () => process, fallbackRun: noFallback });
    process.emit("%begin 1 2 0\ncan't find session: poli\n%error 1 2 0\n%exit\n");
    process.end();
    await expect(pending).rejects.toThrow(`the tmux control-mode client on socket "poli-test-x" could not attach: can't find session: poli.`);
  });

  it('collects one reply per command of a line, in order', async () => {
    const answers: Record<string, (n: number) => string> = {
      "'display-message' '-p' 'a' ; 'display-message' '-p' 'b'": (n) => reply(n, ['a']) + reply(n + 1, ['b']),
      "'capture-pane' '-p' '-t' '%9' ; 'display-message' '-p' 'c'": (n) => reply(n, ["can't find pane: %9"], false),
      "'display-message' '-p' 'd'": (n) => reply(n, ['%end 1700000000 1 1', 'd']),
    };
    const process = createFakeProcess((line, n) => (answers[line] ?? ((m: number) => reply(m, []) + reply(m, [])))(n));
    const client = await attached(process);
    const results = await Promise.all([
      client.run(['display-message', '-p', 'a', ';', 'display-message', '-p', 'b']),
      client.run(['capture-pane', '-p', '-t', '%9', ';', 'display-message', '-p', 'c']),
      client.run(['display-message', '-p', 'd']),
    ]);
    expect(results).toEqual([
      { stdout: 'a\nb\n', stderr: '', exitCode: 0 },
      { stdout: '', stderr: "can't find pane: %9\n", exitCode: 1 },
      { stdout: '%end 1700000000 1 1\nd\n', stderr: '', exitCode: 0 },
    ]);
  });

  it('loads a buffer from a private file that is gone once tmux answered', async () => {
    let seen: { path: string; text: string; mode: number } | undefined;
    const process = createFakeProcess((line, n) => {
      const path = /^'load-buffer' '-b' 'buf' '([^']+)'/.exec(line)?.[1];
      if (path !== undefined) seen = { path, text: readFileSync(path, 'utf8'), mode: statSync(path).mode & 0o777 };
      return reply(n, []) + reply(n + 1, []);
    });
    const client = await attached(process);
    const text = "é中 'quoted' $(x) ;\n".repeat(1000);
    const result = await client.run(['load-buffer', '-b', 'buf', '-', ';', 'paste-buffer', '-b', 'buf', '-t', '%1'], { input: text });
    expect(result.exitCode).toBe(0);
    expect(seen?.text).toBe(text);
    expect(seen?.mode).toBe(0o600);
    expect(existsSync(seen?.path ?? '')).toBe(false);
  });

  it('runs what a line cannot carry as its own process', async () => {
    const calls: string[][] = [];
    const fallback: TmuxRunner = async (args) => {
      calls.push([...args]);
      return { stdout: 'fallback\n', stderr: '', exitCode: 0 };
    };
    const process = createFakeProcess((_line, n) => reply(n, []) + reply(n, []));
    const client = await attached(process, fallback);
    expect(await client.run(['send-keys', '-t', '%1', '-l', 'two\nlines'])).toEqual({ stdout: 'fallback\n', stderr: '', exitCode: 0 });
    expect(await client.run(['set-buffer', '-'], { input: 'x' })).toEqual({ stdout: 'fallback\n', stderr: '', exitCode: 0 });
    expect(calls).toEqual([['send-keys', '-t', '%1', '-l', 'two\nlines'], ['set-buffer', '-']]);
  });

  it('wakes a wait on output of its panes once the output is quiet, not on other panes', async () => {
    const process = createFakeProcess((_line, n) => reply(n, []) + reply(n, []));
    const client = await attached(process);
    let result: boolean | undefined;
    void client.waitForChange(['%1', '%2'], 10_000).then((changed) => (result = changed));
    process.emit('%output %7 other pane\n');
    await vi.advanceTimersByTimeAsync(100);
    expect(result).toBeUndefined();
    process.emit('%output %2 hello\\015\\012\n');
    await vi.advanceTimersByTimeAsync(1);
    process.emit('%output %2 more\n');
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5);
    expect(result).toBe(true);
  });

  it('returns at once for output since the previous wait on the same panes, else at the timeout', async () => {
    const process = createFakeProcess((_line, n) => reply(n, []) + reply(n, []));
    const client = await attached(process);
    const first = client.waitForChange(['%1'], 50);
    await vi.advanceTimersByTimeAsync(50);
    expect(await first).toBe(false);
    process.emit('%output %1 while nobody waited\n');
    await vi.advanceTimersByTimeAsync(10);
    const second = client.waitForChange(['%1'], 10_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(await second).toBe(true);
    const third = client.waitForChange(['%1'], 50);
    await vi.advanceTimersByTimeAsync(50);
    expect(await third).toBe(false);
  });

  it('continues a paused pane and reports it as changed; a died pane too', async () => {
    const process = createFakeProcess((_line, n) => reply(n, []) + reply(n, []));
    const client = await attached(process);
    const paused = client.waitForChange(['%3'], 10_000);
    process.emit('%pause %3\n');
    await vi.advanceTimersByTimeAsync(10);
    expect(await paused).toBe(true);
    expect(process.lines.at(-1)).toBe(`'refresh-client' '-A' '%3:continue'`);
    const died = client.waitForChange(['%4'], 10_000);
    process.emit('%subscription-changed poli-pane-dead $0 @1 1 %4 : 1\n');
    await vi.advanceTimersByTimeAsync(10);
    expect(await died).toBe(true);
  });

  it('passes every event it read on to onEvent listeners, after handling it', async () => {
    const process = createFakeProcess((_line, n) => reply(n, []) + reply(n, []));
    const client = await attached(process);
    const seen: string[] = [];
    const stop = client.onEvent((event) => seen.push(event.kind === 'other' ? event.line : event.kind));
    process.emit('%subscription-changed poli-pane-dead $0 @1 1 %4 : 1\n%window-close @1\n%pause %3\n');
    expect(seen).toEqual(['subscription', '%window-close @1', 'pause']);
    expect(process.lines.at(-1)).toBe(`'refresh-client' '-A' '%3:continue'`);
    stop();
    process.emit('%layout-change @0 a87d,100x30,0,0,0 a87d,100x30,0,0,0 *\n');
    expect(seen).toHaveLength(3);
  });

  it('answers a repeated pane read from the previous one until the pane changes or a command writes', async () => {
    let captures = 0;
    const process = createFakeProcess((line, n) => {
      if (line.startsWith("'capture-pane'")) {
        captures += 1;
        return reply(n, [`screen ${captures}`]);
      }
      return reply(n, []) + reply(n, []);
    });
    const client = await attached(process);
    const read = () => client.run(['capture-pane', '-p', '-t', '%1']);
    // No output seen from %1 yet: it may belong to another session, so every read goes to tmux.
    expect((await read()).stdout).toBe('screen 1\n');
    expect((await read()).stdout).toBe('screen 2\n');
    process.emit('%output %1 x\n');
    expect((await read()).stdout).toBe('screen 3\n');
    expect((await read()).stdout).toBe('screen 3\n');
    process.emit('%output %1 y\n');
    expect((await read()).stdout).toBe('screen 4\n');
    await client.run(['list-panes', '-a']);
    expect((await read()).stdout).toBe('screen 4\n');
    await client.run(['send-keys', '-t', '%2', 'Enter']);
    expect((await read()).stdout).toBe('screen 5\n');
    process.emit('%pane-mode-changed %1\n');
    expect((await read()).stdout).toBe('screen 6\n');
    process.emit('%layout-change @1 b25e,250x50,0,0,1 b25e,250x50,0,0,1 *\n');
    expect((await read()).stdout).toBe('screen 7\n');
    expect((await read()).stdout).toBe('screen 7\n');
  });

  it('rejects pending commands and resolves waits when the process ends', async () => {
    const process = createFakeProcess((line, n) => (line.startsWith("'refresh-client'") ? reply(n, []) + reply(n, []) : ''));
    const reasons: string[] = [];
    const pending = ControlClient.attach({
      socket: 'poli-test-x',
      spawn: () => process,
      fallbackRun: noFallback,
      onClose: (reason) => reasons.push(reason),
    });
    process.emit(ATTACHED);
    const client = await pending;
    const command = client.run(['display-message', '-p', 'x']);
    const wait = client.waitForChange(['%1'], 60_000);
    process.emit('%exit\n');
    process.end('server exited unexpectedly');
    await expect(command).rejects.toBeInstanceOf(ControlClientClosedError);
    await expect(command).rejects.toThrow('stopped: tmux said %exit (command: tmux display-message -p x)');
    expect(await wait).toBe(false);
    await expect(client.run(['display-message'])).rejects.toBeInstanceOf(ControlClientClosedError);
    expect(await client.waitForChange(['%1'], 60_000)).toBe(false);
    expect(reasons).toEqual(['stopped: tmux said %exit']);
  });
});

describe('loadBufferStdinIndex', () => {
  it.each([
    [['load-buffer', '-b', 'x', '-', ';', 'paste-buffer', '-b', 'x'], 3],
    [['display-message', ';', 'load-buffer', '-'], 3],
    [['load-buffer', '-b', 'x', '/tmp/file'], undefined],
    [['set-buffer', '-'], undefined],
  ])('%j → %s', (args, index) => {
    expect(loadBufferStdinIndex(args)).toBe(index);
  });
});
