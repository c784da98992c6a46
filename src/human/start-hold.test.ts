import { describe, expect, it } from 'vitest';
import type { ControlCommand } from './control.ts';
import { holdBeforeStart } from './start-hold.ts';

/** A poll that hands out one batch per look, then nothing. */
function inbox(batches: ControlCommand[][]) {
  let looks = 0;
  return {
    poll: async () => {
      looks += 1;
      return batches.shift() ?? [];
    },
    looks: () => looks,
  };
}

const base = (poll: () => Promise<ControlCommand[]>, signal = new AbortController().signal) => {
  const holds: boolean[] = [];
  return { holds, options: { poll, sleep: async () => undefined, everyMs: 100, signal, onHold: (on: boolean) => holds.push(on) } };
};

describe('holdBeforeStart', () => {
  it('goes at once when nothing holds the task, keeping the notes for the dialogue', async () => {
    const note: ControlCommand = { kind: 'say', to: 'PLANNER', text: 'short' };
    const box = inbox([[note]]);
    const { holds, options } = base(box.poll);
    expect(await holdBeforeStart([], options)).toEqual({ outcome: 'go', commands: [note] });
    expect(holds).toEqual([]);
  });

  it('holds a task paused while idle until poli resume', async () => {
    const box = inbox([[], [], [{ kind: 'resume' }]]);
    const { holds, options } = base(box.poll);
    expect(await holdBeforeStart([{ kind: 'pause' }], options)).toEqual({ outcome: 'go', commands: [{ kind: 'pause' }, { kind: 'resume' }] });
    expect(holds).toEqual([true, false]);
    expect(box.looks()).toBe(3);
  });

  it('ends the hold as stopped on poli stop, or when the task is interrupted here', async () => {
    const stop = inbox([[{ kind: 'pause' }], [{ kind: 'stop' }]]);
    expect(await holdBeforeStart([], base(stop.poll).options)).toMatchObject({ outcome: 'stopped', reason: 'stopped by the human (poli stop)' });
    const controller = new AbortController();
    controller.abort('interrupted by Ctrl+C (SIGINT)');
    const { options } = base(inbox([]).poll, controller.signal);
    expect(await holdBeforeStart([{ kind: 'pause' }], options)).toMatchObject({ outcome: 'stopped', reason: 'interrupted by Ctrl+C (SIGINT)' });
  });
});
