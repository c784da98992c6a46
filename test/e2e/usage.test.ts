/**
 * Token usage end to end (issue 22): the mock CLIs keep a usage transcript (MOCK_USAGE_DIR), poli reads it through
 * the mock profile's usage parser and records it; the totals in `--state --json` equal the sums of what the mocks
 * wrote, exactly — each call once although the mocks write every call twice (a snapshot, then the final numbers).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliWorld, createWorld, runPoli } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

interface Totals {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  calls: number;
  cost: number | null;
  costComplete: boolean;
  models: string[];
}
interface Counts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}
interface MockLine {
  type: string;
  text?: string;
  final?: boolean;
  usage?: Counts;
}

const zero = (): Counts => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
function add(a: Counts, b: Counts): Counts {
  return { input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite };
}

/** What the mocks served per role: the sum of their final call records, told apart by the primer each file starts with. */
async function served(usageDir: string): Promise<Record<string, Counts & { calls: number }>> {
  const sums: Record<string, Counts & { calls: number }> = {};
  for (const folder of await readdir(usageDir)) {
    for (const name of await readdir(path.join(usageDir, folder))) {
      const lines = (await readFile(path.join(usageDir, folder, name), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as MockLine);
      const role = /You are the (PLANNER|EXECUTER)/.exec(lines[0]?.text ?? '')?.[1] ?? 'unknown';
      for (const line of lines) {
        if (line.type !== 'call' || line.final !== true || !line.usage) continue;
        const sum = sums[role] ?? { ...zero(), calls: 0 };
        sums[role] = { ...add(sum, line.usage), calls: sum.calls + 1 };
      }
    }
  }
  return sums;
}

describe('usage with the mock CLIs', () => {
  it('records per role, per message and per task exactly what the mocks wrote', async () => {
    world = await createWorld();
    const usageDir = path.join(path.dirname(world.projectDir), 'mock-usage');
    const env = { MOCK_USAGE_DIR: usageDir, MOCK_ROUNDS: '2' };
    const r = await runPoli(['--mock', '--task', 'Create hello.txt containing Hello', '--kill-on-exit', ...world.flags], { env });
    expect(r.code, r.stderr).toBe(0);

    const want = await served(usageDir);
    expect(Object.keys(want).sort()).toEqual(['EXECUTER', 'PLANNER']);
    const s = await runPoli(['--state', '--json', '--state-dir', world.stateDir]);
    const state = JSON.parse(s.stdout) as {
      tasks: { usage: { total: Totals; byRole: Record<string, Totals>; byMessage: Record<string, Totals>; unknown: string[] }; messages: { from: string; to: string; id: string; usage?: Totals }[] }[];
      usage: Totals;
    };
    const task = state.tasks[0];
    const counts = (t: Totals | undefined) => t && { input: t.input, output: t.output, cacheRead: t.cacheRead, cacheWrite: t.cacheWrite, calls: t.calls };
    for (const role of ['PLANNER', 'EXECUTER']) expect(counts(task?.usage.byRole[role]), role).toEqual(want[role]);
    const all = { ...add(want.PLANNER as Counts, want.EXECUTER as Counts), calls: (want.PLANNER?.calls ?? 0) + (want.EXECUTER?.calls ?? 0) };
    expect(counts(task?.usage.total)).toEqual(all);
    expect(counts(state.usage)).toEqual(all);
    // No price table for mock-model: the cost is unknown and said so, never 0.
    expect(task?.usage.total).toMatchObject({ cost: null, costComplete: false, models: ['mock-model'] });
    expect(task?.usage.unknown).toContain('no price for mock-model');

    // Each primer is a turn of its own; every message typed into a CLI caused one, and the turns add up to the task.
    const byMessage = task?.usage.byMessage ?? {};
    expect(Object.keys(byMessage).filter((k) => k.startsWith('primer:')).sort()).toEqual(['primer:EXECUTER', 'primer:PLANNER']);
    expect(Object.keys(byMessage).filter((k) => k.startsWith('unattributed:'))).toEqual([]);
    const turns = Object.values(byMessage).reduce((sum, t) => ({ ...add(sum, t as Counts), calls: sum.calls + t.calls }), { ...zero(), calls: 0 });
    expect(turns).toEqual(all);
    // Typed into a CLI: poli's own messages and the PLANNER's plans. The EXECUTER's status and result blocks reach the
    // PLANNER inside poli's review (which carries the turn), and messages to poli cause none.
    const typed = (m: { from: string; to: string }) => (m.from === 'ORCHESTRATOR' && m.to === 'PLANNER') || (m.from === 'PLANNER' && m.to === 'EXECUTER');
    const messages = task?.messages ?? [];
    expect(messages.filter(typed).length).toBeGreaterThan(2);
    for (const m of messages) expect(m.usage?.calls, `${m.from} → ${m.to} ${m.id}`).toBe(typed(m) ? 1 : undefined);

    // The per-call file and the events.
    const perCall = (await readFile(path.join(world.stateDir, 'usage', 'T1.jsonl'), 'utf8')).trim().split('\n');
    expect(new Set(perCall.map((l) => (JSON.parse(l) as { role: string; callId: string }).callId)).size).toBe(all.calls);
    const events = (await readFile(path.join(world.stateDir, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(events.filter((e) => e.event === 'usage').length).toBeGreaterThanOrEqual(Object.keys(byMessage).length);
  });

  it('prices the calls with a price file given by POLI_PRICES, exactly to the micro-dollar', async () => {
    world = await createWorld();
    const root = path.dirname(world.projectDir);
    const usageDir = path.join(root, 'mock-usage');
    const prices = path.join(root, 'prices.json');
    // Round prices per million tokens, so each call's cost is a whole number of micro-dollars.
    await writeFile(prices, JSON.stringify({ models: { 'mock-model': { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 2 } } }));
    const env = { MOCK_USAGE_DIR: usageDir, MOCK_ROUNDS: '1', POLI_PRICES: prices };
    const r = await runPoli(['--mock', '--task', 'Create hello.txt containing Hello', '--kill-on-exit', ...world.flags], { env });
    expect(r.code, r.stderr).toBe(0);
    const want = await served(usageDir);
    const micros = (c: Counts) => c.input + 2 * c.output + c.cacheRead / 10 + 2 * c.cacheWrite;
    const expected = (micros(want.PLANNER as Counts) + micros(want.EXECUTER as Counts)) / 1e6;
    const s = await runPoli(['--state', '--json', '--state-dir', world.stateDir], { env: { POLI_PRICES: prices } });
    const state = JSON.parse(s.stdout) as { tasks: { usage: { total: Totals; unknown: string[]; prices: { file: string } } }[]; usage: Totals };
    expect(state.tasks[0]?.usage.total).toMatchObject({ cost: expected, costComplete: true });
    expect(state.tasks[0]?.usage.unknown).toEqual([]);
    expect(state.tasks[0]?.usage.prices.file).toContain(prices);
    expect(state.usage.cost).toBe(expected);
  });
});
