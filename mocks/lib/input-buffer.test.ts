import { describe, expect, it } from 'vitest';
import { InputBuffer } from './input-buffer.ts';

describe('InputBuffer', () => {
  it('shows short single-line pastes as typed and others as numbered placeholders', () => {
    const input = new InputBuffer();
    input.type('see ');
    input.paste('short');
    input.paste('a\nb\nc');
    input.paste('x'.repeat(201));
    expect(input.display).toBe('see short[Pasted text #1 +2 lines][Pasted text #2]');
    expect(input.expand()).toBe(`see shorta\nb\nc${'x'.repeat(201)}`);
  });

  it('deletes a placeholder with one Backspace', () => {
    const input = new InputBuffer();
    input.type('ab');
    input.paste('1\n2');
    input.backspace();
    expect(input.display).toBe('ab');
    input.backspace();
    expect(input.expand()).toBe('a');
  });
});
