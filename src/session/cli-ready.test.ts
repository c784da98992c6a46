import { describe, expect, it } from 'vitest';
import type { PaneLiveness } from '../tmux/types.ts';
import { CliNotReadyError, waitUntilReady, type ReadyWatch } from './cli-ready.ts';

/** A pane whose screens are shown one per look (the last one stays), on a clock that only moves when slept. */
function pane(screens: string[][], lives: PaneLiveness[] = [], readyTimeoutMs = 1_000, classify = (lines: readonly string[]) => (lines.join('').includes('>') ? 'idle' : 'busy')) {
  let t = 0;
  const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
  const watch = {
    role: 'PLANNER',
    paneId: '%0',
    profile: { classify },
    reader: { bottomLines: async () => (screens.length > 1 ? screens.shift()! : screens[0]!), lastLines: async () => 'last line' },
    dialogs: { handle: async () => undefined },
    server: { liveness: async () => [lives.shift() ?? { paneId: '%0', dead: false }] },
    clock,
    readyTimeoutMs,
    pollMs: 50,
    socket: 'poli-test',
  } as unknown as ReadyWatch;
  return { watch, elapsed: () => t };
}

describe('waitUntilReady', () => {
  it('is ready once the idle screen is unchanged since the previous look', async () => {
    const { watch } = pane([['working'], ['ready >'], ['ready >']]);
    expect(await waitUntilReady(watch, 'did not show a ready prompt')).toBeUndefined();
  });

  it('returns the exit of a CLI that died meanwhile', async () => {
    const { watch } = pane([['working']], [{ paneId: '%0', dead: true, exitStatus: 127 }]);
    expect(await waitUntilReady(watch, 'did not show a ready prompt')).toEqual({ paneId: '%0', dead: true, exitStatus: 127 });
  });

  it('reports a CLI that never gets ready, with its last lines and the attach hint', async () => {
    const { watch } = pane([['working']]);
    const error = await waitUntilReady(watch, 'did not show a ready prompt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliNotReadyError);
    expect(String((error as Error).message)).toMatch(/PLANNER CLI in pane %0 did not show a ready prompt[\s\S]*\| last line[\s\S]*tmux -L poli-test attach/);
  });

  it('waits a while after the primer when the CLI was never seen busy and shows no answer', async () => {
    const { watch, elapsed } = pane([['ready >']], [], 10_000);
    expect(await waitUntilReady(watch, 'did not finish answering its primer', { before: ['ready >'], payload: 'You are the PLANNER' })).toBeUndefined();
    // PRIMER_QUIET_MS: an idle screen right after the primer may not have taken it yet.
    expect(elapsed()).toBeGreaterThanOrEqual(2_000);
  });
});
