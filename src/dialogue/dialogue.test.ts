import { describe, expect, it } from 'vitest';
import { fakeDialogue } from '../../test/helpers/fake-dialogue.ts';
import { formatBlock } from '../protocol/format-block.ts';
import type { ProgressEvent } from './types.ts';

describe('Dialogue', () => {
  it('runs until the PLANNER completes the task', async () => {
    const fake = fakeDialogue();
    const { panes } = fake;
    const submit = panes.PLANNER.submit.bind(panes.PLANNER);
    panes.PLANNER.submit = async (text, options) => {
      await submit(text, options);
      panes.PLANNER.output.push(...formatBlock({ to: 'ORCHESTRATOR', type: 'complete', id: 'm1' }, 'all done').split('\n'));
    };
    expect(await fake.dialogue.run()).toEqual({ status: 'completed', reason: 'all done', rounds: 0 });
    expect(fake.recorded.map((m) => `${m.from}>${m.to} ${m.type}`)).toEqual(['ORCHESTRATOR>PLANNER task', 'PLANNER>ORCHESTRATOR complete']);
    expect(fake.deliveries.at(-1)?.stage).toBe('answered');
  });

  it('takes commands through control(): a note goes with the next message to its role, stop ends the task', async () => {
    let looks = 0;
    const fake = fakeDialogue({ control: async () => (++looks === 5 ? [{ kind: 'stop' }] : []) });
    const { dialogue, panes } = fake;
    const submit = panes.PLANNER.submit.bind(panes.PLANNER);
    panes.PLANNER.submit = async (text, options) => {
      await submit(text, options);
      panes.PLANNER.output.push(...formatBlock({ to: 'EXECUTER', type: 'plan', id: 'm1' }, 'the plan').split('\n'));
    };
    const events: ProgressEvent[] = [];
    const off = dialogue.onEvent((e) => events.push(e));
    dialogue.control({ kind: 'say', to: 'EXECUTER', text: 'use tabs' });
    expect(await dialogue.run()).toEqual({ status: 'interrupted', reason: 'stopped by the human (poli stop)', rounds: 1 });
    expect(panes.EXECUTER.submitted[0]).toContain('the plan\n\n[A note from the person supervising this task]\nuse tabs');
    expect(fake.recorded.filter((m) => m.from === 'HUMAN')).toEqual([{ from: 'HUMAN', to: 'EXECUTER', type: 'plan', id: 'm2', body: 'use tabs' }]);
    expect(events.filter((e) => e.kind !== 'progress').map((e) => e.kind)).toEqual(['say', 'stop']);
    off();
    dialogue.notice('progress', 'after');
    expect(events.at(-1)?.text).not.toBe('after');
    expect(fake.notices.at(-1)?.text).toBe('after');
  });

  it('holds the time while paused, so the timeouts do not run', async () => {
    let looks = 0;
    const fake = fakeDialogue({
      limits: { maxRounds: 5, planTimeoutSec: 1, execTimeoutSec: 1 },
      control: async () => (++looks === 30 ? [{ kind: 'stop' }] : []),
    });
    fake.dialogue.control({ kind: 'pause' });
    expect(await fake.dialogue.run()).toMatchObject({ status: 'interrupted' });
    // 29 looks of 100 ms each, all held: the 1 s timeout never fired.
    expect(fake.dialogue.held.ms).toBe(2_900);
  });
});
