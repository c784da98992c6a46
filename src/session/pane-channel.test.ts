import { describe, expect, it } from 'vitest';
import { cleanLines } from './pane-channel.ts';

describe('cleanLines', () => {
  it('applies a profile’s clean-up to every line, and leaves the text as it is without one', () => {
    const dropBar = (line: string) => line.replace(/ ▐$/, '');
    expect(cleanLines('a ▐\nb ▐\nc', dropBar)).toBe('a\nb\nc');
    expect(cleanLines('a ▐\nb', undefined)).toBe('a ▐\nb');
  });
});
