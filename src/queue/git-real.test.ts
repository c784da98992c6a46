import { describe, expect, it } from 'vitest';
import { checkoutDirtyReason } from './git-real.ts';

describe('checkoutDirtyReason', () => {
  it('names the person’s files that are in the way, on one line', () => {
    const git = 'error: Your local changes to the following files would be overwritten by merge:\n\tx.txt\n\tsub/y.txt\nPlease commit your changes or stash them before you merge.\nAborting';
    expect(checkoutDirtyReason('main', '/p', git)).toBe('your checkout of main (/p) has uncommitted changes to x.txt, sub/y.txt that moving main would overwrite; commit them or move them away');
  });

  it('keeps git’s text, on one line, when it names no file', () => {
    expect(checkoutDirtyReason('main', '/p', 'fatal: something\nelse\n')).toBe('main could not move in your checkout (/p): fatal: something / else');
    expect(checkoutDirtyReason('main', '/p', '')).toBe('main could not move in your checkout (/p): git gave no reason');
  });
});
