/**
 * `poli work --queue-budget` (issue 22, item 3) with the mocks, real tmux and real git: the run's tasks are priced by a
 * test price file; once what the run spent reaches the queue budget the worker says so, its running pair waits after
 * its turn and no new task starts; `poli resume --queue-budget N` from another terminal lets the queue drain.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_TEST_MS, type QueueWorld, createQueueWorld } from './queue-world.ts';

const worlds: QueueWorld[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
});

describe('poli work --queue-budget', () => {
  it(
    'holds the run once its budget is spent and drains the queue after poli resume --queue-budget',
    async () => {
      const w = await createQueueWorld();
      worlds.push(w);
      // $0.01 per uncached input token: each mock call costs about a dollar.
      const prices = path.join(w.root, 'prices.json');
      await writeFile(prices, JSON.stringify({ version: 1, date: '2026-12-07', models: { 'mock-model': { input: 10_000, output: 0, cacheRead: 0, cacheWrite: 0 } } }));
      const env = { ...w.mockEnv, MOCK_USAGE_DIR: path.join(w.root, 'mock-usage'), POLI_PRICES: prices };
      for (const name of ['one', 'two']) expect((await w.poli(['add', `Create ${name}.txt containing ${name.toUpperCase()}`])).code).toBe(0);

      const work = w.start(['work', '--parallel', '1', '--queue-budget', '3'], env);
      work.child.stdin?.end();
      await work.waitFor(/poli: the queue budget \$3\.00 is spent \(\$\d+\.\d\d\): the running tasks wait after their turn and no task starts; poli resume --queue-budget N raises it/, 120_000);
      // No task starts while the budget is spent: T2 stays queued.
      expect((await w.rows()).find((r) => r.id === 'T2')?.state).toBe('queued');
      expect(work.stdout() + work.stderr()).not.toContain('T2 started');

      const raised = await w.poli(['resume', '--queue-budget', '100']);
      expect(raised.code, raised.stderr).toBe(0);
      expect(raised.stdout).toMatch(/^poli: the queue budget of poli work \(pid \d+\) is now \$100\.00 \(was \$3\.00\)/);
      const code = await work.exited;
      const out = work.stdout() + work.stderr();
      expect(code, out).toBe(0);
      expect(out).toMatch(/poli: the queue budget is now \$100\.00 \(\$\d+\.\d\d spent in this run\)/);
      expect(out).toContain('poli: the queue budget $100.00 is above what the run spent: the pairs go on, new tasks start');
      expect((await w.rows()).map((r) => [r.id, r.state])).toEqual([
        ['T1', 'merged'],
        ['T2', 'merged'],
      ]);
    },
    QUEUE_TEST_MS,
  );
});
