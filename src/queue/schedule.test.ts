import { describe, expect, it } from 'vitest';
import { byQueueOrder, cycleThrough, newlyBlocked, readyTasks, standing, waitingOn, type OutsideStatus } from './schedule.ts';
import type { QueuedTask } from './types.ts';

function task(id: string, more: Partial<QueuedTask> = {}): QueuedTask {
  return {
    id, num: Number(id.slice(1)), text: id, priority: 'normal', state: 'queued', after: [], retries: 1, attempts: 0, mergeAttempts: 0,
    project: '/p', base: 'main', addedAt: '2026-12-07T10:00:00.000Z', ...more,
  };
}

const none: OutsideStatus = () => undefined;
const byId = (tasks: QueuedTask[]): Map<string, QueuedTask> => new Map(tasks.map((t) => [t.id, t]));

describe('readyTasks', () => {
  it('orders by priority, then by the order tasks were added', () => {
    const tasks = [task('T1', { priority: 'low' }), task('T2'), task('T3', { priority: 'high' }), task('T4'), task('T5', { priority: 'high' })];
    expect(readyTasks(tasks, none).map((t) => t.id)).toEqual(['T3', 'T5', 'T2', 'T4', 'T1']);
    expect([task('T9'), task('T8')].sort(byQueueOrder).map((t) => t.id)).toEqual(['T8', 'T9']);
  });

  it('takes only queued tasks whose deps are all merged or done', () => {
    const tasks = [
      task('T1', { state: 'merged' }),
      task('T2', { state: 'done' }),
      task('T3', { state: 'running' }),
      task('T4', { after: ['T1', 'T2'] }),
      task('T5', { after: ['T1', 'T3'] }),
      task('T6', { state: 'failed' }),
    ];
    expect(readyTasks(tasks, none).map((t) => t.id)).toEqual(['T4']);
    expect(waitingOn(tasks[4] as QueuedTask, byId(tasks), none)).toEqual({ ready: false, on: ['T3'] });
  });

  it('keeps a task waiting while a dep is running, merging or waits for the person\'s merge', () => {
    for (const state of ['queued', 'running', 'merging', 'needs_merge'] as const) {
      const tasks = [task('T1', { state }), task('T2', { after: ['T1'] })];
      expect(waitingOn(tasks[1] as QueuedTask, byId(tasks), none), state).toEqual({ ready: false, on: ['T1'] });
      expect(newlyBlocked(tasks, none), state).toEqual([]);
    }
  });
});

describe('newlyBlocked', () => {
  it('blocks a queued task behind a failed, stopped or blocked dep, with the reason', () => {
    const tasks = [
      task('T1', { state: 'failed', reason: 'its dialogue ended timeout' }),
      task('T2', { state: 'stopped' }),
      task('T3', { state: 'blocked' }),
      task('T4', { state: 'failed' }),
      task('T5', { after: ['T1'] }),
      task('T6', { after: ['T2'] }),
      task('T7', { after: ['T3'] }),
      task('T8', { after: ['T4'] }),
      task('T9', { after: ['T5'], state: 'running' }),
    ];
    expect(newlyBlocked(tasks, none)).toEqual([
      { id: 'T5', reason: 'T1 failed (its dialogue ended timeout)' },
      { id: 'T6', reason: 'T2 was stopped' },
      { id: 'T7', reason: 'T3 is blocked' },
      { id: 'T8', reason: 'T4 failed' },
    ]);
  });

  it('names the first dep that blocks, even behind one that waits', () => {
    const tasks = [task('T1', { state: 'running' }), task('T2', { state: 'stopped' }), task('T3', { after: ['T1', 'T2'] })];
    expect(waitingOn(tasks[2] as QueuedTask, byId(tasks), none)).toEqual({ ready: false, on: ['T2'], blocked: 'T2 was stopped' });
  });
});

describe('deps outside the queue (tasks run with --task)', () => {
  const outside: OutsideStatus = (id) => ({ T1: 'completed', T2: 'running', T3: 'waiting', T4: 'failed', T5: 'interrupted' })[id];
  it('is satisfied by a completed one, waits on a live one, is blocked by one that ended otherwise or does not exist', () => {
    const queue = byId([]);
    expect(standing('T1', queue, outside)).toEqual({ kind: 'satisfied' });
    expect(standing('T2', queue, outside)).toEqual({ kind: 'waiting', on: 'T2' });
    expect(standing('T3', queue, outside)).toEqual({ kind: 'waiting', on: 'T3' });
    expect(standing('T4', queue, outside)).toEqual({ kind: 'blocking', reason: 'T4 ended failed' });
    expect(standing('T5', queue, outside)).toEqual({ kind: 'blocking', reason: 'T5 ended interrupted' });
    expect(standing('T6', queue, outside)).toEqual({ kind: 'blocking', reason: 'T6 does not exist' });
    const tasks = [task('T7', { after: ['T1'] }), task('T8', { after: ['T1', 'T2'] })];
    expect(readyTasks(tasks, outside).map((t) => t.id)).toEqual(['T7']);
  });
});

describe('cycleThrough', () => {
  it('finds the cycle an edge would close, and none otherwise', () => {
    const queue = byId([task('T1', { after: ['T3'] }), task('T2', { after: ['T1'] }), task('T3')]);
    expect(cycleThrough('T3', ['T2'], queue)).toEqual(['T3', 'T2', 'T1', 'T3']);
    expect(cycleThrough('T4', ['T2'], queue)).toBeUndefined();
  });
});
