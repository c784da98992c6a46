import { describe, expect, it } from 'vitest';
import type { MessageRecord, TaskRecord, TaskUsage } from '../state/types.ts';
import {
  currentTurn,
  formatClock,
  pickStatusTask,
  renderStatusLine,
} from './status-line.ts';

const STARTED = Date.UTC(2024, 0, 2, 12, 0, 0);

function task(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: 'T3',
    task: 'Create hello.txt',
    status: 'running',
    rounds: 2,
    startedAt: new Date(STARTED).toISOString(),
    endedAt: null,
    messages: [],
    pid: 100,
    socket: 'poli',
    projectDir: '/work/p',
    ...overrides,
  };
}

function message(from: MessageRecord['from'], to: MessageRecord['to'], type: MessageRecord['type']): MessageRecord {
  return { from, to, type, id: 'T3-R2-ab12cd', body: '…', at: new Date(STARTED).toISOString() };
}

describe('currentTurn', () => {
  it.each([
    ['no messages yet', [], null],
    ['the task went to the PLANNER', [message('ORCHESTRATOR', 'PLANNER', 'task')], 'PLANNER'],
    ['a plan went to the EXECUTER', [message('PLANNER', 'EXECUTER', 'plan')], 'EXECUTER'],
    ['a continue went to the EXECUTER', [message('PLANNER', 'EXECUTER', 'continue')], 'EXECUTER'],
    ['a revision went to the EXECUTER', [message('PLANNER', 'EXECUTER', 'revision')], 'EXECUTER'],
    ['the EXECUTER sent a status', [message('PLANNER', 'EXECUTER', 'plan'), message('EXECUTER', 'PLANNER', 'status')], 'EXECUTER'],
    ['the EXECUTER sent its result', [message('EXECUTER', 'PLANNER', 'result')], 'PLANNER'],
    ['poli asked for a review', [message('EXECUTER', 'PLANNER', 'result'), message('ORCHESTRATOR', 'PLANNER', 'review')], 'PLANNER'],
    ['the HUMAN spoke to the EXECUTER', [message('HUMAN', 'EXECUTER', 'continue')], 'EXECUTER'],
    ['the PLANNER said complete', [message('PLANNER', 'ORCHESTRATOR', 'complete')], null],
  ] as const)('%s → %s', (_name, messages, expected) => {
    expect(currentTurn(task({ messages: [...messages] }))).toEqual({ round: 2, waitingFor: expected });
  });
});

describe('renderStatusLine', () => {
  const executerWorking = task({ messages: [message('PLANNER', 'EXECUTER', 'plan')] });

  it('shows task, round, whose turn and elapsed time while a task runs', () => {
    expect(renderStatusLine(executerWorking, STARTED + 72_000)).toBe('poli T3 r2 EXECUTER 01:12');
    expect(renderStatusLine(executerWorking, STARTED + 3_723_000)).toBe('poli T3 r2 EXECUTER 1:02:03');
    expect(renderStatusLine(executerWorking, STARTED - 5_000)).toBe('poli T3 r2 EXECUTER 00:00');
  });

  it('lets the caller say whose turn it is', () => {
    expect(renderStatusLine(executerWorking, STARTED + 1_000, 'PLANNER')).toBe('poli T3 r2 PLANNER 00:01');
    expect(renderStatusLine(executerWorking, STARTED + 1_000, null)).toBe('poli T3 r2 00:01');
  });

  it('leaves the role out before anyone has a turn', () => {
    expect(renderStatusLine(task({ rounds: 0 }), STARTED + 4_000)).toBe('poli T3 r0 00:04');
  });

  it('ends the line with the task\'s cost once its usage is known: a lower bound with ≥', () => {
    const totals = { calls: 2, input: 10, output: 5, cacheRead: 0, cacheWrite: 0, cost: 1.234, costComplete: true, models: ['claude-fake'] };
    const usage: TaskUsage = { total: totals, byRole: {}, byMessage: {}, unknown: [], prices: { file: 'p.json', date: '2026-12-07' } };
    expect(renderStatusLine({ ...executerWorking, usage }, STARTED + 72_000)).toBe('poli T3 r2 EXECUTER 01:12 $1.23');
    expect(renderStatusLine(task({ status: 'completed', usage: { ...usage, total: { ...totals, costComplete: false } } }), STARTED)).toBe('poli T3 completed ≥$1.23');
    expect(renderStatusLine(task({ held: { kind: 'paused', since: '' }, usage }), STARTED)).toBe('poli T3 r2 paused $1.23');
  });

  it('says how the last task ended, or idle without one', () => {
    expect(renderStatusLine(task({ status: 'completed', endedAt: new Date(STARTED).toISOString() }), STARTED)).toBe(
      'poli T3 completed',
    );
    expect(renderStatusLine(task({ status: 'max_rounds' }), STARTED)).toBe('poli T3 max_rounds');
    expect(renderStatusLine(undefined, STARTED)).toBe('poli idle');
  });
});

describe('pickStatusTask', () => {
  it('prefers the running task on the socket, else the latest there', () => {
    const t2 = task({ id: 'T2', status: 'completed' });
    const t10 = task({ id: 'T10', status: 'failed' });
    const t9 = task({ id: 'T9', status: 'running' });
    const other = task({ id: 'T11', status: 'running', socket: 'other' });
    expect(pickStatusTask([t2, t9, t10, other], 'poli')).toBe(t9);
    expect(pickStatusTask([t2, t10, t9, other].filter((t) => t !== t9), 'poli')).toBe(t10);
    expect(pickStatusTask([other], 'poli')).toBeUndefined();
    expect(pickStatusTask([], 'poli')).toBeUndefined();
  });

  it('keeps to one session of the socket: a task without a session is the default session\'s', () => {
    const mine = task({ id: 'T1', status: 'running' });
    const b = task({ id: 'T2', status: 'running', session: 'B' });
    const a = task({ id: 'T3', status: 'completed', session: 'A' });
    expect(pickStatusTask([mine, b, a], 'poli')).toBe(mine);
    expect(pickStatusTask([mine, b, a], 'poli', 'poli')).toBe(mine);
    expect(pickStatusTask([mine, b, a], 'poli', 'B')).toBe(b);
    expect(pickStatusTask([mine, b, a], 'poli', 'A')).toBe(a);
    expect(pickStatusTask([mine, b, a], 'poli', 'T7')).toBeUndefined();
  });
});

describe('formatClock', () => {
  it.each([
    [0, '00:00'],
    [59_999, '00:59'],
    [600_000, '10:00'],
    [3_599_000, '59:59'],
    [3_600_000, '1:00:00'],
    [36_061_000, '10:01:01'],
  ])('%i ms → %s', (ms, expected) => {
    expect(formatClock(ms)).toBe(expected);
  });
});

describe('renderStatusLine while the person holds the task', () => {
  const since = new Date(STARTED + 5_000).toISOString();
  it('says paused, without a clock that keeps going', () => {
    const held = task({ held: { kind: 'paused', since }, messages: [message('PLANNER', 'EXECUTER', 'plan')] });
    expect(renderStatusLine(held, STARTED + 600_000)).toBe('poli T3 r2 paused');
  });
  it('says waiting for you while poli asks at its terminal (as its tmux status bar does)', () => {
    expect(renderStatusLine(task({ held: { kind: 'you', since } }), STARTED + 600_000)).toBe('poli T3 r2 waiting for you');
  });
  it('ignores a hold left on a task that ended', () => {
    expect(renderStatusLine(task({ status: 'interrupted', held: { kind: 'paused', since } }), STARTED)).toBe('poli T3 interrupted');
  });
});
