import { describe, expect, it } from 'vitest';
import { shellQuote } from './cli-specs.ts';

describe('shellQuote', () => {
  it('leaves plain words and paths as they are', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellQuote('--import=tsx@4')).toBe('--import=tsx@4');
  });

  it('quotes spaces and quotes so sh reads the word back whole', () => {
    expect(shellQuote('/home/a b/mock.ts')).toBe(`'/home/a b/mock.ts'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
  });
});
