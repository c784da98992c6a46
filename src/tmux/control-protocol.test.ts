import { describe, expect, it } from 'vitest';
import { ControlParser, countCommands, decodeEscapes, formatCommandLine, isReadOnly, paneReadTarget, type ControlEvent } from './control-protocol.ts';

/** Feeds `text` (latin1: one char per byte, so raw UTF-8 bytes can be written as they arrive) in chunks. */
function parse(chunks: readonly (string | Buffer)[]): ControlEvent[] {
  const parser = new ControlParser();
  return chunks.flatMap((chunk) => parser.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk));
}

const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

describe('ControlParser', () => {
  it('frames replies by their begin triple, keeping the attach reply (flags 0) apart', () => {
    const events = parse([
      '%begin 1795317081 279 0\n%end 1795317081 279 0\n%session-changed $0 poli\n',
      '%begin 1795317081 284 1\na\n%end 1795317081 284 1\n%begin 1795317081 285 1\nb\n%end 1795317081 285 1\n',
    ]);
    expect(events).toEqual([
      { kind: 'reply', flags: '0', ok: true, lines: [] },
      { kind: 'other', line: '%session-changed $0 poli' },
      { kind: 'reply', flags: '1', ok: true, lines: ['a'] },
      { kind: 'reply', flags: '1', ok: true, lines: ['b'] },
    ]);
  });

  it('keeps pane text that looks like %end, %output or %begin inside a reply', () => {
    const events = parse([
      '%begin 1700000000 42 1\n',
      '%end 1700000000 41 1\n%end 1700000001 42 1\n%output %1 not output\n%begin 1 2 1\n%error 1700000000 42 0\n',
      '%end 1700000000 42 1\n',
    ]);
    expect(events).toEqual([
      {
        kind: 'reply',
        flags: '1',
        ok: true,
        lines: ['%end 1700000000 41 1', '%end 1700000001 42 1', '%output %1 not output', '%begin 1 2 1', '%error 1700000000 42 0'],
      },
    ]);
  });

  it('reports %error replies with their message', () => {
    expect(parse(["%begin 1795317081 288 1\ncan't find pane: %99\n%error 1795317081 288 1\n"])).toEqual([
      { kind: 'reply', flags: '1', ok: false, lines: ["can't find pane: %99"] },
    ]);
  });

  it('joins lines cut anywhere, also inside a UTF-8 character', () => {
    const bytes = Buffer.from('%begin 1 7 1\nété 中文 😀\n%end 1 7 1\n', 'utf8');
    const cuts = [3, 14, 15, 16, 22, 30];
    const chunks: Buffer[] = [];
    let at = 0;
    for (const cut of cuts) {
      chunks.push(bytes.subarray(at, cut));
      at = cut;
    }
    chunks.push(bytes.subarray(at));
    expect(parse(chunks)).toEqual([{ kind: 'reply', flags: '1', ok: true, lines: ['été 中文 😀'] }]);
  });

  it('decodes %output data: octal escapes to bytes, UTF-8 left raw', () => {
    const [event] = parse([`%output %0 ${utf8('tab\\011back\\134slash é\\015\\012')}\n`]);
    expect(event).toEqual({ kind: 'output', paneId: '%0', data: Buffer.from('tab\tback\\slash é\r\n', 'utf8') });
  });

  it('decodes %extended-output (pause-after flow control) after the " : " separator', () => {
    const [event] = parse([`%extended-output %12 0 : ${utf8('hello\\015\\012world é : x')}\n`]);
    expect(event).toEqual({ kind: 'output', paneId: '%12', data: Buffer.from('hello\r\nworld é : x', 'utf8') });
  });

  it('reads notifications interleaved with replies', () => {
    const events = parse([
      '%output %1 a\n%begin 9 300 1\n',
      'line\n%end 9 300 1\n%pause %1\n%continue %1\n',
      '%subscription-changed poli-pane-dead $0 @1 0 %3 : 1\n%sessions-changed\n%exit\n',
    ]);
    expect(events).toEqual([
      { kind: 'output', paneId: '%1', data: Buffer.from('a') },
      { kind: 'reply', flags: '1', ok: true, lines: ['line'] },
      { kind: 'pause', paneId: '%1' },
      { kind: 'continue', paneId: '%1' },
      { kind: 'subscription', name: 'poli-pane-dead', paneId: '%3', value: '1' },
      { kind: 'other', line: '%sessions-changed' },
      { kind: 'exit', reason: '' },
    ]);
  });

  it('reports the reason of %exit', () => {
    expect(parse(['%exit detached\n'])).toEqual([{ kind: 'exit', reason: 'detached' }]);
  });

  it('buffers a reply until its end arrives', () => {
    const parser = new ControlParser();
    expect(parser.feed(Buffer.from('%begin 1 2 1\npart'))).toEqual([]);
    expect(parser.inReply).toBe(true);
    expect(parser.feed(Buffer.from('ial\n%end 1 2 1\n'))).toEqual([{ kind: 'reply', flags: '1', ok: true, lines: ['partial'] }]);
    expect(parser.inReply).toBe(false);
  });
});

describe('decodeEscapes', () => {
  it.each([
    ['plain', 'plain'],
    ['\\134', '\\'],
    ['\\033[1m', '\x1b[1m'],
    ['a\\000b', 'a\0b'],
    ['trailing \\01', 'trailing \\01'],
    ['not octal \\089', 'not octal \\089'],
  ])('%j → %j', (escaped, raw) => {
    expect(decodeEscapes(Buffer.from(escaped, 'latin1'))).toEqual(Buffer.from(raw, 'latin1'));
  });
});

describe('formatCommandLine', () => {
  it('single-quotes each argument and leaves the ; separator bare', () => {
    expect(formatCommandLine(['display-message', '-p', "it's", ';', 'send-keys', '-l', 'a;'])).toBe(
      `'display-message' '-p' 'it'\\''s' ; 'send-keys' '-l' 'a;'`,
    );
  });

  it('keeps $, ~, #, { and \\ literal inside the quotes', () => {
    expect(formatCommandLine(['display-message', '-p', '$HOME ~ #{pane_id} { \\'])).toBe(`'display-message' '-p' '$HOME ~ #{pane_id} { \\'`);
  });

  it('refuses arguments a line cannot carry', () => {
    expect(formatCommandLine(['send-keys', '-l', 'a\nb'])).toBeUndefined();
    expect(formatCommandLine(['send-keys', '-l', 'a\rb'])).toBeUndefined();
  });

  it('counts one reply per command', () => {
    expect(countCommands(['display-message', '-p', 'x'])).toBe(1);
    expect(countCommands(['a', ';', 'b', ';', 'c'])).toBe(3);
    expect(countCommands(['send-keys', '-l', 'a;'])).toBe(1);
  });
});

describe('which commands only read', () => {
  const snapshot = ['display-message', '-p', '-t', '%3', '#{pane_id} #{history_size}', ';', 'capture-pane', '-p', '-J', '-t', '%3', '-S', '-8'];
  it.each([
    [snapshot, '%3'],
    [['capture-pane', '-p', '-t', '%3'], '%3'],
    [['display-message', '-p', '-t', '%3', 'x', ';', 'capture-pane', '-p', '-t', '%4'], undefined],
    [['display-message', '-t', '%3', 'x'], undefined],
    [['capture-pane', '-p'], undefined],
    [['capture-pane', '-p', '-t', 'poli:0.1'], undefined],
    [['list-panes', '-a', '-F', '#{pane_id}'], undefined],
    [['send-keys', '-t', '%3', 'Enter'], undefined],
  ])('%j reads only pane %s', (args, pane) => {
    expect(paneReadTarget(args)).toBe(pane);
  });

  it.each([
    [snapshot, true],
    [['list-panes', '-a', '-F', '#{pane_id} #{pane_dead}'], true],
    [['display-message', '-t', '%3', 'shown on a client'], false],
    [['respawn-pane', '-k', '-t', '%3', ';', 'clear-history', '-t', '%3'], false],
    [['capture-pane', '-p', '-t', '%3', ';', 'send-keys', '-t', '%3', 'x'], false],
  ])('%j is read-only: %s', (args, readOnly) => {
    expect(isReadOnly(args)).toBe(readOnly);
  });
});
