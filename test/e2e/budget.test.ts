/**
 * Budgets that pause, not kill (issue 22, item 3), end to end with the mock CLIs: their usage transcript (MOCK_USAGE_DIR)
 * priced by a test price file (POLI_PRICES), a task with --budget waits once the budget is spent — after its turn,
 * with its CLIs and panes as they were — and `poli resume T1 --budget N` from another terminal lets it complete.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliRun, type PoliWorld, createWorld, runPoli, startPoli } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
let run: PoliRun | undefined;
afterEach(async () => {
  if (run && run.child.exitCode === null) {
    run.child.kill('SIGTERM');
    await run.exited;
  }
  run = undefined;
  await world?.cleanup();
  world = undefined;
});

interface StateTask {
  status: string;
  waiting?: { kind: string; role: string; reason: string; until: string | null };
  usage?: { total: { cost: number | null } };
}

async function stateTask(w: PoliWorld): Promise<StateTask | undefined> {
  const r = await runPoli(['--state', '--json', '--state-dir', w.stateDir]);
  return (JSON.parse(r.stdout) as { tasks: StateTask[] }).tasks[0];
}

describe('budgets with the mock CLIs', () => {
  it('a task waits when its budget is spent and completes after poli resume T1 --budget N', async () => {
    world = await createWorld();
    const base = path.dirname(world.projectDir);
    // $0.01 per uncached input token: each mock call (100-odd input tokens) costs about a dollar.
    const prices = path.join(base, 'prices.json');
    await writeFile(prices, JSON.stringify({ version: 1, date: '2026-12-07', models: { 'mock-model': { input: 10_000, output: 0, cacheRead: 0, cacheWrite: 0 } } }));
    const env = { MOCK_USAGE_DIR: path.join(base, 'mock-usage'), MOCK_ROUNDS: '2', POLI_PRICES: prices };
    run = startPoli(['--mock', '--task', 'Create hello.txt containing Hello', '--budget', '4', '--kill-on-exit', ...world.flags], { env });

    // What the person sees on poli's terminal: the warning at 80 %, then the wait.
    await run.waitFor(/budget: \$\d+\.\d\d of its budget \$4\.00 spent \(\d+ %\); at \$4\.00 the task waits/, 60_000);
    await run.waitFor(/waiting: its budget \$4\.00 is spent \(\$\d+\.\d\d\): message T1-R\d+-\w+ to the (PLANNER|EXECUTER) waits, its CLIs keep their context; poli resume T1 --budget N raises it/, 60_000);
    // Held, not typed: no line says it was sent.
    expect(run.stdout()).not.toMatch(/waiting: its budget[^\n]*\n[^\n]*sent to (PLANNER|EXECUTER)/);
    const held = /message (T1-R\d+-\w+) to the (PLANNER|EXECUTER) waits/.exec(run.stdout() + run.stderr());
    const [, heldId, heldTo] = held ?? [];

    const waiting = await stateTask(world);
    expect(waiting?.status).toBe('waiting');
    expect(waiting?.waiting).toMatchObject({ kind: 'budget', role: heldTo, until: null });
    expect(waiting?.waiting?.reason).toContain(`message ${heldId ?? ''} to the ${heldTo ?? ''} waits`);
    expect(waiting?.usage?.total.cost).toBeGreaterThanOrEqual(4);
    const status = await runPoli(['status', '--socket', world.socket, '--state-dir', world.stateDir]);
    expect(status.stdout).toMatch(new RegExp(`^poli T1 r\\d+ ${heldTo ?? ''} budget.* · waiting: its budget \\$4\\.00 is spent`));
    // The held message was not typed: the state has no delivery for it yet.
    const record = JSON.parse(await readFile(path.join(world.stateDir, 'tasks', 'T1.json'), 'utf8')) as { deliveries?: { id: string }[]; budget?: unknown };
    expect((record.deliveries ?? []).some((d) => d.id === heldId)).toBe(false);
    expect(record.budget).toEqual({ limit: 4, warned: true, reached: true });

    const resumed = await runPoli(['resume', 'T1', '--budget', '100', '--socket', world.socket, '--state-dir', world.stateDir]);
    expect(resumed.stdout, resumed.stderr).toContain('to raise its budget to $100.00 and go on.');
    expect(await run.exited).toBe(0);
    const out = run.stdout() + run.stderr();
    expect(out).toContain(`budget: its budget is raised to $100.00; sending message ${heldId ?? ''} to the ${heldTo ?? ''}`);
    const done = await stateTask(world);
    expect(done?.status).toBe('completed');
    const after = JSON.parse(await readFile(path.join(world.stateDir, 'tasks', 'T1.json'), 'utf8')) as { deliveries?: { id: string; stage: string }[]; budget?: unknown };
    expect(after.deliveries?.find((d) => d.id === heldId)?.stage).toBe('answered');
    expect(after.budget).toEqual({ limit: 100 });
    // The events: warn, reached, raised.
    const events = (await readFile(path.join(world.stateDir, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: string; level?: string });
    expect(events.filter((e) => e.event === 'budget').map((e) => e.level)).toEqual(['warn', 'reached', 'raised']);
  });
});
