import { describe, expect, it } from 'vitest';
import { HeldTime } from './held-time.ts';

describe('HeldTime', () => {
  it('counts only the time not held against the timeouts', () => {
    let mono = 1_000;
    const held = new HeldTime(() => mono);
    expect(held.now()).toBe(1_000);
    const loopStart = mono;
    mono += 400;
    held.holdSince(loopStart);
    expect(held.ms).toBe(400);
    expect(held.now()).toBe(1_000);
    mono += 100;
    held.hold(50);
    expect(held.ms).toBe(450);
    expect(held.now()).toBe(1_050);
  });

  it('starts unpaused', () => {
    expect(new HeldTime(() => 0).paused).toBe(false);
  });
});
