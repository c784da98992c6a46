import { describe, expect, it } from 'vitest';
import { clockText, DEFAULT_LIMIT_POLICY, planUsageWait } from './limits.ts';

const NOW = Date.UTC(2026, 10, 28, 9, 0, 0);
const episode = { id: 'T1-R1-a', firstSince: NOW, waits: 1 };

describe('planUsageWait', () => {
  it('looks again a minute after a reset shown to the minute', () => {
    const plan = planUsageWait({ kind: 'usage', line: 'limit', resetAt: NOW + 600_000, resetText: '9:10 AM' }, 'EXECUTER', NOW, episode, DEFAULT_LIMIT_POLICY);
    expect(plan).toMatchObject({ wait: { until: NOW + 660_000, resetAt: NOW + 600_000 } });
  });

  it('looks again 5 s after a reset shown to the second (a provider ISO time)', () => {
    const screen = { kind: 'usage' as const, line: 'quota', resetAt: NOW + 10_000, resetText: '2026-11-28T09:00:10Z', resetExact: true };
    const plan = planUsageWait(screen, 'EXECUTER', NOW, episode, DEFAULT_LIMIT_POLICY);
    expect(plan).toEqual({
      wait: {
        kind: 'usage',
        role: 'EXECUTER',
        reason: 'the EXECUTER hit its usage limit (resets 2026-11-28T09:00:10Z); poli checks it again at 09:00 UTC',
        line: 'quota',
        since: NOW,
        until: NOW + 15_000,
        resetAt: NOW + 10_000,
      },
    });
  });

  it('without a reset time, waits on the backoff', () => {
    const plan = planUsageWait({ kind: 'usage', line: 'quota' }, 'PLANNER', NOW, { ...episode, waits: 2 }, DEFAULT_LIMIT_POLICY);
    expect(plan).toMatchObject({ wait: { until: NOW + 2 * DEFAULT_LIMIT_POLICY.backoffFirstMs } });
  });
});

describe('clockText', () => {
  it('is HH:MM UTC on the same UTC day, and names the day otherwise', () => {
    const now = Date.UTC(2026, 10, 28, 9, 0);
    expect(clockText(Date.UTC(2026, 10, 28, 23, 59), now)).toBe('23:59 UTC');
    expect(clockText(Date.UTC(2026, 11, 1, 5, 8), now)).toBe('Dec 1 05:08 UTC');
    expect(clockText(Date.UTC(2026, 10, 29, 0, 5), now)).toBe('Nov 29 00:05 UTC');
  });
});
