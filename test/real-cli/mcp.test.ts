/**
 * Replies through poli's MCP server (src/mcp/), with the real Claude Code and Codex CLIs offline against fake model
 * servers: each fake model answers with a tool call to poli_reply / poli_status (Anthropic `tool_use`, OpenAI
 * Responses `function_call` in the `mcp__poli` namespace); the real CLI runs `poli mcp`, which poli registered for
 * the session on its command line, and calls it without asking anyone. The bodies poli records must equal the scripted
 * ones byte for byte — among them a 1 MB result with a 5,000-character line, ANSI-looking text and close tags — and
 * each must be recorded as having come through the tool.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPoli, startPoli } from '../helpers/poli-process.ts';
import { startFakeAnthropic } from './fake-anthropic.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import type { FakeServer } from './fake-server.ts';
import { createTestDirs, seedClaudeHome, seedCodexHome } from './home.ts';
import { ensureRealClis } from './install.ts';
import { hardBody, poliTool, TOOL_DIALOGUE, toolDialogueTurns } from './mcp-tools.ts';
import { cleanUpEachRun } from './person.ts';
import { dialogueScript, newScriptLog } from './scripts.ts';

const ENABLED = process.env.POLI_REAL_CLI === '1';

const { TASK, PLAN, STATUS, CONTINUE, CREATED, COMPLETE } = TOOL_DIALOGUE;

const track = cleanUpEachRun();

type Kind = 'claude' | 'codex';

async function runWithTools(planner: Kind, executer: Kind): Promise<void> {
  const clis = await ensureRealClis();
  const dirs = await createTestDirs(join(clis.cacheDir, 'runs'));
  const project = dirs.project;
  const big = hardBody(`${planner}-${executer}`);
  const plannerLog = newScriptLog();
  const executerLog = newScriptLog();
  const { plannerTurns, executerTurns } = toolDialogueTurns(poliTool(planner), poliTool(executer), big);
  const start = (kind: Kind, script: ReturnType<typeof dialogueScript>) => (kind === 'claude' ? startFakeAnthropic(script) : startFakeOpenAi(script));
  const servers: Partial<Record<Kind, FakeServer>> = {};
  servers[planner] = await start(planner, dialogueScript('PLANNER', project, plannerTurns, plannerLog));
  servers[executer] = await start(executer, dialogueScript('EXECUTER', project, executerTurns, executerLog));
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const stateDir = join(dirs.root, 'state');
  track({ dirs, socket, servers: Object.values(servers) });
  const claude = await seedClaudeHome({ home: dirs.home, project, baseUrl: servers.claude?.url ?? 'http://127.0.0.1:9', version: clis.claudeVersion });
  const codex = await seedCodexHome({ home: dirs.home, project, baseUrl: servers.codex?.url ?? 'http://127.0.0.1:9' });
  const leaks = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CONFIG_DIR'].filter((name) => process.env[name] !== undefined);
  const env = { ...Object.fromEntries(leaks.map((name) => [name, ''])), ...claude, ...codex, LANG: 'C.UTF-8' };
  const binary = (kind: Kind) => (kind === 'claude' ? clis.claude : clis.codex);

  const poli = startPoli(
    [
      '--planner-cmd', binary(planner),
      '--executer-cmd', binary(executer),
      '--project-dir', project,
      '--state-dir', stateDir,
      '--socket', socket,
      '--kill-on-exit',
      '--plan-timeout', '120',
      '--exec-timeout', '120',
      '--task', TASK,
    ],
    { env },
  );
  const code = await poli.exited;
  const output = `--- stdout ---\n${poli.stdout()}\n--- stderr ---\n${poli.stderr().slice(-4000)}`;
  expect(plannerLog.problems, output).toEqual([]);
  expect(executerLog.problems, output).toEqual([]);
  expect(code, output).toBe(0);

  const result = await runPoli(['--state', '--json', '--state-dir', stateDir]);
  expect(result.code, result.stderr).toBe(0);
  const task = (JSON.parse(result.stdout) as { tasks: { status: string; messages: { from: string; to: string; type: string; body: string; channel?: string }[] }[] }).tasks[0];
  expect(task?.status, output).toBe('completed');
  const fromClis = (task?.messages ?? []).filter((m) => m.from === 'PLANNER' || m.from === 'EXECUTER');
  expect(fromClis.map(({ from, to, type, channel }) => ({ from, to, type, channel }))).toEqual([
    { from: 'PLANNER', to: 'EXECUTER', type: 'plan', channel: 'tool' },
    { from: 'EXECUTER', to: 'PLANNER', type: 'status', channel: 'tool' },
    { from: 'EXECUTER', to: 'PLANNER', type: 'result', channel: 'tool' },
    { from: 'PLANNER', to: 'EXECUTER', type: 'continue', channel: 'tool' },
    { from: 'EXECUTER', to: 'PLANNER', type: 'result', channel: 'tool' },
    { from: 'PLANNER', to: 'ORCHESTRATOR', type: 'complete', channel: 'tool' },
  ]);
  const bodies = fromClis.map((m) => m.body);
  expect(bodies[0]).toBe(PLAN);
  expect(bodies[1]).toBe(STATUS);
  // Byte for byte, without printing a megabyte on failure.
  expect(bodies[2]?.length).toBe(big.length);
  expect(bodies[2] === big).toBe(true);
  expect(bodies.slice(3)).toEqual([CONTINUE, CREATED, COMPLETE]);
  // The megabyte reached the planner too (as a file poli pointed it to), whole.
  const review = [...plannerLog.messageFiles.values()].find((file) => file.header.type === 'review');
  expect(review?.body === big).toBe(true);
}

describe.skipIf(!ENABLED)('replies through poli mcp with the real CLIs', () => {
  beforeAll(() => ensureRealClis().then(() => undefined), 600_000);

  it('claude plans, codex executes: every reply through the tools, a 1 MB result byte for byte', () => runWithTools('claude', 'codex'), 300_000);

  it('codex plans, claude executes: every reply through the tools, a 1 MB result byte for byte', () => runWithTools('codex', 'claude'), 300_000);
});
