import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyPacer } from './key-pacer.ts';
import type { KeyEvent } from './keys.ts';

describe('KeyPacer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const recorder = (msPerChar: number) => {
    const log: string[] = [];
    const pacer = new KeyPacer(
      msPerChar,
      {
        apply: (event) => log.push(event.kind === 'text' || event.kind === 'paste' ? `${event.kind}:${event.text}` : event.kind),
        preview: (text) => log.push(`preview:${text}`),
        settled: () => undefined,
      },
      () => Date.now(),
    );
    return { log, pacer };
  };

  it('passes keys straight through at 0 ms', () => {
    const { log, pacer } = recorder(0);
    pacer.push([{ kind: 'paste', text: 'ab' }, { kind: 'enter' }]);
    expect(log).toEqual(['paste:ab', 'enter']);
  });

  it('reveals typed text one character per N ms; an Enter that arrived meanwhile waits its turn', () => {
    const { log, pacer } = recorder(10);
    pacer.push([{ kind: 'text', text: 'abc' }, { kind: 'enter' }]);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(log).toEqual(['text:a']);
    vi.advanceTimersByTime(20);
    expect(log).toEqual(['text:a', 'text:b', 'text:c', 'enter']);
  });

  it('shows a paste growing, then applies it whole (so the placeholder rules still hold)', () => {
    const { log, pacer } = recorder(5);
    const events: KeyEvent[] = [{ kind: 'paste', text: 'x\ny' }];
    pacer.push(events);
    pacer.push([{ kind: 'enter' }]);
    vi.advanceTimersByTime(15);
    expect(log).toEqual(['preview:x', 'preview:x\n', 'preview:x\ny', 'preview:', 'paste:x\ny', 'enter']);
  });

  it('catches up when a timer fires late instead of falling behind', () => {
    const { log, pacer } = recorder(1);
    pacer.push([{ kind: 'text', text: 'abcdef' }]);
    vi.setSystemTime(Date.now() + 6);
    vi.advanceTimersByTime(1);
    expect(log.join('')).toBe('text:abcdef');
  });
});
