import { describe, expect, it } from 'vitest';
import { messageId, reportOf, withTaskId } from './task-report.ts';

describe('reportOf', () => {
  it('reports a CLI reply, a status and poli’s own message with their events', () => {
    expect(reportOf({ from: 'PLANNER', to: 'EXECUTER', type: 'plan' })).toEqual({ line: true, cli: 'PLANNER', event: 'reply' });
    expect(reportOf({ from: 'EXECUTER', to: 'ORCHESTRATOR', type: 'status' })).toEqual({ line: true, cli: 'EXECUTER', event: 'status' });
    expect(reportOf({ from: 'ORCHESTRATOR', to: 'EXECUTER', type: 'continue' })).toEqual({ line: true, cli: null, event: 'send' });
  });

  it('gives no line to a result’s review, nor to the reason sent back after a rejection', () => {
    expect(reportOf({ from: 'ORCHESTRATOR', to: 'PLANNER', type: 'review' }).line).toBe(false);
    expect(reportOf({ from: 'HUMAN', to: 'PLANNER', type: 'revision' }, { rejected: true }).line).toBe(false);
    expect(reportOf({ from: 'HUMAN', to: 'PLANNER', type: 'revision' }).line).toBe(true);
  });

  it('says a rejected reply was not forwarded', () => {
    expect(reportOf({ from: 'EXECUTER', to: 'PLANNER', type: 'result' }, { rejected: true }).note).toBe('rejected by you, not forwarded');
    expect(reportOf({ from: 'HUMAN', to: 'PLANNER', type: 'revision' }, { rejected: true }).note).toBeUndefined();
  });
});

describe('messageId', () => {
  it('keeps six base-36 characters of the random part, padded', () => {
    expect(messageId(3, 2, 0)).toBe('T3-R2-000000');
    expect(messageId(3, 2, 0xffffffff)).toBe('T3-R2-z141z3');
  });
});

describe('withTaskId', () => {
  it('puts the task id into the resume advice', () => {
    expect(withTaskId('gone; continue with `poli --resume ID`', 'T7')).toBe('gone; continue with `poli --resume T7`');
  });
});
