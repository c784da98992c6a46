import { describe, expect, it } from 'vitest';
import type { ControlCommand } from '../human/control.ts';
import type { TaskRecord } from '../state/types.ts';
import type { QueuedTask } from './types.ts';
import type { WorkerDeps } from './worker-deps.ts';
import { QueueBudgetWatch } from './worker-budget.ts';

/** Two running tasks of this worker, whose costs the test sets; the lines said and the commands the pairs got. */
function setup(limit: number) {
  const costs: Record<string, number | undefined> = { T1: undefined, T2: undefined };
  const lines: string[] = [];
  const told: [string, ControlCommand][] = [];
  let raised: number | undefined;
  const running = (id: string) => ({ id, state: 'running', workerPid: 7 }) as QueuedTask;
  const deps = {
    pid: 7,
    queue: { list: () => [running('T1'), running('T2')] },
    records: {
      get: async (id: string) => {
        const cost = costs[id];
        return (cost === undefined ? { id } : { id, usage: { total: { cost } } }) as TaskRecord;
      },
    },
    say: (line: string) => lines.push(line),
    warn: (line: string) => lines.push(line),
  } as unknown as WorkerDeps;
  const watch = new QueueBudgetWatch(deps, {
    limit,
    readLimit: async () => raised,
    tell: async (id, command) => {
      told.push([id, command]);
      return true;
    },
  });
  return { watch, costs, lines, told, raise: (n: number) => (raised = n) };
}

describe('QueueBudgetWatch', () => {
  it('warns at 80 %, holds the pairs and new tasks at 100 %, and lets them go when the limit is raised', async () => {
    const t = setup(10);
    await t.watch.look();
    t.costs.T1 = 0;
    t.costs.T2 = 0;
    await t.watch.look();
    expect(t.lines).toEqual([]);
    t.costs.T1 = 5;
    t.costs.T2 = 3.5;
    await t.watch.look();
    expect(t.lines).toEqual(['poli: $8.50 of the queue budget $10.00 spent (85 %); at $10.00 the task waits']);
    t.costs.T2 = 5.25;
    await t.watch.look();
    await t.watch.look();
    expect(t.watch.holding).toBe(true);
    expect(t.lines.slice(1)).toEqual([
      'poli: the queue budget $10.00 is spent ($10.25): the running tasks wait after their turn and no task starts; poli resume --queue-budget N raises it',
    ]);
    expect(t.told).toEqual([
      ['T1', { kind: 'queue-budget', reached: true, spent: 10.25, limit: 10 }],
      ['T2', { kind: 'queue-budget', reached: true, spent: 10.25, limit: 10 }],
    ]);
    t.raise(30);
    await t.watch.look();
    expect(t.watch.holding).toBe(false);
    expect(t.told.slice(2)).toEqual([
      ['T1', { kind: 'queue-budget', reached: false, spent: 10.25, limit: 30 }],
      ['T2', { kind: 'queue-budget', reached: false, spent: 10.25, limit: 30 }],
    ]);
    expect(t.lines.slice(2)).toEqual([
      'poli: the queue budget is now $30.00 ($10.25 spent in this run)',
      'poli: the queue budget $30.00 is above what the run spent: the pairs go on, new tasks start',
    ]);
  });
});
