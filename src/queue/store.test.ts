import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../state/types.ts';
import { QUEUE_DB, QueueStore } from './store.ts';
import type { NewQueuedTask } from './types.ts';

const AT = '2026-12-07T10:00:00.000Z';

function newTask(text: string, more: Partial<NewQueuedTask> = {}): NewQueuedTask {
  return { text, priority: 'normal', after: [], retries: 1, project: '/p', base: 'main', ...more };
}

function record(id: string, status: TaskRecord['status'], more: Partial<TaskRecord> = {}): TaskRecord {
  return { id, task: `task ${id}`, status, rounds: 0, startedAt: AT, endedAt: null, messages: [], pid: 1, socket: 's', projectDir: '/p', ...more };
}

let dir: string;
const opened: QueueStore[] = [];
function open(): QueueStore {
  const store = QueueStore.open(dir);
  opened.push(store);
  return store;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poli-queue-store-'));
});
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('QueueStore: rows', () => {
  it('inserts a task as queued with its deps in order, and lists tasks by number', () => {
    const store = open();
    store.insert('T10', newTask('ten'), AT);
    const t2 = store.insert('T2', newTask('two', { priority: 'high', after: ['T1', 'T10', 'T1'], type: 'docs', plannerCmd: 'p', executerCmd: 'e' }), AT);
    expect(t2).toEqual({
      id: 'T2', num: 2, text: 'two', priority: 'high', state: 'queued', after: ['T1', 'T10'], type: 'docs', plannerCmd: 'p', executerCmd: 'e',
      retries: 1, attempts: 0, mergeAttempts: 0, project: '/p', base: 'main', addedAt: AT,
    });
    expect(store.list().map((t) => [t.id, t.after])).toEqual([['T2', ['T1', 'T10']], ['T10', []]]);
    expect(store.get('T10')).toMatchObject({ id: 'T10', num: 10, after: [] });
    expect(store.get('T99')).toBeUndefined();
  });

  it('updates fields, clears one set to undefined, and with `from` only while the task is in one of those states', () => {
    const store = open();
    store.insert('T1', newTask('one'), AT);
    expect(store.update('T1', { state: 'running', workerPid: 42, reason: 'x' }, ['queued'])).toBe(true);
    expect(store.update('T1', { state: 'running', workerPid: 43 }, ['queued'])).toBe(false);
    expect(store.get('T1')).toMatchObject({ state: 'running', workerPid: 42, reason: 'x' });
    expect(store.update('T1', { reason: undefined })).toBe(true);
    expect(store.get('T1')?.reason).toBeUndefined();
    expect('reason' in (store.get('T1') ?? {})).toBe(false);
    expect(store.update('T1', { state: 'merging' }, ['queued', 'running'])).toBe(true);
    expect(store.update('T1', {})).toBe(true);
    expect(store.update('T9', { state: 'failed' })).toBe(false);
  });
});

describe('QueueStore: two processes on one file', () => {
  it('lets only one of two stores claim a queued task', () => {
    const a = open();
    const b = open();
    a.insert('T1', newTask('one'), AT);
    expect(b.get('T1')?.state).toBe('queued');
    const claims = [a.update('T1', { state: 'running', workerPid: 1 }, ['queued']), b.update('T1', { state: 'running', workerPid: 2 }, ['queued'])];
    expect(claims).toEqual([true, false]);
    expect(b.get('T1')?.workerPid).toBe(1);
  });

  it('numbers the merge queue in the order tasks entered it, from either store', () => {
    const a = open();
    const b = open();
    for (const id of ['T1', 'T2', 'T3']) a.insert(id, newTask(id), AT);
    for (const id of ['T1', 'T2', 'T3']) a.update(id, { state: 'running' });
    expect(b.enqueueMerge('T3', ['running'])).toBe(true);
    expect(a.enqueueMerge('T1', ['running'])).toBe(true);
    expect(b.enqueueMerge('T1', ['running'])).toBe(false);
    expect(a.enqueueMerge('T2', ['running'])).toBe(true);
    expect(a.list().map((t) => [t.id, t.state, t.mergeSeq])).toEqual([['T1', 'merging', 2], ['T2', 'merging', 3], ['T3', 'merging', 1]]);
  });

  it('holds the merge lock for one live pid; a dead holder\'s lock is taken over; unlock frees only one\'s own', () => {
    const a = open();
    const b = open();
    const alive = new Set([100, 200]);
    const isAlive = (pid: number): boolean => alive.has(pid);
    expect(a.lockMerges(100, isAlive)).toBe(true);
    expect(a.lockMerges(100, isAlive)).toBe(true);
    expect(b.lockMerges(200, isAlive)).toBe(false);
    b.unlockMerges(200);
    expect(b.lockMerges(200, isAlive)).toBe(false);
    alive.delete(100);
    expect(b.lockMerges(200, isAlive)).toBe(true);
    alive.add(100);
    expect(a.lockMerges(100, isAlive)).toBe(false);
    b.unlockMerges(200);
    expect(a.lockMerges(100, isAlive)).toBe(true);
  });
});

describe('QueueStore: importRecords', () => {
  it('imports a state directory from before the queue once, as done history', () => {
    const store = open();
    const old = [record('T1', 'completed', { endedAt: AT }), record('T2', 'failed')];
    expect(store.importRecords(old, { base: 'main', now: AT })).toEqual(['T1', 'T2']);
    expect(store.get('T1')).toMatchObject({ state: 'done', reason: 'run outside the queue: completed', endedAt: AT, text: 'task T1', base: 'main' });
    expect(store.get('T2')).toMatchObject({ state: 'done', reason: 'run outside the queue: failed' });
    // A later task run outside the queue is not history to import.
    expect(open().importRecords([...old, record('T3', 'completed')], { base: 'main', now: AT })).toEqual([]);
    expect(store.get('T3')).toBeUndefined();
  });

  it('brings back a queued record whose row a kill cut off, as queued, even after the first import', () => {
    const store = open();
    store.insert('T1', newTask('one'), AT);
    expect(store.importRecords([record('T1', 'queued')], { base: 'main', now: AT })).toEqual([]);
    expect(store.importRecords([record('T1', 'queued'), record('T2', 'queued')], { base: 'main', now: AT })).toEqual(['T2']);
    expect(store.get('T2')).toMatchObject({ state: 'queued', priority: 'normal', retries: 0, after: [] });
    expect(store.get('T2')?.reason).toBeUndefined();
  });
});

it('keeps the store in WAL mode, so readers never wait for a writer', () => {
  open().insert('T1', newTask('one'), AT);
  const raw = new Database(path.join(dir, QUEUE_DB), { readonly: true });
  try {
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
  } finally {
    raw.close();
  }
});

it('says which state directory it could not open', () => {
  expect(() => QueueStore.open(path.join(dir, 'missing', 'deeper'))).toThrow(/could not open the queue's store .*--state-dir/);
});
