import { describe, expect, it } from 'vitest';
import type { QueuedTask } from '../queue/types.ts';
import type { TaskRecord } from '../state/types.ts';
import { queueJson, renderPs, renderQueue, waitingText } from './queue-view.ts';

const AT = '2026-12-07T10:00:00.000Z';
const NOW = Date.parse('2026-12-07T10:12:30.000Z');

function task(id: string, more: Partial<QueuedTask> = {}): QueuedTask {
  return { id, num: Number(id.slice(1)), text: `Task ${id}`, priority: 'normal', state: 'queued', after: [], retries: 1, attempts: 0, mergeAttempts: 0, project: '/p', base: 'main', addedAt: AT, ...more };
}

function record(id: string, more: Partial<TaskRecord> = {}): TaskRecord {
  return { id, task: `Task ${id}`, status: 'running', rounds: 2, startedAt: AT, endedAt: null, messages: [], pid: 1, socket: 's', projectDir: '/w', ...more };
}

const started = (id: string, minutes: number): Partial<QueuedTask> => ({ branch: `poli/${id}`, worktree: `/s/worktrees/${id}`, attempts: 1, startedAt: new Date(Date.parse(AT) + minutes * 60_000).toISOString() });

/** One of each state. */
const TASKS: QueuedTask[] = [
  task('T1', { state: 'done', text: 'An old task run with --task', reason: 'run outside the queue: completed' }),
  task('T2', { state: 'merged', ...started('T2', 0), endedAt: '2026-12-07T10:04:00.000Z', mergedCommit: 'abc' }),
  task('T3', { state: 'running', priority: 'high', text: 'Create alpha.txt containing ALPHA\nand more', type: 'docs', ...started('T3', 2) }),
  task('T4', { state: 'queued', after: ['T3', 'T2'] }),
  task('T5', { state: 'queued', priority: 'low', text: 'A very long task text that goes on and on past the fifty characters shown' }),
  task('T6', { state: 'merging', mergeSeq: 2, ...started('T6', 1) }),
  task('T7', { state: 'merging', mergeSeq: 1, ...started('T7', 1) }),
  task('T8', { state: 'needs_merge', reason: 'your checkout of main has uncommitted changes', ...started('T8', 0), endedAt: '2026-12-07T10:10:00.000Z' }),
  task('T9', { state: 'failed', reason: 'its dialogue ended timeout', ...started('T9', 0), endedAt: '2026-12-07T10:01:05.000Z' }),
  task('T10', { state: 'blocked', after: ['T9'], reason: 'T9 failed (its dialogue ended timeout)' }),
];

const RECORDS = new Map<string, TaskRecord>([
  ['T3', record('T3', { messages: [{ from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'm1', body: 'do it', at: AT }] })],
  ['T6', record('T6', { status: 'completed', rounds: 3 })],
  ['T7', record('T7', { status: 'completed', rounds: 1 })],
  ['T8', record('T8', { status: 'completed', rounds: 4 })],
  ['T9', record('T9', { status: 'timeout', rounds: 5 })],
]);

describe('poli queue', () => {
  it('lists the tasks not yet merged: what each waits on, its type and first line', () => {
    expect(renderQueue(TASKS)).toBe(
      [
        'ID   PRIORITY  STATE        WAITING ON                                                               TYPE  TASK',
        'T3   high      running                                                                               docs  Create alpha.txt containing ALPHA',
        'T4   normal    queued       T3                                                                             Task T4',
        'T5   low       queued       a free worker                                                                  A very long task text that goes on and on past th…',
        'T6   normal    merging      the merge queue (1 ahead)                                                      Task T6',
        'T7   normal    merging      the merge                                                                      Task T7',
        'T8   normal    needs_merge  you: your checkout of main has uncommitted changes (then poli merge T8)        Task T8',
        'T9   normal    failed       its dialogue ended timeout                                                     Task T9',
        'T10  normal    blocked      T9 failed (its dialogue ended timeout)                                         Task T10',
        '',
      ].join('\n'),
    );
  });

  it('with --all, merged and done tasks too', () => {
    expect(renderQueue(TASKS, true)).toBe(
      [
        'ID   PRIORITY  STATE        WAITING ON                                                               TYPE  TASK',
        'T1   normal    done         run outside the queue: completed                                               An old task run with --task',
        'T2   normal    merged                                                                                      Task T2',
        'T3   high      running                                                                               docs  Create alpha.txt containing ALPHA',
        'T4   normal    queued       T3                                                                             Task T4',
        'T5   low       queued       a free worker                                                                  A very long task text that goes on and on past th…',
        'T6   normal    merging      the merge queue (1 ahead)                                                      Task T6',
        'T7   normal    merging      the merge                                                                      Task T7',
        'T8   normal    needs_merge  you: your checkout of main has uncommitted changes (then poli merge T8)        Task T8',
        'T9   normal    failed       its dialogue ended timeout                                                     Task T9',
        'T10  normal    blocked      T9 failed (its dialogue ended timeout)                                         Task T10',
        '',
      ].join('\n'),
    );
  });

  it('says when there is nothing to list', () => {
    expect(renderQueue([])).toBe('poli: nothing queued (poli queue --all shows merged tasks too).\n');
    expect(renderQueue([TASKS[1] as QueuedTask])).toBe('poli: nothing queued (poli queue --all shows merged tasks too).\n');
    expect(renderQueue([], true)).toBe('poli: the queue is empty.\n');
  });
});

describe('poli ps', () => {
  it('shows state, round, elapsed time (to the end, for one that ended), branch and what each waits on', () => {
    expect(renderPs(TASKS, RECORDS, NOW)).toBe(
      [
        'ID   STATE        ROUND  ELAPSED  BRANCH   WAITING ON',
        'T3   running      2      10m30s   poli/T3  EXECUTER',
        'T4   queued                                T3',
        'T5   queued                                a free worker',
        'T6   merging      3      11m30s   poli/T6  the merge queue (1 ahead)',
        'T7   merging      1      11m30s   poli/T7  the merge',
        'T8   needs_merge  4      10m00s   poli/T8  you: your checkout of main has uncommitted changes (then poli merge T8)',
        'T9   failed       5      1m05s    poli/T9  its dialogue ended timeout',
        'T10  blocked                               T9 failed (its dialogue ended timeout)',
        '',
      ].join('\n'),
    );
    expect(renderPs(TASKS.slice(0, 2), RECORDS, NOW)).toBe('poli: no queued or running tasks.\n');
  });

  it('says what a running pair waits on: a usage limit, the person, its start', () => {
    const running = task('T3', { state: 'running' });
    const waits = { kind: 'usage' as const, role: 'EXECUTER' as const, reason: 'the EXECUTER hit its usage limit', since: AT, until: null };
    expect(waitingText(running, [running], record('T3', { status: 'waiting', waiting: waits }))).toBe('the EXECUTER hit its usage limit');
    expect(waitingText(running, [running], record('T3', { held: { kind: 'paused', since: AT } }))).toBe('paused (poli resume T3)');
    expect(waitingText(running, [running], record('T3', { held: { kind: 'you', since: AT } }))).toBe('you');
    expect(waitingText(running, [running], record('T3', { status: 'queued' }))).toBe('its pair to start');
  });
});

describe('poli queue --json / poli ps --json', () => {
  it('gives every task with its dialogue\'s round and status', () => {
    const parsed = JSON.parse(queueJson(TASKS, RECORDS)) as { queue: Record<string, unknown>[] };
    expect(parsed.queue.map((t) => t.id)).toEqual(TASKS.map((t) => t.id));
    expect(parsed.queue[2]).toEqual({
      id: 'T3', task: 'Create alpha.txt containing ALPHA\nand more', priority: 'high', state: 'running', after: [], waitingOn: 'EXECUTER', type: 'docs',
      branch: 'poli/T3', base: 'main', worktree: '/s/worktrees/T3', mergedCommit: null, reason: null, attempts: 1, mergeAttempts: 0, round: 2,
      status: 'running', addedAt: AT, startedAt: '2026-12-07T10:02:00.000Z', endedAt: null,
    });
    expect(parsed.queue[3]).toMatchObject({ id: 'T4', after: ['T3', 'T2'], waitingOn: 'T3', round: 0, status: null, branch: null });
  });
});

describe('a task after one run outside the queue (poli --task)', () => {
  it('waits while that one runs and is ready once it completed, in poli queue, poli ps and --json', () => {
    const after = task('T4', { after: ['T20'] });
    const outside = (status: TaskRecord['status']): Map<string, TaskRecord> => new Map([['T20', record('T20', { status })]]);
    expect(renderQueue([after], false, outside('running'))).toMatch(/^T4 +normal +queued +T20 +Task T4$/m);
    expect(renderPs([after], outside('completed'), NOW)).toMatch(/^T4 +queued +a free worker$/m);
    expect(renderQueue([after], false, outside('failed'))).toContain('T20 ended failed');
    expect(JSON.parse(queueJson([after], outside('running'))).queue[0].waitingOn).toBe('T20');
    expect(renderQueue([after])).toContain('T20 does not exist');
  });
});
