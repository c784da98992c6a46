/**
 * Replies through poli's structured channel with Gemini CLI, Qwen Code, opencode, GitHub Copilot CLI and pi, as their
 * real binaries offline against fake model servers, two real CLIs per dialogue in a ring (each CLI plans once and
 * executes once). The fake models answer with tool calls (Gemini `functionCall`, Chat Completions `tool_calls`): the
 * four CLIs with MCP call poli's tools, registered and pre-approved by poli for the session (src/mcp/register.ts), and
 * pi, which has none, writes the body to a file with its write tool and runs `node "$POLI_BIN" reply … < file` with
 * its bash tool. Every body poli records must equal the scripted one byte for byte — among them a 1 MB result with a
 * 5,000-character line, ANSI-looking text and close tags — with its channel: `tool`, or `command` for pi. No approval
 * prompt may stop a call (nobody answers one here: poli's tools must be pre-approved). Each CLI's user configuration
 * holds an MCP server of the user's own, which must still be offered beside poli's.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPoli, startPoli } from '../helpers/poli-process.ts';
import { startFakeAnthropic } from './fake-anthropic.ts';
import { startFakeChat } from './fake-chat.ts';
import { startFakeGemini } from './fake-gemini.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import type { FakeServer, ReplyScript } from './fake-server.ts';
import {
  createTestDirs,
  seedClaudeHome,
  seedCodexHome,
  seedCopilotHome,
  seedGeminiHome,
  seedOpencodeHome,
  seedPiHome,
  seedQwenHome,
  type TestDirs,
} from './home.ts';
import { ensureMoreCli, ensureRealClis } from './install.ts';
import { channelOf, hardBody, type Kind, poliTool, TOOL_DIALOGUE, toolDialogueTurns } from './mcp-tools.ts';
import { cleanUpEachRun } from './person.ts';
import { dialogueScript, newScriptLog } from './scripts.ts';

const ENABLED = process.env.POLI_REAL_CLI === '1';
const ONLY = (process.env.POLI_REAL_CLI_ONLY ?? '').split(',').filter((name) => name !== '');

const { TASK, PLAN, STATUS, CONTINUE, CREATED, COMPLETE } = TOOL_DIALOGUE;

const track = cleanUpEachRun();

function startServer(kind: Kind, script: ReplyScript): Promise<FakeServer> {
  if (kind === 'claude') return startFakeAnthropic(script);
  if (kind === 'codex') return startFakeOpenAi(script);
  if (kind === 'gemini') return startFakeGemini(script);
  return startFakeChat(script);
}

/** The CLI's executable. */
async function binary(kind: Kind): Promise<string> {
  if (kind === 'claude' || kind === 'codex') return (await ensureRealClis())[kind];
  return (await ensureMoreCli(kind)).bin;
}

/** Seeds the CLI's configuration in the test's HOME and returns the environment it needs. */
async function seed(kind: Kind, dirs: TestDirs, server: FakeServer): Promise<Record<string, string>> {
  const options = { home: dirs.home, project: dirs.project, baseUrl: server.url };
  switch (kind) {
    case 'claude':
      return seedClaudeHome({ ...options, version: (await ensureRealClis()).claudeVersion });
    case 'codex':
      return seedCodexHome(options);
    case 'gemini':
      return seedGeminiHome(options);
    case 'qwen':
      return seedQwenHome(options);
    case 'opencode':
      return seedOpencodeHome(options);
    case 'pi':
      return seedPiHome(options);
    case 'copilot':
      return {
        ...(await seedCopilotHome(options)),
        // The 1 MB body goes back to the model with the conversation; the seeded 100,000-token budget would cut it.
        COPILOT_PROVIDER_MAX_PROMPT_TOKENS: '2000000',
      };
  }
}

/**
 * Qwen Code 0.24.4 redraws a pending tool call with its whole arguments on every frame (Ink wrapping the JSON, a
 * grapheme at a time): a 50 KB call took ~15 s, 200 KB did not finish in 40 s, 1 MB not in 150 s. Its result carries
 * 30 KB (still a 5,000-character line, ANSI-looking text and tag lines); the others carry the megabyte.
 */
const HARD_BODY_BYTES: Partial<Record<Kind, number>> = { qwen: 30 * 1024 };

/**
 * A server of the user's own in the CLI's user configuration (`poli mcp` again, under the name "mine", pointed at no
 * poli): poli's registration must add its server beside it, not replace the user's. Its tools are never called.
 */
async function seedUserServer(kind: Kind, dirs: TestDirs): Promise<void> {
  const mine = { command: process.execPath, args: [join(import.meta.dirname, '..', '..', 'bin', 'poli.js'), 'mcp'], env: { POLI_ROLE: 'PLANNER', POLI_SOCKET_PATH: join(dirs.root, 'none.sock') } };
  const edit = async (file: string, change: (config: Record<string, unknown>) => void) => {
    const config = (await readFile(file, 'utf8').then((text) => JSON.parse(text) as Record<string, unknown>, () => ({}))) as Record<string, unknown>;
    change(config);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  };
  if (kind === 'gemini') await edit(join(dirs.home, '.gemini', 'settings.json'), (c) => (c.mcpServers = { mine }));
  if (kind === 'qwen') await edit(join(dirs.home, '.qwen', 'settings.json'), (c) => (c.mcpServers = { mine }));
  if (kind === 'copilot') await edit(join(dirs.home, '.copilot', 'mcp-config.json'), (c) => (c.mcpServers = { mine: { type: 'local', ...mine, tools: ['*'] } }));
  if (kind === 'opencode') {
    await edit(join(dirs.home, '.config', 'opencode', 'opencode.json'), (c) => {
      c.mcp = { mine: { type: 'local', command: [mine.command, ...mine.args], environment: mine.env } };
      // opencode runs every tool unasked by default; a user who has it ask must still not be asked about poli's.
      c.permission = { '*': 'ask' };
    });
  }
}

/** The names each CLI gives the user's server's poli_reply: it must still be offered (Qwen Code defers it: not listed). */
const USER_TOOL: Partial<Record<Kind, string>> = { gemini: 'mcp_mine_poli_reply', opencode: 'mine_poli_reply', copilot: 'mine-poli_reply' };

/** Variables of this machine that would point a CLI elsewhere. */
const LEAKS = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CONFIG_DIR', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'];

async function runWithTools(planner: Kind, executer: Kind): Promise<void> {
  const dirs = await createTestDirs(join((await ensureRealClis()).cacheDir, 'runs'));
  const project = dirs.project;
  const big = hardBody(`${planner}-${executer}`, HARD_BODY_BYTES[executer] ?? 1024 * 1024);
  const plannerLog = newScriptLog();
  const executerLog = newScriptLog();
  const { plannerTurns, executerTurns } = toolDialogueTurns(poliTool(planner), poliTool(executer), big);
  const plannerServer = await startServer(planner, dialogueScript('PLANNER', project, plannerTurns, plannerLog));
  const executerServer = await startServer(executer, dialogueScript('EXECUTER', project, executerTurns, executerLog));
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const stateDir = join(dirs.root, 'state');
  track({ dirs, socket, servers: [plannerServer, executerServer] });
  const leaks = LEAKS.filter((name) => process.env[name] !== undefined);
  const env = {
    ...Object.fromEntries(leaks.map((name) => [name, ''])),
    ...(await seed(planner, dirs, plannerServer)),
    ...(await seed(executer, dirs, executerServer)),
    LANG: 'C.UTF-8',
  };
  await seedUserServer(planner, dirs);
  await seedUserServer(executer, dirs);

  const started = Date.now();
  const poli = startPoli(
    [
      '--planner-cmd', await binary(planner),
      '--executer-cmd', await binary(executer),
      '--project-dir', project,
      '--state-dir', stateDir,
      '--socket', socket,
      '--kill-on-exit',
      '--plan-timeout', '150',
      '--exec-timeout', '150',
      '--task', TASK,
    ],
    { env },
  );
  const code = await poli.exited;
  const offered = `poli tools offered: planner ${JSON.stringify(poliToolsOffered(plannerServer))}, executer ${JSON.stringify(poliToolsOffered(executerServer))}`;
  const output = `${offered}\n--- stdout ---\n${poli.stdout()}\n--- stderr ---\n${poli.stderr().slice(-4000)}`;
  expect(plannerLog.problems, output).toEqual([]);
  expect(executerLog.problems, output).toEqual([]);
  expect(code, output).toBe(0);

  const result = await runPoli(['--state', '--json', '--state-dir', stateDir]);
  expect(result.code, result.stderr).toBe(0);
  const task = (JSON.parse(result.stdout) as { tasks: { status: string; messages: { from: string; to: string; type: string; body: string; channel?: string }[] }[] }).tasks[0];
  expect(task?.status, output).toBe('completed');
  const fromClis = (task?.messages ?? []).filter((m) => m.from === 'PLANNER' || m.from === 'EXECUTER');
  const p = channelOf(planner);
  const e = channelOf(executer);
  expect(fromClis.map(({ from, to, type, channel }) => ({ from, to, type, channel })), output).toEqual([
    { from: 'PLANNER', to: 'EXECUTER', type: 'plan', channel: p },
    { from: 'EXECUTER', to: 'PLANNER', type: 'status', channel: e },
    { from: 'EXECUTER', to: 'PLANNER', type: 'result', channel: e },
    { from: 'PLANNER', to: 'EXECUTER', type: 'continue', channel: p },
    { from: 'EXECUTER', to: 'PLANNER', type: 'result', channel: e },
    { from: 'PLANNER', to: 'ORCHESTRATOR', type: 'complete', channel: p },
  ]);
  const bodies = fromClis.map((m) => m.body);
  expect(bodies[0]).toBe(PLAN);
  expect(bodies[1]).toBe(STATUS);
  // Byte for byte, without printing a megabyte on failure.
  expect(bodies[2]?.length).toBe(big.length);
  expect(bodies[2] === big).toBe(true);
  expect(bodies.slice(3)).toEqual([CONTINUE, CREATED, COMPLETE]);
  // The body reached the planner too (as a file poli pointed it to), whole.
  const review = [...plannerLog.messageFiles.values()].find((file) => file.header.type === 'review');
  expect(review?.body === big).toBe(true);
  // The user's own MCP server is still there beside poli's.
  for (const [kind, server] of [[planner, plannerServer], [executer, executerServer]] as const) {
    const mine = USER_TOOL[kind];
    if (mine) expect(poliToolsOffered(server), `${kind}: the user's own server`).toContain(mine);
  }
  console.log(`${planner} plans, ${executer} executes, replies through poli's ${p === e ? p : `${p}/${e}`} channel: wall ${Date.now() - started} ms`);
}

/** The names of poli's tools the CLI offered its model in its last main turn (for a failure's message). */
function poliToolsOffered(server: FakeServer): string[] {
  const last = server.turns().at(-1)?.body as { tools?: unknown[] } | undefined;
  const names = (last?.tools ?? []).flatMap((tool) => {
    const t = tool as { function?: { name?: string }; name?: string; functionDeclarations?: { name?: string }[] };
    return t.functionDeclarations?.map((d) => d.name ?? '') ?? [t.function?.name ?? t.name ?? ''];
  });
  return names.filter((name) => /poli/.test(name));
}

/** A ring: each of the five CLIs plans once and executes (the 1 MB result) once. */
const PAIRS: [Kind, Kind][] = [
  ['gemini', 'qwen'],
  ['qwen', 'opencode'],
  ['opencode', 'copilot'],
  ['copilot', 'pi'],
  ['pi', 'gemini'],
];

describe.skipIf(!ENABLED)('replies through poli mcp and poli reply with Gemini CLI, Qwen Code, opencode, Copilot CLI and pi', () => {
  beforeAll(() => ensureRealClis().then(() => ensureMoreCli('gemini')).then(() => undefined), 600_000);
  for (const [planner, executer] of PAIRS.filter(([a, b]) => ONLY.length === 0 || ONLY.includes(`${a}:${b}`))) {
    const how = (kind: Kind) => (kind === 'pi' ? 'poli reply' : 'the tools');
    it(`${planner} plans (${how(planner)}), ${executer} executes (${how(executer)}): a hard result (1 MB; Qwen Code 30 KB) byte for byte`, () => runWithTools(planner, executer), 420_000);
  }
});
