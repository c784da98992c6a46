/**
 * Budgets that pause rather than kill (issue 22, item 3) with the real CLIs, offline against fake model servers:
 * Codex plans, Claude Code executes, and a price file (POLI_PRICES) puts round prices on the models they record
 * (gpt-fake, claude-fake), Codex's dear and Claude's cheap, so the budget is spent exactly by the planner's first
 * turn whatever of the cheap primer poli has read by then. poli must hold the plan (not type it), the task must wait
 * with reason budget and both CLIs must stay alive in their panes; `poli resume T1 --budget 100` from another terminal
 * lets the plan go out and the task complete, and the cost poli recorded is the priced sum of every main turn the
 * fake servers answered.
 *
 * Codex plans because its rollout records a turn's usage (token_usage_record) before the turn ends on screen, so the
 * spend is known when poli is about to type the plan; the budget is checked before each message poli types.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPoli, startPoli } from '../helpers/poli-process.ts';
import { startFakeAnthropic } from './fake-anthropic.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import type { FakeServer, FakeUsage } from './fake-server.ts';
import { createTestDirs, seedClaudeHome, seedCodexHome } from './home.ts';
import { ensureRealClis } from './install.ts';
import { blankLeaks, cleanUpEachRun, readState, serverAlive, tmux } from './person.ts';
import { dialogueScript, newScriptLog, type ScriptedTurn } from './scripts.ts';

const ENABLED = process.env.POLI_REAL_CLI === '1';
const track = cleanUpEachRun();

const TASK = 'Create the file x in the project directory';
const PLAN = '<PLAN>\n1. Create the empty file x in the project directory.\n</PLAN>';
const RESULT = 'Created x (0 bytes).';
const COMPLETE = 'Done: x created.';

/** Micro-dollars per token of each kind (the price file's USD per million tokens, as it happens). */
type Prices = Record<keyof Omit<FakeUsage, 'reasoning'>, number>;
/** Codex's model: a main turn n (fake-server.ts defaultTurnUsage) costs $4.40 + $0.042·n. */
const GPT_FAKE: Prices = { input: 10_000, output: 20_000, cacheRead: 1_000, cacheWrite: 2_000 };
/** Claude Code's model, a tenth of that: its primer turn costs $0.4442. */
const CLAUDE_FAKE: Prices = { input: 1_000, output: 2_000, cacheRead: 100, cacheWrite: 200 };
/**
 * The task's budget: above 125 % of both primers ($4.442 + $0.4442, so no warning before the task is typed) and below
 * the planner's primer and first turn ($4.442 + $4.484): reached when the plan is about to go to the EXECUTER.
 */
const BUDGET = 8;

/** What a main turn with `usage` costs at `prices`, in micro-dollars. */
function micros(usage: FakeUsage, prices: Prices): number {
  return usage.input * prices.input + usage.output * prices.output + usage.cacheRead * prices.cacheRead + usage.cacheWrite * prices.cacheWrite;
}

/** The priced sum of the main turns `server` answered (its side requests are written nowhere and cost nothing here). */
function servedMicros(server: FakeServer, prices: Prices): number {
  return server.served.filter((s) => s.kind === 'turn').reduce((sum, s) => sum + micros(s.usage, prices), 0);
}

interface StateTask {
  status: string;
  waiting?: { kind: string; role: string; reason: string; until: string | null };
  usage?: { total: { cost: number | null; costComplete: boolean } };
}

async function pauseAndResume(): Promise<void> {
  const clis = await ensureRealClis();
  const dirs = await createTestDirs(join(clis.cacheDir, 'runs'));
  const project = dirs.project;
  const plannerLog = newScriptLog();
  const executerLog = newScriptLog();
  const plannerTurns: ScriptedTurn[] = [
    { blocks: [{ to: 'EXECUTER', type: 'plan', body: PLAN }] },
    { blocks: [{ to: 'ORCHESTRATOR', type: 'complete', body: COMPLETE }] },
  ];
  const executerTurns: ScriptedTurn[] = [{ blocks: [{ to: 'PLANNER', type: 'result', body: RESULT }] }];
  const codex = await startFakeOpenAi(dialogueScript('PLANNER', project, plannerTurns, plannerLog));
  const claude = await startFakeAnthropic(dialogueScript('EXECUTER', project, executerTurns, executerLog));
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const stateDir = join(dirs.root, 'state');
  track({ dirs, socket, servers: [codex, claude] });
  const prices = join(dirs.root, 'prices.json');
  await writeFile(
    prices,
    JSON.stringify({ version: 1, date: '2026-12-07', models: { 'gpt-fake': GPT_FAKE, 'claude-fake': CLAUDE_FAKE } }),
  );
  const env = {
    ...blankLeaks(['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CONFIG_DIR']),
    ...(await seedClaudeHome({ home: dirs.home, project, baseUrl: claude.url, version: clis.claudeVersion, trustProject: true })),
    ...(await seedCodexHome({ home: dirs.home, project, baseUrl: codex.url, trustProject: true })),
    LANG: 'C.UTF-8',
    POLI_PRICES: prices,
  };
  const flags = ['--socket', socket, '--state-dir', stateDir];

  const poli = startPoli(
    [
      '--planner-cmd', clis.codex,
      '--executer-cmd', clis.claude,
      '--project-dir', project,
      ...flags,
      '--kill-on-exit',
      '--plan-timeout', '120',
      '--exec-timeout', '120',
      '--budget', String(BUDGET),
      '--task', TASK,
    ],
    { env },
  );
  const output = () => `--- stdout ---\n${poli.stdout()}\n--- stderr ---\n${poli.stderr()}`;
  const held = /waiting: its budget \$8\.00 is spent \(\$\d+\.\d\d\): message (T1-R\d+-\w+) to the EXECUTER waits, its CLIs keep their context; poli resume T1 --budget N raises it/;
  await Promise.race([
    poli.waitFor(held, 240_000),
    poli.exited.then((code) => {
      throw new Error(`poli exited (${code}) before the budget was spent\n${output()}`);
    }),
  ]);
  const heldId = held.exec(poli.stdout() + poli.stderr())?.[1] ?? '';

  // The plan is held, not typed: the executer's model never saw it, and the task waits for its budget.
  expect(plannerLog.answered.map((h) => h.type)).toEqual(['task']);
  expect(claude.turns().filter((r) => r.userText.includes(heldId)), output()).toEqual([]);
  expect(executerLog.answered, output()).toEqual([]);
  const waiting = (await readState(stateDir)).tasks[0] as StateTask | undefined;
  expect(waiting?.status, output()).toBe('waiting');
  expect(waiting?.waiting).toMatchObject({ kind: 'budget', role: 'EXECUTER', until: null });
  expect(waiting?.waiting?.reason).toContain(`message ${heldId} to the EXECUTER waits`);
  expect(waiting?.usage?.total.cost).toBeGreaterThanOrEqual(BUDGET);
  const status = await runPoli(['status', ...flags]);
  expect(status.stdout, status.stderr).toMatch(/^poli T1 r\d+ EXECUTER budget.* · waiting: its budget \$8\.00 is spent/);
  const record = JSON.parse(await readFile(join(stateDir, 'tasks', 'T1.json'), 'utf8')) as { deliveries?: { id: string }[]; budget?: unknown };
  expect((record.deliveries ?? []).some((d) => d.id === heldId)).toBe(false);
  expect(record.budget).toEqual({ limit: BUDGET, warned: true, reached: true });
  // Both CLIs are still running in their panes, with their context.
  const panes = await tmux(socket, ['list-panes', '-a', '-F', '#{@poli_role} #{pane_dead}']);
  expect(panes.split('\n').filter((line) => line !== '').sort()).toEqual(['EXECUTER 0', 'PLANNER 0']);

  const resumed = await runPoli(['resume', 'T1', '--budget', '100', ...flags]);
  expect(resumed.stdout, resumed.stderr).toContain('to raise its budget to $100.00 and go on.');
  const code = await poli.exited;
  expect(plannerLog.problems, output()).toEqual([]);
  expect(executerLog.problems, output()).toEqual([]);
  expect(code, output()).toBe(0);
  expect(poli.stdout() + poli.stderr()).toContain(`budget: its budget is raised to $100.00; sending message ${heldId} to the EXECUTER`);

  const state = await readState(stateDir);
  const task = state.tasks[0];
  expect(task?.status, output()).toBe('completed');
  expect(task?.messages.map((m) => `${m.from}>${m.to}:${m.type}`)).toEqual([
    'ORCHESTRATOR>PLANNER:task',
    'PLANNER>EXECUTER:plan',
    'EXECUTER>PLANNER:result',
    'ORCHESTRATOR>PLANNER:review',
    'PLANNER>ORCHESTRATOR:complete',
  ]);
  expect(executerLog.answered.map((h) => h.id)).toEqual([heldId]);
  // The cost poli recorded is the priced sum of every main turn both fake servers answered (primers included).
  const total = (task as StateTask | undefined)?.usage?.total;
  expect(total?.costComplete, output()).toBe(true);
  expect(total?.cost, output()).toBe((servedMicros(codex, GPT_FAKE) + servedMicros(claude, CLAUDE_FAKE)) / 1_000_000);
  const events = (await readFile(join(stateDir, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string; level?: string });
  expect(events.filter((e) => e.event === 'budget').map((e) => e.level)).toEqual(['reached', 'raised']);
  expect(await serverAlive(socket)).toBe(false);
}

describe.skipIf(!ENABLED)('budgets with the real CLIs', () => {
  beforeAll(() => ensureRealClis().then(() => undefined), 600_000);

  it('codex plans, claude executes: the plan waits once the budget is spent, and goes out after poli resume T1 --budget 100', () =>
    pauseAndResume(), 300_000);
});
