import { describe, expect, it } from 'vitest';
import { attribute, attributionKey, promptRole } from './attribute.ts';

const plan = '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1-R1-lsf17t"}]]\nDo it.\n[[/POLI:MSG]]';

describe('attribute', () => {
  it('charges a prompt that starts with a header to this role to its message', () => {
    expect(attribute(plan, 'EXECUTER')).toEqual({ via: 'header', messageId: 'T1-R1-lsf17t' });
  });

  it('does not charge a header addressed to the other role to it', () => {
    expect(attribute(plan, 'PLANNER')).toEqual({ via: 'unattributed' });
  });

  it('charges a reminder to the message it names', () => {
    const text = 'Reminder from poli: I am still waiting for your reply to message T2-R3-xsexvf. Reply with …';
    expect(attribute(text, 'PLANNER')).toEqual({ via: 'reminder', messageId: 'T2-R3-xsexvf' });
  });

  it('knows the primer of its role, and calls anything else unattributed', () => {
    expect(attribute('You are the PLANNER in a two-agent team run by poli. …', 'PLANNER')).toEqual({ via: 'primer' });
    expect(attribute('You are the PLANNER in a two-agent team run by poli. …', 'EXECUTER')).toEqual({ via: 'unattributed' });
    expect(attribute('what is 2+2?', 'EXECUTER')).toEqual({ via: 'unattributed' });
    expect(attribute('[[POLI:MSG {not json]]', 'EXECUTER')).toEqual({ via: 'unattributed' });
  });

  it('keys a turn by its message id, or by how it started and the role', () => {
    expect(attributionKey({ via: 'header', messageId: 'T1-R1-abcdef' }, 'PLANNER')).toBe('T1-R1-abcdef');
    expect(attributionKey({ via: 'primer' }, 'EXECUTER')).toBe('primer:EXECUTER');
    expect(attributionKey({ via: 'unattributed' }, 'PLANNER')).toBe('unattributed:PLANNER');
  });
});

describe('promptRole', () => {
  it('tells whose session a prompt belongs to, from the primer or the header', () => {
    expect(promptRole(plan)).toBe('EXECUTER');
    expect(promptRole('You are the PLANNER in a two-agent team run by poli.')).toBe('PLANNER');
    expect(promptRole('Reminder from poli: … T1-R1-abcdef')).toBeUndefined();
  });
});
