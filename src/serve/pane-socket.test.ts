import { describe, expect, it } from 'vitest';
import type { PaneStream } from './pane-types.ts';
import { connectPaneSocket } from './pane-socket.ts';

/** A stream with a fixed screen that records what is typed and can print or fail on demand. */
function fakeStream(typeError?: Error) {
  const typed: string[] = [];
  const output = new Set<(data: string) => void>();
  let closed = 0;
  const stream: PaneStream = {
    snapshot: async () => ({ cols: 2, rows: 1, cursorX: 0, cursorY: 0, data: 'hi' }),
    onOutput: (listener) => {
      output.add(listener);
      return () => output.delete(listener);
    },
    onGone: () => () => undefined,
    type: async (data) => {
      if (typeError !== undefined) throw typeError;
      typed.push(data);
    },
    close: async () => {
      closed += 1;
    },
  };
  return { stream, typed, print: (data: string) => output.forEach((listener) => listener(data)), closed: () => closed };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('connectPaneSocket', () => {
  it('sends the screen, then output; types input frames when opened for input', async () => {
    const { stream, typed, print } = fakeStream();
    const sent: string[] = [];
    const pane = connectPaneSocket(stream, (text) => sent.push(text), { input: true });
    await settle();
    print('x');
    await pane.receive('{"type":"input","data":"ls\\r"}');
    expect(sent).toEqual(['{"type":"reset","cols":2,"rows":1,"cursorX":0,"cursorY":0,"data":"hi"}', '{"type":"output","data":"x"}']);
    expect(typed).toEqual(['ls\r']);
  });

  it('answers input on a read-only socket with an error frame and types nothing', async () => {
    const { stream, typed } = fakeStream();
    const sent: string[] = [];
    const pane = connectPaneSocket(stream, (text) => sent.push(text), { input: false });
    await settle();
    await pane.receive('{"type":"input","data":"rm -rf /\\r"}');
    expect(typed).toEqual([]);
    expect(sent.at(-1)).toBe('{"type":"error","message":"read-only: this pane was opened without ?input=1; turn on \\"type into pane\\" to type"}');
  });

  it('says when typing failed', async () => {
    const { stream } = fakeStream(new Error('tmux pane %1 does not exist (any more); expected a live pane.'));
    const sent: string[] = [];
    const pane = connectPaneSocket(stream, (text) => sent.push(text), { input: true });
    await pane.receive('{"type":"input","data":"a"}');
    expect(sent.at(-1)).toBe('{"type":"error","message":"could not type into the pane: tmux pane %1 does not exist (any more); expected a live pane."}');
  });

  it('closes the stream once and sends nothing more after the socket closed', async () => {
    const { stream, print, closed } = fakeStream();
    const sent: string[] = [];
    const pane = connectPaneSocket(stream, (text) => sent.push(text), { input: true });
    await settle();
    await pane.close();
    await pane.close();
    print('late');
    await pane.receive('{"type":"input","data":"a"}');
    expect(closed()).toBe(1);
    expect(sent).toHaveLength(1);
  });
});
