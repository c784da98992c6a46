import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NoQueueBudgetError, QueueBudget, queueBudgetFile, raiseQueueBudget, writeQueueBudget } from './queue-budget.ts';

describe('QueueBudget', () => {
  it('counts only what the run spent: each task from its cost when first seen', () => {
    const budget = new QueueBudget(10);
    budget.see('T1', 3); // spent before this run
    budget.see('T2', undefined);
    budget.see('T1', 5);
    budget.see('T2', 4.5);
    expect(budget.spent()).toBe(6.5);
    expect(budget.step()).toEqual({ kind: 'go' });
    budget.see('T2', 6.5);
    expect(budget.step()).toEqual({ kind: 'warn', spent: 8.5, limit: 10, text: '$8.50 of the queue budget $10.00 spent (85 %); at $10.00 the task waits' });
    budget.see('T1', 7);
    expect(budget.step()).toMatchObject({ kind: 'reached', spent: 10.5, limit: 10 });
    expect(budget.reached).toBe(true);
    budget.raise(20);
    expect(budget.step()).toEqual({ kind: 'go' });
    expect(budget.reached).toBe(false);
  });

  it('says once that a task of unknown cost cannot be counted', () => {
    const budget = new QueueBudget(1);
    budget.see('T1', null);
    expect(budget.step()).toMatchObject({ kind: 'unknown', limit: 1 });
    expect(budget.step()).toEqual({ kind: 'go' });
  });
});

describe('raiseQueueBudget', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("writes the live worker's new limit, and refuses when no worker with a queue budget runs", async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'poli-qb-'));
    await expect(raiseQueueBudget(dir, 50, () => true)).rejects.toThrow(NoQueueBudgetError);
    await writeQueueBudget(dir, { pid: 4242, limit: 30 });
    await expect(raiseQueueBudget(dir, 50, () => false)).rejects.toThrow(`no poli work with a --queue-budget is running (nothing live in ${queueBudgetFile(dir)})`);
    expect(await raiseQueueBudget(dir, 50, (pid) => pid === 4242)).toBe(
      'poli: the queue budget of poli work (pid 4242) is now $50.00 (was $30.00); its pairs go on once it is above what the run spent.',
    );
    expect(JSON.parse(await readFile(queueBudgetFile(dir), 'utf8'))).toEqual({ pid: 4242, limit: 50 });
  });
});
