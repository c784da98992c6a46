import { describe, expect, it } from 'vitest';
import { PersonNotes, withNotes } from './person-notes.ts';

describe('PersonNotes', () => {
  it('keeps notes per role until taken, oldest first', () => {
    const notes = new PersonNotes();
    notes.add('EXECUTER', 'use tabs');
    notes.add('PLANNER', 'keep it short');
    notes.add('EXECUTER', 'no new files');
    expect(notes.take('EXECUTER')).toEqual(['use tabs', 'no new files']);
    expect(notes.take('EXECUTER')).toEqual([]);
    expect(notes.take('PLANNER')).toEqual(['keep it short']);
  });

  it('appends each note to the body under its header', () => {
    expect(withNotes('body', [])).toBe('body');
    expect(withNotes('body', ['a', 'b'])).toBe(
      'body\n\n[A note from the person supervising this task]\na\n\n[A note from the person supervising this task]\nb',
    );
  });
});
