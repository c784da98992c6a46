import { describe, expect, it } from 'vitest';
import { formatCountdown, formatElapsed, formatMessage, formatProgress, summarizeBody } from './progress.ts';

describe('progress lines', () => {
  it('formats elapsed time', () => {
    expect(formatElapsed(0)).toBe('[0:00]');
    expect(formatElapsed(65_999)).toBe('[1:05]');
    expect(formatElapsed(-5)).toBe('[0:00]');
  });

  it('formats progress and message lines', () => {
    expect(formatProgress(4_000, 1, 'EXECUTER', 'plan sent to EXECUTER (round 1)')).toBe(
      '[0:04] r1 EXECUTER working · plan sent to EXECUTER (round 1)',
    );
    expect(formatProgress(9_000, 3, null, 'task completed: ok')).toBe('[0:09] r3 done · task completed: ok');
    expect(formatProgress(4_000, 1, 'EXECUTER', 'waiting: usage limit', true)).toBe('[0:04] r1 EXECUTER waiting · waiting: usage limit');
    expect([formatCountdown(83_000), formatCountdown(400), formatCountdown(2 * 3600_000 + 5 * 60_000)]).toEqual(['in 1:23', 'in 0:01', 'in 2h 05m']);
    expect(
      formatMessage(2_000, 0, { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'x', body: '<PLAN>\n1. Create hello.txt\n</PLAN>' }),
    ).toBe('[0:02] r0 PLANNER → EXECUTER plan: 1. Create hello.txt');
  });

  it('summarizes bodies', () => {
    expect(summarizeBody('\n<PLAN>\n</PLAN>')).toBe('<PLAN>');
    expect(summarizeBody('')).toBe('(empty)');
    expect(summarizeBody('abcdef', 4)).toBe('abc…');
  });
});
