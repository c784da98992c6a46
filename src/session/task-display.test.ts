import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../state/types.ts';
import { liveStatus, type TaskView } from './task-display.ts';

const record = (patch: Partial<TaskRecord> = {}): TaskRecord => ({
  id: 'T1', task: 'fix it', status: 'running', rounds: 1, startedAt: '2026-01-01T00:00:00.000Z', endedAt: null, messages: [],
  pid: 1, socket: 'poli', projectDir: '/p', ...patch,
});
const view = (patch: Partial<TaskView> = {}): TaskView => ({
  latest: record(), round: 1, waitingFor: 'EXECUTER', begun: true, lastSummary: 'PLANNER → EXECUTER plan: fix', askingYou: false, pausedNow: false, ...patch,
});

describe('liveStatus', () => {
  it('shows the round, whose turn it is and the last message once the dialogue has begun', () => {
    expect(liveStatus(view(), 5)).toEqual({ round: 1, waitingFor: 'EXECUTER', startedAt: 5, last: 'PLANNER → EXECUTER plan: fix', waitingForYou: false, paused: false });
  });

  it('says starting until the dialogue reports its first step', () => {
    expect(liveStatus(view({ begun: false, waitingFor: null }), 0).starting).toBe(true);
  });

  it('shows a wait of a waiting task, with its next look in ms or null', () => {
    const waiting = { kind: 'usage' as const, role: 'EXECUTER' as const, reason: 'limit', since: '2026-01-01T00:00:00.000Z', until: '2026-01-01T01:00:00.000Z' };
    expect(liveStatus(view({ latest: record({ status: 'waiting', waiting }) }), 0).held).toEqual({ role: 'EXECUTER', reason: 'limit', until: Date.parse(waiting.until) });
    expect(liveStatus(view({ latest: record({ status: 'waiting', waiting: { ...waiting, until: null } }) }), 0).held?.until).toBeNull();
    // A wait left in the record of a task running again is not shown.
    expect(liveStatus(view({ latest: record({ waiting }) }), 0).held).toBeUndefined();
  });
});
