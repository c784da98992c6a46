import { describe, expect, it } from 'vitest';
import { fakeDialogue } from '../../test/helpers/fake-dialogue.ts';
import { blockKey, formatBlock } from '../protocol/format-block.ts';
import type { Block } from '../protocol/types.ts';
import { expectLine } from './machine.ts';
import { beginDialogue } from './resume-start.ts';

const status: Block = { header: { to: 'PLANNER', type: 'status', id: 'T1-r1-ab' }, body: 'halfway', startLine: 0, endLine: 0 };

describe('beginDialogue', () => {
  it('sends a new task to the PLANNER', async () => {
    const fake = fakeDialogue();
    await beginDialogue(fake.dialogue);
    expect(fake.dialogue.state.pending).toMatchObject({ role: 'PLANNER', id: 'm1', sentType: 'task' });
    expect(fake.panes.PLANNER.submitted).toEqual([`${formatBlock({ to: 'PLANNER', type: 'task', id: 'm1' }, 'the task')}\n${expectLine('PLANNER', 'm1')}`]);
  });

  it('types a message not yet submitted again, same id, with the context, its recorded replies taken already', async () => {
    const fake = fakeDialogue({
      start: {
        resume: { kind: 'resend', role: 'EXECUTER', type: 'plan', id: 'T1-r1-ab', body: 'do it', rounds: 1, recorded: [status] },
        context: 'CONTEXT',
      },
    });
    await beginDialogue(fake.dialogue);
    expect(fake.dialogue.state).toMatchObject({ rounds: 1, pending: { role: 'EXECUTER', id: 'T1-r1-ab', sentType: 'plan' } });
    const formatted = `${formatBlock({ to: 'EXECUTER', type: 'plan', id: 'T1-r1-ab' }, 'do it\n\nCONTEXT')}\n${expectLine('EXECUTER', 'T1-r1-ab')}`;
    expect(fake.panes.EXECUTER.submitted).toEqual([formatted]);
    expect(fake.dialogue.turn?.taken.has(blockKey(status))).toBe(true);
    expect(fake.deliveries.map((d) => d.stage)).toEqual(['written', 'pasted', 'submitted']);
  });

  it('looks for the reply to a message submitted before poli stopped, ready to type it again if it was lost', async () => {
    const fake = fakeDialogue({
      start: { resume: { kind: 'await', role: 'EXECUTER', type: 'plan', id: 'T1-r1-ab', body: 'do it', rounds: 1 } },
    });
    await beginDialogue(fake.dialogue);
    expect(fake.panes.EXECUTER.submitted).toEqual([]);
    expect(fake.notices.at(-1)?.text).toBe('resuming: EXECUTER already has message T1-r1-ab; looking for its reply');
    const turn = fake.dialogue.turn!;
    expect(turn.text).toBe(`${formatBlock({ to: 'EXECUTER', type: 'plan', id: 'T1-r1-ab' }, 'do it')}\n${expectLine('EXECUTER', 'T1-r1-ab')}`);
    await turn.lost?.();
    expect(fake.panes.EXECUTER.submitted).toEqual([turn.text]);
  });

  it('acts on a recorded reply without recording it again', async () => {
    const plan: Block = { header: { to: 'EXECUTER', type: 'plan', id: 'T1-r0-cd' }, body: 'the plan', startLine: 0, endLine: 0 };
    const fake = fakeDialogue({ start: { resume: { kind: 'replay', role: 'PLANNER', block: plan, rounds: 0 } } });
    await beginDialogue(fake.dialogue);
    expect(fake.dialogue.state).toMatchObject({ rounds: 1, pending: { role: 'EXECUTER', id: 'm1', sentType: 'plan' } });
    expect(fake.recorded).toEqual([]);
    expect(fake.panes.EXECUTER.submitted[0]).toContain('the plan');
  });

  it('refuses a plan that says to start anew', async () => {
    const fake = fakeDialogue({ start: { resume: { kind: 'start' } } });
    await expect(beginDialogue(fake.dialogue)).rejects.toThrow('bug: a resume with nothing recorded must start the task anew');
  });
});
