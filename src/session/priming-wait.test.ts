import { describe, expect, it } from 'vitest';
import type { ControlCommand } from '../human/control.ts';
import type { LimitScreen } from '../profiles/limit-screens.ts';
import type { WaitRecord } from '../state/types.ts';
import { PrimingLimitError, primingLimitHandler, type PrimingWaitOptions } from './priming-wait.ts';
import type { CliSpec } from './cli-spec.ts';

const T0 = Date.parse('2026-12-07T05:00:00Z');

function setup(overrides: Partial<PrimingWaitOptions> = {}, commands: ControlCommand[][] = []) {
  let now = T0;
  const waits: (WaitRecord | null)[] = [];
  const notices: string[] = [];
  const kept: ControlCommand[] = [];
  const controller = new AbortController();
  const options: PrimingWaitOptions = {
    clock: { now: () => now, sleep: async (ms) => void (now += ms) },
    limitWaitMs: 6 * 3600_000,
    socket: 's',
    fallbacks: {},
    switched: new Set(),
    paneOf: () => '%1',
    program: () => 'mock',
    waiting: async (w) => void waits.push(w),
    notice: (_role, text) => void notices.push(text),
    control: async () => commands.shift() ?? [],
    keep: (c) => void kept.push(...c),
    signal: controller.signal,
    ...overrides,
  };
  return { options, waits, notices, kept, controller, now: () => now };
}

const usage = (resetAt: number): LimitScreen => ({ kind: 'usage', line: "You've hit your limit", resetAt });

describe('primingLimitHandler', () => {
  it('waits until the reset time plus the grace with the task waiting, then has the primer typed again', async () => {
    const s = setup();
    const result = await primingLimitHandler(s.options)('EXECUTER', usage(T0 + 3600_000));
    expect(result).toBeUndefined();
    expect(s.now()).toBe(T0 + 3600_000 + 60_000);
    expect(s.waits[0]).toMatchObject({ kind: 'usage', role: 'EXECUTER', until: new Date(T0 + 3660_000).toISOString() });
    expect(s.waits[1]).toBeNull();
    expect(s.notices.at(-1)).toBe('the wait for the EXECUTER is over (the reset time came); typing its primer again');
  });

  it('poli resume cuts it short; a pause is kept for the dialogue; poli stop ends it as interrupted', async () => {
    const s = setup({}, [[], [{ kind: 'pause' } as ControlCommand, { kind: 'resume' } as ControlCommand]]);
    await primingLimitHandler(s.options)('PLANNER', usage(T0 + 3600_000));
    expect(s.notices.at(-1)).toContain('cut short by poli resume');
    expect(s.kept).toEqual([{ kind: 'pause' }]);
    const stopped = setup({}, [[{ kind: 'stop' } as ControlCommand]]);
    const error = await primingLimitHandler(stopped.options)('PLANNER', usage(T0 + 3600_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrimingLimitError);
    expect((error as PrimingLimitError).interrupted).toBe(true);
  });

  it('a reset beyond --limit-wait fails; --on-limit switch returns the fallback once', async () => {
    const s = setup({ limitWaitMs: 3600_000 });
    await expect(primingLimitHandler(s.options)('EXECUTER', usage(T0 + 5 * 3600_000))).rejects.toThrow(/beyond --limit-wait 1 h/);
    const fallback = { command: 'fb', profile: { name: 'mock' } } as unknown as CliSpec;
    const f = setup({ fallbacks: { EXECUTER: fallback } });
    const handler = primingLimitHandler(f.options);
    expect(await handler('EXECUTER', usage(T0 + 60_000))).toBe(fallback);
    expect(await handler('EXECUTER', usage(T0 + 60_000))).toBeUndefined();
  });
});
