/** The TUI's submission logic with fake streams: what gets submitted when, and how a restart ends a turn. */
import { afterEach, describe, expect, it } from 'vitest';
import { PASTE_END, PASTE_START } from './keys.ts';
import { Tui, type TuiOptions } from './tui.ts';
import type { SubmitHandler } from './turn.ts';

const tuis: Tui[] = [];
afterEach(() => tuis.splice(0).forEach((tui) => tui.stop()));

function start(options: Partial<TuiOptions>, onSubmit: SubmitHandler = async () => undefined) {
  let listener: (chunk: string) => void = () => undefined;
  const out: string[] = [];
  const submitted: string[] = [];
  const tui = new Tui({
    input: { on: (_e, l) => (listener = l), setEncoding: () => undefined, resume: () => undefined, pause: () => undefined },
    output: { write: (chunk) => out.push(chunk) > 0, on: () => undefined, columns: 40, rows: 12 },
    title: 'Mock',
    subtitle: 'test',
    swallowEnterAfterPaste: false,
    onSubmit: async (text, turn) => {
      submitted.push(text);
      await onSubmit(text, turn);
    },
    onExit: () => undefined,
    ...options,
  });
  tui.start();
  tuis.push(tui);
  return { type: (data: string) => listener(data), out, submitted };
}

const paste = (text: string) => `${PASTE_START}${text}${PASTE_END}`;

describe('Tui submission', () => {
  it('submits at the first Enter by default, never an empty input', () => {
    const { type, submitted } = start({});
    type('\r');
    type(`${paste('a\nb')}\r`);
    expect(submitted).toEqual(['a\nb']);
  });

  it('--submit-on-paste submits the paste itself; an Enter after it finds an empty box', () => {
    const { type, submitted } = start({ submitOnPaste: true });
    type(`${paste('one')}\r`);
    expect(submitted).toEqual(['one']);
  });

  it('--enters 3 submits at the third Enter in a row; any other key starts the count again', () => {
    const { type, submitted } = start({ enters: 3 });
    type(paste('x'));
    type('\r\r');
    expect(submitted).toEqual([]);
    type('y\r\r');
    expect(submitted).toEqual([]);
    type('\r');
    expect(submitted).toEqual(['xy']);
  });

  it('--enter-newline-first: the first Enter breaks the line (shown in the box), the second submits without it', () => {
    const { type, submitted, out } = start({ enterNewlineFirst: true });
    type(paste('x'));
    type('\r');
    expect(submitted).toEqual([]);
    expect(out.at(-1)).toContain('❯\u00a0x\n  ');
    type('\r');
    expect(submitted).toEqual(['x']);
  });

  it('--input-box plain draws a bare "> " prompt row above the footer, no rules', () => {
    const { type, out } = start({ inputBox: 'plain' });
    type(paste('hi'));
    const last = out.at(-1) ?? '';
    expect(last).toContain('> hi');
    expect(last).not.toContain('───');
  });

  it('--busy-after-reply-ms keeps the spinner after the reply; a message typed meanwhile waits for Enter, then its turn', async () => {
    let replies = 0;
    const { type, submitted, out } = start({ busyAfterReplyMs: 300 }, async () => {
      replies++;
    });
    type(`${paste('first')}\r`);
    await new Promise((r) => setTimeout(r, 5));
    expect(replies).toBe(1);
    expect(out.at(-1)).toContain('esc to interrupt');
    type(paste('second'));
    expect(out.at(-1)).toContain('second');
    type('\r');
    expect(submitted).toEqual(['first']);
    // Timers fire in order: this one after the 300 ms of spinner, which let the queued message run.
    await new Promise((r) => setTimeout(r, 400));
    expect(submitted).toEqual(['first', 'second']);
  });

  it('a restart clears the screen, reprints the banner and ends the turn without a "Worked for" line', async () => {
    const { type, out } = start({}, async (_text, turn) => turn.restart());
    type(`${paste('go')}\r`);
    await new Promise((r) => setImmediate(r));
    const cleared = out.findIndex((chunk) => chunk.startsWith('\x1b[2J\x1b[3J\x1b[H'));
    expect(cleared).toBeGreaterThan(0);
    const after = out.slice(cleared).join('');
    expect(after).toContain('Mock');
    expect(after).toContain('? for shortcuts');
    expect(after).not.toContain('Worked for');
    expect(after).not.toContain('esc to interrupt');
  });
});
