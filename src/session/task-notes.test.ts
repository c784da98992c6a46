import { describe, expect, it } from 'vitest';
import type { ControlCommand } from '../human/control.ts';
import { TaskNotes } from './task-notes.ts';

const say = (text: string): ControlCommand => ({ kind: 'say', to: 'EXECUTER', text });

describe('TaskNotes', () => {
  it('hands the carried commands over before the polled ones, and notes each say', async () => {
    const polled: ControlCommand[][] = [[say('b')], []];
    const notes = new TaskNotes(async () => polled.shift() ?? [], [say('a'), { kind: 'pause' }]);
    expect((await notes.control()).map((c) => c.kind)).toEqual(['say', 'pause', 'say']);
    expect(await notes.control()).toEqual([]);
    expect(notes.takeUndelivered()).toEqual([
      { to: 'EXECUTER', text: 'a' },
      { to: 'EXECUTER', text: 'b' },
    ]);
    expect(notes.takeUndelivered()).toEqual([]);
  });

  it('forgets a note once a message from the person carries it to that CLI', async () => {
    const notes = new TaskNotes(async () => [], [say('fix the test')]);
    await notes.control();
    notes.delivered({ from: 'HUMAN', to: 'PLANNER', body: 'fix the test' });
    notes.delivered({ from: 'PLANNER', to: 'EXECUTER', body: 'fix the test' });
    expect(notes.takeUndelivered()).toHaveLength(1);
    await notes.control();
    notes.delivered({ from: 'HUMAN', to: 'EXECUTER', body: 'fix the test' });
    expect(notes.takeUndelivered()).toEqual([]);
  });

  it('keeps only the notes when the task stops before it starts', async () => {
    const notes = new TaskNotes(async () => [], []);
    notes.keep([{ kind: 'pause' }, say('n'), { kind: 'stop' }]);
    notes.keepNotesOnly();
    expect(await notes.control()).toEqual([say('n')]);
    notes.keep([{ kind: 'resume' }]);
    expect(notes.takeKept()).toEqual([{ kind: 'resume' }]);
    expect(notes.takeKept()).toEqual([]);
  });
});
