import { describe, expect, it } from 'vitest';
import type { TaskRecord, TaskUsage } from '../state/types.ts';
import { summarizeTasks } from './task-summary.ts';

const NOW = Date.parse('2026-12-07T20:01:00.000Z');

function record(patch: Partial<TaskRecord>): TaskRecord {
  return { id: 'T1', task: 'Do it', status: 'running', rounds: 1, startedAt: '2026-12-07T20:00:00.000Z', endedAt: null, messages: [], pid: 1, socket: 's', projectDir: '/p', ...patch };
}

describe('summarizeTasks', () => {
  it('says a running task is held (the page offers Resume, not Pause); an ended one never is', () => {
    const held = { kind: 'paused' as const, since: '2026-12-07T20:00:30.000Z' };
    const [running] = summarizeTasks({ records: [record({ held })], queue: [], approvals: new Map(), now: NOW });
    expect(running).toMatchObject({ id: 'T1', held: 'paused', waitingOn: 'paused' });
    const [ended] = summarizeTasks({ records: [record({ held, status: 'interrupted', endedAt: '2026-12-07T20:00:40.000Z' })], queue: [], approvals: new Map(), now: NOW });
    expect(ended).not.toHaveProperty('held');
    const [free] = summarizeTasks({ records: [record({})], queue: [], approvals: new Map(), now: NOW });
    expect(free).not.toHaveProperty('held');
  });

  it('gives a task\'s usage (its cost, per role and per message) once known, and nothing before', () => {
    const totals = { calls: 1, input: 100, output: 40, cacheRead: 2000, cacheWrite: 300, cost: 0.0123, costComplete: true, models: ['claude-fake'] };
    const usage: TaskUsage = { total: totals, byRole: { PLANNER: totals }, byMessage: { 'T1-R1-abcdef': totals }, unknown: [], prices: { file: 'p.json', date: '2026-12-07' } };
    const [priced] = summarizeTasks({ records: [record({ usage })], queue: [], approvals: new Map(), now: NOW });
    expect(priced?.usage).toEqual(usage);
    const [unpriced] = summarizeTasks({ records: [record({})], queue: [], approvals: new Map(), now: NOW });
    expect(unpriced).not.toHaveProperty('usage');
  });
});
