import { describe, expect, it } from 'vitest';
import type { TaskRecord, TaskUsage } from '../state/types.ts';
import type { UsageTotals } from '../usage/types.ts';
import { formatDuration, renderTaskDetail, renderTaskTable } from './state-view.ts';

const task: TaskRecord = {
  id: 'T2',
  task: 'Create hello.txt\ncontaining Hello',
  status: 'completed',
  rounds: 1,
  startedAt: '2026-11-22T10:00:00.000Z',
  endedAt: '2026-11-22T10:00:04.250Z',
  pid: 1,
  socket: 'poli',
  projectDir: '/p',
  messages: [
    { from: 'ORCHESTRATOR', to: 'PLANNER', type: 'task', id: 'T2-R0-a', body: 'Create hello.txt', at: '2026-11-22T10:00:00.100Z' },
    { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T2-R0-a', body: '<PLAN>\n1. x\n</PLAN>', at: '2026-11-22T10:00:01.000Z' },
  ],
};

function totals(cost: number | null, costComplete: boolean, counts: Partial<UsageTotals> = {}): UsageTotals {
  return { calls: 1, input: 100, output: 40, cacheRead: 2000, cacheWrite: 300, cost, costComplete, models: ['claude-fake'], ...counts };
}

/** Two turns: the primer's (PLANNER) and the plan's (EXECUTER, whose CLI records no cache writes). */
const usage: TaskUsage = {
  total: totals(1.5, false, { calls: 3, input: 1234, output: 567, cacheRead: 12_345, cacheWrite: null, models: ['claude-fake', 'gemini-3.8-flash'] }),
  byRole: { PLANNER: totals(1.25, true, { calls: 2 }), EXECUTER: totals(0.25, false, { cacheWrite: null, models: ['gemini-3.8-flash'] }) },
  byMessage: { 'primer:PLANNER': totals(0.0042, true), 'T2-R0-a': totals(0.25, false) },
  unknown: ['EXECUTER (gemini) records no cache-write tokens'],
  prices: { file: '/poli/config/prices.json', date: '2026-12-07' },
};

describe('state view', () => {
  it('renders the task table', () => {
    const running: TaskRecord = { ...task, id: 'T10', status: 'running', endedAt: null, rounds: 12, task: 'x'.repeat(70), projectDir: '/home/someone/work/clients/acme/website-2027' };
    expect(renderTaskTable([task, running], Date.parse('2026-11-22T10:03:05Z'))).toBe(
      'ID   STATUS     ROUNDS  STARTED              DURATION  PROJECT                           TASK\n' +
        'T2   completed  1       2026-11-22 10:00:00  4.3s      /p                                Create hello.txt containing Hello\n' +
        `T10  running    12      2026-11-22 10:00:00  3m05s     …/work/clients/acme/website-2027  ${'x'.repeat(59)}…\n`,
    );
    expect(renderTaskTable([], 0)).toBe('No tasks yet. Start one with: poli --task "..."\n');
    expect(renderTaskTable([], 0, 'npm run poli --')).toBe('No tasks yet. Start one with: npm run poli -- --task "..."\n');
  });

  it('adds a COST column once some task has usage: the sum, a lower bound, or — when unknown', () => {
    const priced: TaskRecord = { ...task, usage };
    const unpriced: TaskRecord = { ...task, id: 'T3', usage: { ...usage, total: totals(null, false) } };
    expect(renderTaskTable([priced, unpriced, { ...task, id: 'T4' }], 0)).toBe(
      'ID  STATUS     ROUNDS  STARTED              DURATION  COST    PROJECT  TASK\n' +
        'T2  completed  1       2026-11-22 10:00:00  4.3s      ≥$1.50  /p       Create hello.txt containing Hello\n' +
        'T3  completed  1       2026-11-22 10:00:00  4.3s      —       /p       Create hello.txt containing Hello\n' +
        'T4  completed  1       2026-11-22 10:00:00  4.3s      —       /p       Create hello.txt containing Hello\n',
    );
  });

  it('shows a task\'s usage under its header and the cost of the turn each delivery caused', () => {
    const delivered: TaskRecord = {
      ...task,
      usage,
      deliveries: [
        { id: 'T2-R0-a', to: 'EXECUTER', type: 'plan', body: 'x', stage: 'answered', at: '2026-11-22T10:00:01.500Z', after: 2 },
        { id: 'T2-R1-b', to: 'PLANNER', type: 'result', body: 'y', stage: 'submitted', at: '2026-11-22T10:00:03.000Z', after: 3 },
      ],
    };
    expect(renderTaskDetail(delivered, 0)).toBe(
      'T2  completed  rounds 1  started 2026-11-22 10:00:00  duration 4.3s\n' +
        'task: Create hello.txt\ncontaining Hello\n' +
        'usage: ≥$1.50 (PLANNER $1.25, EXECUTER ≥$0.25) · 3 calls · input 1,234 · output 567 · cache read 12,345 · cache write unknown · claude-fake, gemini-3.8-flash\n' +
        '  unknown: EXECUTER (gemini) records no cache-write tokens\n' +
        '  prices: /poli/config/prices.json (2026-12-07)\n\n' +
        '#1 10:00:00 ORCHESTRATOR → PLANNER  task  T2-R0-a\n    Create hello.txt\n\n' +
        '#2 10:00:01 PLANNER → EXECUTER  plan  T2-R0-a\n    <PLAN>\n    1. x\n    </PLAN>\n\n' +
        'Deliveries (messages poli typed, by the id they were sent under):\n' +
        '  10:00:01 EXECUTER plan     T2-R0-a  answered  ≥$0.25\n' +
        '  10:00:03 PLANNER  result   T2-R1-b  submitted\n\n',
    );
  });

  it('renders one task with its messages', () => {
    expect(renderTaskDetail(task, 0)).toBe(
      'T2  completed  rounds 1  started 2026-11-22 10:00:00  duration 4.3s\n' +
        'task: Create hello.txt\ncontaining Hello\n\n' +
        '#1 10:00:00 ORCHESTRATOR → PLANNER  task  T2-R0-a\n    Create hello.txt\n\n' +
        '#2 10:00:01 PLANNER → EXECUTER  plan  T2-R0-a\n    <PLAN>\n    1. x\n    </PLAN>\n\n',
    );
  });

  it('leaves the time a task stood stopped before a --resume out of its duration', () => {
    const resumed: TaskRecord = { ...task, endedAt: '2026-11-22T12:00:10.000Z', stoppedMs: 2 * 3600_000 };
    expect(renderTaskTable([resumed], 0).split('\n')[1]).toContain('  10.0s  ');
    expect(renderTaskDetail(resumed, 0).split('\n')[0]).toBe('T2  completed  rounds 1  started 2026-11-22 10:00:00  duration 10.0s');
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0.0s');
    expect(formatDuration(59_940)).toBe('59.9s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
  });
});
