import { describe, expect, it } from 'vitest';
import { chunkUtf8, keyCommands, MAX_LITERAL_BYTES, splitKeys } from './pane-keys.ts';

describe('splitKeys', () => {
  it.each([
    ['plain text', 'echo hi', [{ kind: 'text', text: 'echo hi' }]],
    ['Enter after text', 'ls\r', [{ kind: 'text', text: 'ls' }, { kind: 'key', name: 'Enter' }]],
    ['Backspace', 'ab\x7f', [{ kind: 'text', text: 'ab' }, { kind: 'key', name: 'BSpace' }]],
    ['Ctrl+C', '\x03', [{ kind: 'key', name: 'C-c' }]],
    ['Ctrl+D and Ctrl+Z', '\x04\x1a', [{ kind: 'key', name: 'C-d' }, { kind: 'key', name: 'C-z' }]],
    ['Tab', 'gi\t', [{ kind: 'text', text: 'gi' }, { kind: 'key', name: 'Tab' }]],
    ['arrows, normal mode', '\x1b[A\x1b[B\x1b[C\x1b[D', ['Up', 'Down', 'Right', 'Left'].map((name) => ({ kind: 'key', name }))],
    ['arrows, application mode', '\x1bOA\x1bOD', [{ kind: 'key', name: 'Up' }, { kind: 'key', name: 'Left' }]],
    ['Delete, Home, End, Page Up/Down, Shift+Tab', '\x1b[3~\x1b[H\x1b[F\x1b[5~\x1b[6~\x1b[Z', ['DC', 'Home', 'End', 'PPage', 'NPage', 'BTab'].map((name) => ({ kind: 'key', name }))],
    ['a lone Escape', '\x1b', [{ kind: 'key', name: 'Escape' }]],
    ['Escape then text', '\x1bx', [{ kind: 'key', name: 'Escape' }, { kind: 'text', text: 'x' }]],
    ['words tmux would read as keys stay text', 'Enter C-c', [{ kind: 'text', text: 'Enter C-c' }]],
    ['UTF-8 text', 'é 中文 😀', [{ kind: 'text', text: 'é 中文 😀' }]],
    ['control bytes without a name are dropped', 'a\x1cb', [{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }]],
    ['nothing', '', []],
  ] as const)('%s', (_name, data, expected) => {
    expect(splitKeys(data)).toEqual(expected);
  });
});

describe('keyCommands', () => {
  it('types text literally (after --, so a leading dash is no flag) and runs of keys as one send-keys', () => {
    expect(keyCommands('%3', '-rf;\r\x1b[A\x1b[A\x03')).toEqual([
      ['send-keys', '-t', '%3', '-l', '--', '-rf;'],
      ['send-keys', '-t', '%3', 'Enter', 'Up', 'Up', 'C-c'],
    ]);
  });

  it('cuts a long paste into literal chunks tmux accepts', () => {
    const commands = keyCommands('%1', 'x'.repeat(MAX_LITERAL_BYTES * 2 + 5));
    expect(commands.map((args) => args.at(-1)?.length)).toEqual([MAX_LITERAL_BYTES, MAX_LITERAL_BYTES, 5]);
  });

  it('types nothing for empty data', () => {
    expect(keyCommands('%1', '')).toEqual([]);
  });
});

describe('chunkUtf8', () => {
  it('never cuts inside a character', () => {
    expect(chunkUtf8('aé😀b', 4)).toEqual(['aé', '😀', 'b']);
    expect(chunkUtf8('😀😀', 4)).toEqual(['😀', '😀']);
  });
});
