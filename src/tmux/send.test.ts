import { describe, expect, it } from 'vitest';
import { SubmitFailedError } from '../errors.ts';
import { ControlClientClosedError } from './control-client.ts';
import { genericProfile, mockProfile } from '../profiles/basic.ts';
import { createFakeClock, createFakeRunner } from '../../test/helpers/tmux-sandbox.ts';
import { pressKey, sanitizePayload, sendMessage, type SendReport } from './send.ts';

const RULE = '─'.repeat(40);

/** A simulated mock-TUI pane behind a fake runner. */
function fakePane(behaviour: { swallowEnters?: number; losePastes?: number; inMode?: boolean; showInput?: boolean } = {}) {
  const pane = {
    input: '',
    received: [] as string[],
    inMode: behaviour.inMode ?? false,
    swallowEnters: behaviour.swallowEnters ?? 0,
    losePastes: behaviour.losePastes ?? 0,
    log: ['welcome'],
  };
  const showInput = behaviour.showInput ?? true;
  const inputRows = () => (showInput ? pane.input : '').split('\n').map((line, i) => (i === 0 ? `❯\u00a0${line}` : `  ${line}`));
  const screen = () => [...pane.log, RULE, ...inputRows(), RULE, '  ? for shortcuts'];
  const run = createFakeRunner((args, input) => {
    if (args[0] === 'display-message') {
      const state = `%1 0 ${pane.log.length + 3} 50 250 0 ${pane.inMode ? 1 : 0} 0 50000\n`;
      return { stdout: state + screen().map((line) => `${line}\n`).join('') };
    }
    if (args[0] === 'load-buffer') {
      if (pane.losePastes > 0) pane.losePastes -= 1;
      else pane.input += input ?? '';
      return {};
    }
    if (args[0] === 'send-keys' && args.includes('-X')) pane.inMode = false;
    else if (args[0] === 'send-keys' && args.at(-1) === 'Enter' && !pane.inMode) {
      // Like Claude Code, an Enter on an empty input box does nothing.
      if (pane.swallowEnters > 0) pane.swallowEnters -= 1;
      else if (pane.input !== '') {
        pane.received.push(pane.input);
        pane.log.push(`RECEIVED ${pane.input.length}`);
        pane.input = '';
      }
    }
    return {};
  });
  return { pane, run };
}

async function send(run: ReturnType<typeof fakePane>['run'], text: string, extra: { minEnterDelayMs?: number; generic?: boolean } = {}) {
  const clock = createFakeClock();
  const profile = { ...(extra.generic === true ? genericProfile : mockProfile), minEnterDelayMs: extra.minEnterDelayMs ?? 0 };
  let report: SendReport | undefined;
  await sendMessage({ run, paneId: '%1', text, profile, clock, onReport: (r) => (report = r) });
  return { report, clock };
}

describe('sendMessage', () => {
  it('pastes through a named buffer from stdin and presses Enter as a separate command', async () => {
    const { pane, run } = fakePane();
    const text = 'echo a; $(rm -rf /) `x` C-c Enter -x\n/help;';
    const { report } = await send(run, text);
    expect(pane.received).toEqual([text]);
    expect(report).toMatchObject({ attempts: 1, enterPresses: 1, pastes: 1 });

    const paste = run.calls.find((call) => call.args[0] === 'load-buffer');
    const buffer = paste?.args[2] ?? '';
    expect(buffer).toMatch(/^poli-\d+-\d+-[0-9a-f]{8}$/);
    expect(paste?.args).toEqual(['load-buffer', '-b', buffer, '-', ';', 'paste-buffer', '-p', '-r', '-d', '-b', buffer, '-t', '%1']);
    expect(paste?.input).toBe(text);
    const keys = run.calls.filter((call) => call.args[0] === 'send-keys').map((call) => call.args);
    expect(keys).toEqual([['send-keys', '-t', '%1', 'Enter']]);
    // The payload never appears in any argument.
    expect(run.calls.some((call) => call.args.some((arg) => arg.includes('rm -rf')))).toBe(false);
  });

  it('strips ESC and control characters but keeps LF and TAB', async () => {
    expect(sanitizePayload('a\x1b[201~b\x07c\x00d\r\ne\x7ff\u009bg\th\ri\n')).toBe('a[201~bcd\nefg\th\ni\n');
    const { pane, run } = fakePane();
    await send(run, 'x\x1b[31my\x1bz');
    expect(pane.received).toEqual(['x[31myz']);
  });

  it('refuses an empty message', async () => {
    const { run } = fakePane();
    await expect(send(run, '\x1b\x07 \n')).rejects.toBeInstanceOf(RangeError);
    expect(run.calls).toEqual([]);
  });

  it('leaves copy mode before pasting', async () => {
    const { pane, run } = fakePane({ inMode: true });
    await send(run, 'hi');
    expect(pane.received).toEqual(['hi']);
    const order = run.calls.map((call) => call.args[0] === 'send-keys' ? call.args.slice(3).join(' ') : call.args[0]);
    expect(order.slice(0, 3)).toEqual(['display-message', '-X cancel', 'display-message']);
  });

  it('presses Enter again when the first one was swallowed', async () => {
    const { pane, run } = fakePane({ swallowEnters: 1 });
    const { report } = await send(run, 'hello');
    expect(pane.received).toEqual(['hello']);
    expect(report).toMatchObject({ attempts: 2, enterPresses: 2, pastes: 1 });
  });

  it('pastes again when the paste never reached the input box', async () => {
    const { pane, run } = fakePane({ losePastes: 1 });
    const { report } = await send(run, 'hello');
    expect(pane.received).toEqual(['hello']);
    expect(report).toMatchObject({ attempts: 2, enterPresses: 1, pastes: 2 });
  });

  it('never presses Enter on an empty box when the paste never shows', async () => {
    const { pane, run } = fakePane({ losePastes: 99 });
    await expect(send(run, 'hello')).rejects.toThrow('the pasted text did not show in the input box (3 attempts: 3 pastes, 0 Enter presses)');
    expect(run.calls.filter((call) => call.args[0] === 'send-keys')).toEqual([]);
    expect(pane.received).toEqual([]);
  });

  it('waits at least minEnterDelayMs between paste and Enter', async () => {
    const { run } = fakePane();
    const clock = createFakeClock();
    const times: Record<string, number> = {};
    const timed = Object.assign(async (args: readonly string[], options?: { input?: string }) => {
      if (args[0] === 'load-buffer') times.paste = clock.now();
      if (args[0] === 'send-keys') times.enter = clock.now();
      return run(args, options);
    }, { calls: run.calls });
    await sendMessage({ run: timed, paneId: '%1', text: 'hi', profile: { ...mockProfile, minEnterDelayMs: 300 }, clock });
    expect((times.enter ?? 0) - (times.paste ?? 0)).toBeGreaterThanOrEqual(300);
  });

  it('throws SubmitFailedError naming the pane after maxAttempts unconfirmed Enters', async () => {
    const { pane, run } = fakePane({ swallowEnters: 99 });
    const error = await send(run, 'hello').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitFailedError);
    expect((error as Error).message).toContain('pane %1: the text stayed in the input box after Enter (3 attempts: 1 pastes, 3 Enter presses)');
    expect((error as Error).message).toContain('  | ❯\u00a0hello');
    expect(pane.received).toEqual([]);
  });

  it('with a profile that cannot read the input, a changed bottom after Enter confirms', async () => {
    const { pane, run } = fakePane();
    await send(run, 'hello', { generic: true });
    expect(pane.received).toEqual(['hello']);
  });

  it('with a profile that cannot read the input, an unchanged screen is never reported as sent', async () => {
    const { run } = fakePane({ swallowEnters: 99 });
    await expect(send(run, 'hello', { generic: true })).rejects.toBeInstanceOf(SubmitFailedError);
    expect(run.calls.filter((call) => call.args.at(-1) === 'Enter')).toHaveLength(3);
  });
});

describe('sendMessage when poli’s control client is detached with a paste or Enter in flight', () => {
  /** The pane behind a runner that throws ControlClientClosedError once, for the first call `which` picks, after or before tmux ran it. */
  function detachedOnce(which: (args: readonly string[]) => boolean, ran: boolean) {
    const { pane, run } = fakePane();
    let thrown = false;
    const detaching = Object.assign(
      async (args: readonly string[], options?: { input?: string }) => {
        if (thrown || !which(args)) return run(args, options);
        thrown = true;
        if (ran) await run(args, options);
        throw new ControlClientClosedError('poli-test-x', 'stopped: tmux said %exit (detached)');
      },
      { calls: run.calls },
    );
    return { pane, run: detaching };
  }
  const isPaste = (args: readonly string[]): boolean => args[0] === 'load-buffer';
  const isEnter = (args: readonly string[]): boolean => args[0] === 'send-keys' && args.at(-1) === 'Enter';

  it.each([
    ['a paste tmux ran', isPaste, true, 1],
    ['a paste tmux never ran', isPaste, false, 2],
    ['an Enter tmux ran', isEnter, true, 1],
    ['an Enter tmux never ran', isEnter, false, 1],
  ])('%s: delivered exactly once, decided by the screen', async (_name, which, ran, pastes) => {
    const { pane, run } = detachedOnce(which, ran);
    const { report } = await send(run, 'the plan');
    expect(pane.received).toEqual(['the plan']);
    expect(report?.pastes).toBe(pastes);
  });
});

describe('pressKey', () => {
  it('sends one key name and rejects anything else', async () => {
    const run = createFakeRunner();
    await pressKey(run, '%2', 'Down');
    await pressKey(run, '%2', '1');
    expect(run.calls.map((call) => call.args)).toEqual([
      ['send-keys', '-t', '%2', 'Down'],
      ['send-keys', '-t', '%2', '1'],
    ]);
    await expect(pressKey(run, '%2', 'y;')).rejects.toBeInstanceOf(RangeError);
    await expect(pressKey(run, '%2', 'hello world')).rejects.toBeInstanceOf(RangeError);
  });
});
