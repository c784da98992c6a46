import { describe, expect, it } from 'vitest';
import type { MessageRecord, TaskRecord } from '../state/types.ts';
import { planResume } from './resume.ts';

const at = '2026-11-22T10:00:00.000Z';
const m = (from: MessageRecord['from'], to: MessageRecord['to'], type: MessageRecord['type'], id: string, body = 'b'): MessageRecord => ({
  from,
  to,
  type,
  id,
  body,
  at,
});
function task(messages: MessageRecord[], rounds = 0, status: TaskRecord['status'] = 'interrupted'): TaskRecord {
  return { id: 'T4', task: 't', status, rounds, startedAt: at, endedAt: at, messages, pid: 1, socket: 'poli', projectDir: '/p' };
}
const taskMsg = m('ORCHESTRATOR', 'PLANNER', 'task', 'T4-R0-a', 'the task');
const plan = m('PLANNER', 'EXECUTER', 'plan', 'T4-R0-a', 'the plan');

describe('planResume', () => {
  it('refuses tasks that are running or ended well', () => {
    expect(planResume(task([], 0, 'completed'))).toBe('task T4 is completed; only interrupted, failed or timed-out tasks can be resumed');
    expect(planResume(task([], 0, 'running'))).toBe('task T4 is running; only interrupted, failed or timed-out tasks can be resumed');
  });

  it('starts over when nothing was recorded', () => {
    expect(planResume(task([]))).toEqual({ kind: 'start' });
  });

  it('sends poli\'s own last message again under its id', () => {
    expect(planResume(task([taskMsg]))).toEqual({ kind: 'resend', role: 'PLANNER', type: 'task', id: 'T4-R0-a', body: 'the task', rounds: 0 });
    const edited = m('HUMAN', 'EXECUTER', 'plan', 'T4-R1-b', 'edited');
    expect(planResume(task([taskMsg, plan, edited], 1))).toEqual({ kind: 'resend', role: 'EXECUTER', type: 'plan', id: 'T4-R1-b', body: 'edited', rounds: 1 });
  });

  it('replays a plan that was read but maybe not forwarded, undoing its round', () => {
    expect(planResume(task([taskMsg, plan], 1))).toEqual({
      kind: 'replay',
      role: 'PLANNER',
      block: { header: { to: 'EXECUTER', type: 'plan', id: 'T4-R0-a' }, body: 'the plan', startLine: 0, endLine: 0 },
      rounds: 0,
    });
  });

  it('sends the work again under the executer\'s id when it was interrupted mid-work', () => {
    const status = m('EXECUTER', 'PLANNER', 'status', 'T4-R1-c', 'working');
    expect(planResume(task([taskMsg, plan, status], 1))).toEqual({
      kind: 'resend',
      role: 'EXECUTER',
      type: 'plan',
      id: 'T4-R1-c',
      body: 'the plan',
      rounds: 1,
      // The status recorded already: the resumed turn does not take it again off the screen.
      recorded: [{ header: { to: 'PLANNER', type: 'status', id: 'T4-R1-c' }, body: 'working', startLine: 0, endLine: 0 }],
    });
  });

  it('replays a result that was read but not yet reviewed', () => {
    const result = m('EXECUTER', 'PLANNER', 'result', 'T4-R1-c', 'done');
    expect(planResume(task([taskMsg, plan, result], 1, 'timeout'))).toMatchObject({ kind: 'replay', role: 'EXECUTER', rounds: 1 });
  });

  it('asks the planner again after it reported an error', () => {
    const review = m('ORCHESTRATOR', 'PLANNER', 'review', 'T4-R1-d', 'r');
    const error = m('PLANNER', 'ORCHESTRATOR', 'error', 'T4-R1-d', 'cannot');
    expect(planResume(task([taskMsg, plan, review, error], 1, 'failed'))).toEqual({
      kind: 'resend',
      role: 'PLANNER',
      type: 'review',
      id: 'T4-R1-d',
      body: 'r',
      rounds: 1,
    });
  });

  it('resumes a task that stopped at --max-rounds only with a higher --max-rounds, its refused round not counted', () => {
    const result = m('EXECUTER', 'PLANNER', 'result', 'T4-R2-c', 'done');
    const review = m('ORCHESTRATOR', 'PLANNER', 'review', 'T4-R2-c', 'done');
    const more = m('PLANNER', 'EXECUTER', 'continue', 'T4-R3-d', 'more');
    const stopped = task([taskMsg, plan, result, review, more], 2, 'max_rounds');
    const refusal = 'task T4 stopped at --max-rounds after 2 rounds; to continue it, pass a higher --max-rounds (3 or more): poli --resume T4 --max-rounds N';
    expect(planResume(stopped)).toBe(refusal);
    expect(planResume(stopped, 2)).toBe(refusal);
    expect(planResume(stopped, 5)).toEqual({
      kind: 'replay',
      role: 'PLANNER',
      block: { header: { to: 'EXECUTER', type: 'continue', id: 'T4-R3-d' }, body: 'more', startLine: 0, endLine: 0 },
      rounds: 2,
    });
  });
});
