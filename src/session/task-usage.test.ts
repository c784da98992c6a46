import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PoliEventInput } from '../records/events.ts';
import type { EventLog } from '../records/events.ts';
import { StateStore } from '../state/store.ts';
import type { CostOf } from '../usage/totals.ts';
import type { AttributedCall } from '../usage/types.ts';
import { TaskUsageRecorder, usageFile } from './task-usage.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poli-task-usage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const micro: CostOf = (c) => ({ micros: (c.counts.input ?? 0) + 2 * (c.counts.output ?? 0), complete: true });

function call(callId: string, input: number, messageId = 'T1-R1-aaaaaa', role: 'PLANNER' | 'EXECUTER' = 'EXECUTER'): AttributedCall {
  return { callId, model: 'm', counts: { input, output: 1, cacheRead: 0, cacheWrite: 0 }, role, cli: 'mock', attribution: { via: 'header', messageId }, at: '2026-12-07T00:00:00.000Z' };
}

async function setup() {
  const store = new StateStore({ dir, clock: { now: () => 0 }, pid: process.pid, isPidAlive: () => true });
  const task = await store.createTask('t', { socket: 's', projectDir: '/p' });
  const events: PoliEventInput[] = [];
  const log = { emit: (e: PoliEventInput) => (events.push(e), e) } as unknown as EventLog;
  const recorder = () =>
    new TaskUsageRecorder({ stateDir: dir, taskId: task.id, store, events: log, costOf: micro, prices: { file: 'p.json', date: '2026-12-07' }, notes: () => [], round: () => 1, paneOf: () => '%1' });
  return { store, id: task.id, events, recorder };
}

describe('TaskUsageRecorder', () => {
  it('keeps each call once (first attribution, last numbers), records the totals and one event per changed turn', async () => {
    const { store, id, events, recorder } = await setup();
    const r = recorder();
    await r.add([call('c1', 10), call('c2', 20)]);
    await r.add([call('c1', 10)]); // unchanged: nothing new
    await r.add([call('c1', 15, 'T1-R2-bbbbbb')]); // a late, higher snapshot keeps its turn
    const usage = (await store.get(id))?.usage;
    expect(usage?.total).toMatchObject({ input: 35, calls: 2, cost: 0.000039, costComplete: true });
    expect(Object.keys(usage?.byMessage ?? {})).toEqual(['T1-R1-aaaaaa']);
    expect(usage?.prices).toEqual({ file: 'p.json', date: '2026-12-07' });
    expect(events.map((e) => (e.event === 'usage' ? [e.id, e.input, e.taskCost] : []))).toEqual([
      ['T1-R1-aaaaaa', 30, 0.000034],
      ['T1-R1-aaaaaa', 35, 0.000039],
    ]);
    expect(readFileSync(usageFile(dir, id), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('goes on from the per-call file after a restart (a resumed task)', async () => {
    const { store, id, recorder } = await setup();
    await recorder().add([call('c1', 10), call('p1', 5, 'T1-R1-cccccc', 'PLANNER')]);
    await recorder().add([call('c2', 1)]);
    const usage = (await store.get(id))?.usage;
    expect(usage?.total).toMatchObject({ input: 16, calls: 3 });
    expect(usage?.byRole.PLANNER).toMatchObject({ input: 5, calls: 1 });
  });
});
