import { describe, expect, it } from 'vitest';
import { encodePaneFrame, readClientFrame } from './pane-frames.ts';

describe('encodePaneFrame', () => {
  it('writes a reset with the screen in a fixed key order', () => {
    expect(encodePaneFrame({ type: 'reset', data: 'a\r\nb', cursorY: 1, cursorX: 2, rows: 24, cols: 80 })).toBe(
      '{"type":"reset","cols":80,"rows":24,"cursorX":2,"cursorY":1,"data":"a\\r\\nb"}',
    );
  });

  it('writes output, gone and error frames', () => {
    expect(encodePaneFrame({ type: 'output', data: '\x1b[1mé' })).toBe('{"type":"output","data":"\\u001b[1mé"}');
    expect(encodePaneFrame({ type: 'gone' })).toBe('{"type":"gone"}');
    expect(encodePaneFrame({ type: 'error', message: 'no' })).toBe('{"type":"error","message":"no"}');
  });
});

describe('readClientFrame', () => {
  it('takes input when the socket was opened for input', () => {
    expect(readClientFrame('{"type":"input","data":"ls\\r"}', true)).toEqual({ kind: 'input', data: 'ls\r' });
  });

  it('refuses input on a read-only socket, and says how to type', () => {
    expect(readClientFrame('{"type":"input","data":"ls\\r"}', false)).toEqual({
      kind: 'reply',
      frame: { type: 'error', message: 'read-only: this pane was opened without ?input=1; turn on "type into pane" to type' },
    });
  });

  it.each([
    ['not JSON', 'hello', 'not JSON: expected {"type":"input","data":"…"}, got "hello"'],
    ['another type', '{"type":"resize"}', 'unknown frame: expected {"type":"input","data":"…"}, got "{\\"type\\":\\"resize\\"}"'],
    ['JSON that is no object', '42', 'unknown frame: expected {"type":"input","data":"…"}, got "42"'],
    ['data that is no string', '{"type":"input","data":5}', 'an input frame needs "data" as a string, got "{\\"type\\":\\"input\\",\\"data\\":5}"'],
  ])('answers %s with an error frame', (_name, text, message) => {
    expect(readClientFrame(text, true)).toEqual({ kind: 'reply', frame: { type: 'error', message } });
  });

  it('quotes at most 80 characters of what it could not read', () => {
    const action = readClientFrame('x'.repeat(200), true);
    expect(action).toEqual({ kind: 'reply', frame: { type: 'error', message: `not JSON: expected {"type":"input","data":"…"}, got "${'x'.repeat(80)}…"` } });
  });
});
