/**
 * Whole dialogues through poli (node bin/poli.js) with each real CLI (Gemini CLI, Qwen Code, pi,
 * opencode, GitHub Copilot CLI, and Claude Code and Codex too), offline against a fake model server, paired with
 * poli's mock TUI on the other side:
 * once as PLANNER (its plan carries a 1,000-character line and is longer than the screen), once as EXECUTER (it runs
 * a command that needs permission where the CLI asks, then reports with a 1,000-character line and a reply longer
 * than the screen). UI settings stay at each CLI's defaults (only auth, onboarding and, unless the test says
 * otherwise, folder trust are seeded). The bodies recorded in `poli --state --json` must equal the scripted ones byte
 * for byte. Each run prints its wall time and hop overheads (fake-server and mock trace timestamps).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectProfile } from '../../src/profiles/select.ts';
import type { Role } from '../../src/protocol/types.ts';
import { REPLY_PIECE_GAP_MS } from '../../mocks/lib/outbox.ts';
import { startPoli } from '../helpers/poli-process.ts';
import { CHAT_CACHE_STYLE, expectedChatUsage, recordedCounts, type ChatCli } from './chat-usage.ts';
import { startFakeChat } from './fake-chat.ts';
import { startFakeGemini } from './fake-gemini.ts';
import { findLastHeader, type FakeServer, type RecordedRequest, type ReplyScript, type ToolCall } from './fake-server.ts';
import { createTestDirs, seedCopilotHome, seedGeminiHome, seedOpencodeHome, seedPiHome, seedQwenHome, type TestDirs } from './home.ts';
import { startFakeAnthropic } from './fake-anthropic.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import { seedClaudeHome, seedCodexHome } from './home.ts';
import { ensureMoreCli, ensureRealClis, latestRequested, type MoreCli as FiveCli } from './install.ts';

/** The five other CLIs, and Claude Code and Codex run through the same dialogues for the compatibility matrix. */
type MoreCli = FiveCli | 'claude' | 'codex';
import { approveAsTheHuman, blankLeaks, cleanUpEachRun, readState, serverAlive, tmux } from './person.ts';
import { dialogueScript, newScriptLog, type ScriptedTurn } from './scripts.ts';
import { recordedSums, servedTurnSums, type SumOptions } from './usage-sums.ts';

const ENABLED = process.env.POLI_REAL_CLI === '1';
const ONLY = (process.env.POLI_REAL_CLI_ONLY ?? '').split(',').filter((name) => name !== '');

/** A body line of exactly 1,000 characters. */
export const LONG_LINE = `long line start ${'0123456789'.repeat(98)} end`.slice(0, 996) + ' end';
/** 70 more lines: longer than the 50-row pane. */
const TALL = Array.from({ length: 70 }, (_, i) => `detail ${String(i + 1).padStart(2, '0')}: checked part ${i + 1} of 70, no change needed`);

const PLAN = ['<PLAN>', '1. Create x containing hello', LONG_LINE, ...TALL, '</PLAN>'].join('\n');
const COMPLETE = 'Done: x created, the long plan carried out.';
const RESULT = ['Ran `touch y`; created y.', LONG_LINE, ...TALL].join('\n');
const RESULT_2 = 'Round 2 done: appended the line.';
/** The mock planner's task: its plan step carries the 1,000-character line to the real executer. */
const EXECUTER_TASK = `Create notes.txt containing ${LONG_LINE}`;

/** A command that needs permission where the CLI asks for one (pi never asks; opencode runs it by default). */
const TOOL_CALL: Record<MoreCli, ToolCall> = {
  claude: { name: 'Bash', input: { command: "sh -c 'touch y'", description: 'Create file y' } },
  codex: { name: 'exec_command', input: { cmd: 'touch y', sandbox_permissions: 'require_escalated', justification: 'Create file y?' } },
  gemini: { name: 'run_shell_command', input: { command: 'touch y', description: 'Create file y' } },
  qwen: { name: 'run_shell_command', input: { command: 'touch y', description: 'Create file y', is_background: false } },
  opencode: { name: 'bash', input: { command: 'touch y', description: 'Create file y' } },
  pi: { name: 'bash', input: { command: 'touch y' } },
  copilot: { name: 'bash', input: { command: 'touch y', description: 'Create file y' } },
};
/**
 * The CLIs whose token usage poli reads, and what of the fake server's numbers each cannot record (issue 22): poli's
 * totals for the CLI's role must equal the sums the fake served for main turns.
 */
const USAGE_READ: Partial<Record<MoreCli, SumOptions>> = {
  claude: {},
  codex: {},
  gemini: { cacheWrite: 'unknown' },
};

/** Whether the CLI asks before running the command with default settings. */
const ASKS: Record<MoreCli, boolean> = { claude: true, codex: true, gemini: true, qwen: true, opencode: false, pi: false, copilot: true };

const track = cleanUpEachRun();

interface Case {
  cli: MoreCli;
  role: Role;
  /** Leave folder trust unseeded: poli answers the CLI's trust dialog. */
  untrusted: boolean;
}

async function seed(cli: MoreCli, dirs: TestDirs, server: FakeServer, trustProject: boolean): Promise<Record<string, string>> {
  const options = { home: dirs.home, project: dirs.project, baseUrl: server.url, trustProject };
  if (cli === 'claude' || cli === 'codex') {
    const clis = await ensureRealClis();
    const seeded =
      cli === 'claude'
        ? await seedClaudeHome({ ...options, version: clis.claudeVersion })
        : await seedCodexHome(options);
    // Blank only what is set: an empty CLAUDE_CONFIG_DIR makes Claude keep its config in the working directory.
    return { ...blankLeaks(['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CONFIG_DIR']), ...seeded, LANG: 'C.UTF-8' };
  }
  const seeded = await { gemini: seedGeminiHome, qwen: seedQwenHome, opencode: seedOpencodeHome, pi: seedPiHome, copilot: seedCopilotHome }[cli](options);
  return { ...blankLeaks(['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'GEMINI_API_KEY', 'GOOGLE_API_KEY']), ...seeded, LANG: 'C.UTF-8' };
}

/** Where the CLI's executable is and which version it reports. */
async function installed_(cli: MoreCli): Promise<{ cacheDir: string; bin: string; version: string }> {
  if (cli !== 'claude' && cli !== 'codex') return ensureMoreCli(cli);
  const clis = await ensureRealClis();
  return cli === 'claude'
    ? { cacheDir: clis.cacheDir, bin: clis.claude, version: clis.claudeVersion }
    : { cacheDir: clis.cacheDir, bin: clis.codex, version: clis.codexVersion };
}

const isChatCli = (cli: MoreCli): cli is ChatCli => cli === 'qwen' || cli === 'opencode' || cli === 'pi' || cli === 'copilot';

/** Results of one dialogue, printed for the report. */
interface Timing {
  wallMs: number;
  /** Real CLI's model server finished a reply → the mock saw the forwarded message. */
  toMock: number[];
  /** The mock's reply complete on its pane → the real CLI's model server received the forwarded message. */
  toCli: number[];
}

async function runCase({ cli, role, untrusted }: Case): Promise<Timing> {
  const installed = await installed_(cli);
  const dirs = await createTestDirs(join(installed.cacheDir, 'runs'));
  const log = newScriptLog();
  const turns: ScriptedTurn[] =
    role === 'PLANNER'
      ? [
          { blocks: [{ to: 'EXECUTER', type: 'plan', body: PLAN }] },
          { blocks: [{ to: 'ORCHESTRATOR', type: 'complete', body: COMPLETE }] },
        ]
      : [
          { toolCall: TOOL_CALL[cli], blocks: [{ to: 'PLANNER', type: 'result', body: RESULT }] },
          { blocks: [{ to: 'PLANNER', type: 'result', body: RESULT_2 }] },
        ];
  const inner = dialogueScript(role, dirs.project, turns, log);
  const answeredAt = new Set<RecordedRequest>();
  const script: ReplyScript = (text, request) => {
    const reply = (inner as (t: string, r: RecordedRequest) => ReturnType<Exclude<ReplyScript, unknown[]>>)(text, request);
    if ((typeof reply === 'string' ? reply : (reply.text ?? '')).includes('[[POLI:MSG')) answeredAt.add(request);
    return reply;
  };
  const start = { gemini: startFakeGemini, claude: startFakeAnthropic, codex: startFakeOpenAi }[cli as string];
  const server = start ? await start(script) : await startFakeChat(script, { cacheStyle: CHAT_CACHE_STYLE[cli as ChatCli] });
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const stateDir = join(dirs.root, 'state');
  const trace = join(dirs.root, 'mock-trace.jsonl');
  const sent = join(dirs.root, 'mock-sent.jsonl');
  track({ dirs, socket, servers: [server] });
  const env = { ...(await seed(cli, dirs, server, !untrusted)), MOCK_TRACE_FILE: trace, MOCK_SENT_FILE: sent, MOCK_ROUNDS: '2',
    // The mock planner hands its plan over in a reply file: on its own screen it would wrap the 1,000-character step.
    MOCK_PLANNER_REPLY_FILE_PIECES: '1' };
  const mock = role === 'PLANNER' ? 'mock-executer.ts' : 'mock-planner.ts';
  const mockCommand = [process.execPath, '--import', import.meta.resolve('tsx'), join(import.meta.dirname, '..', '..', 'mocks', mock)].join(' ');
  const other: Role = role === 'PLANNER' ? 'EXECUTER' : 'PLANNER';
  const started = Date.now();
  const poli = startPoli(
    [
      `--${role.toLowerCase()}-cmd`, installed.bin,
      `--${other.toLowerCase()}-cmd`, mockCommand,
      `--${other.toLowerCase()}-profile`, 'mock',
      '--project-dir', dirs.project,
      '--state-dir', stateDir,
      '--socket', socket,
      '--kill-on-exit',
      '--plan-timeout', '150',
      '--exec-timeout', '150',
      '--task', role === 'PLANNER' ? 'Create x containing hello, following a long plan' : EXECUTER_TASK,
    ],
    { env },
  );
  if (process.env.POLI_DEBUG_SCREENS === '1') void sampleScreens(socket, role, join(dirs.root, 'screens.txt'), poli.exited);
  const approvals = role === 'EXECUTER' ? approveAsTheHuman(socket, selectProfile(cli), poli.exited) : Promise.resolve(0);
  const code = await poli.exited;
  const approved = await approvals;
  const wallMs = Date.now() - started;
  const output = `--- stdout ---\n${poli.stdout()}\n--- stderr ---\n${poli.stderr()}`;
  expect(log.problems, output).toEqual([]);
  expect(code, output).toBe(0);

  // Every message was taken the first time: poli never had to remind the CLI of one (a reminder hides a lost submit).
  const events = existsSync(join(stateDir, 'events.jsonl')) ? readFileSync(join(stateDir, 'events.jsonl'), 'utf8') : '';
  expect(events.split('\n').filter((line) => line.includes('"event":"reminder"')), output).toEqual([]);
  const state = await readState(stateDir);
  const task = state.tasks[0];
  expect(task?.status, output).toBe('completed');
  const fromCli = (task?.messages ?? []).filter((m) => m.from === role).map(({ to, type, body }) => ({ to, type, body }));
  if (role === 'PLANNER') {
    expect(fromCli).toEqual([
      { to: 'EXECUTER', type: 'plan', body: PLAN },
      { to: 'ORCHESTRATOR', type: 'complete', body: COMPLETE },
    ]);
    expect(log.answered.map((h) => h.type)).toEqual(['task', 'review']);
    expect(existsSync(join(dirs.project, 'x'))).toBe(true);
  } else {
    expect(fromCli).toEqual([
      { to: 'PLANNER', type: 'result', body: RESULT },
      { to: 'PLANNER', type: 'result', body: RESULT_2 },
    ]);
    expect(log.answered.map((h) => h.type)).toEqual(['plan', 'continue']);
    // The mock planner's plan, with its 1,000-character step, reached the real CLI's model whole.
    const plan = task?.messages.find((m) => m.type === 'plan');
    expect(plan?.body).toContain(LONG_LINE);
    const seen = [...log.messageFiles.values()].map((f) => f.body).concat(server.turns().map((t) => t.userText));
    expect(seen.some((text) => text.includes(plan?.body ?? '\u0000'))).toBe(true);
    expect(existsSync(join(dirs.project, 'y'))).toBe(true);
    if (ASKS[cli]) expect(approved).toBeGreaterThanOrEqual(1);
  }
  const usageRead = USAGE_READ[cli];
  if (usageRead) {
    expect(recordedSums(task, role), `${cli} as ${role}\n${output}`).toEqual(servedTurnSums(server, usageRead));
    // Gemini's router made side requests (marked numbers): leaving them out is what the equality shows. Claude Code's
    // and Codex's title requests do not come in every dialogue, so they are not asserted.
    if (cli === 'gemini') expect(server.served.some((reply) => reply.kind === 'title')).toBe(true);
  }
  if (isChatCli(cli)) {
    // Usage (issue 22): what poli recorded for the CLI's role is what the fake served for main turns, exactly, each
    // call once, side requests not in it.
    const recorded = task?.usage?.byRole[role];
    expect(recordedCounts(recorded), output).toEqual(expectedChatUsage(cli, server));
    expect(recorded?.models).toEqual([cli === 'opencode' ? 'fake/fake-model' : 'fake-model']);
    // Each call is charged to the message whose turn made it (or the primer), none unattributed: the CLI recorded
    // poli's prompt text, header included, before the calls it caused.
    const byMessage = task?.usage?.byMessage ?? {};
    expect(Object.keys(byMessage).filter((key) => key.startsWith('unattributed:'))).toEqual([]);
    // The primer's turn, when it reached the model (Copilot CLI with its trust dialog answered by poli made none).
    const primed = server.served.filter((s) => s.kind === 'turn' && s.userText.includes('two-agent team run by poli')).length;
    expect(byMessage[`primer:${role}`]?.calls ?? 0).toBe(primed);
  }
  expect(await serverAlive(socket)).toBe(false);
  const timing = hops(server, answeredAt, trace, sent, role);
  console.log(
    `${cli} ${installed.version} as ${role}${untrusted ? ' (trust not seeded)' : ''}: wall ${wallMs} ms; ` +
      `hop CLI→mock ${JSON.stringify(timing.toMock)} ms; hop mock→CLI ${JSON.stringify(timing.toCli)} ms`,
  );
  return { ...timing, wallMs };
}

/** Hop overheads from the fake server's timestamps and the mock's trace (MOCK_TRACE_FILE). */
function hops(server: FakeServer, answered: Set<RecordedRequest>, traceFile: string, sentFile: string, role: Role): Omit<Timing, 'wallMs'> {
  const events = existsSync(traceFile)
    ? readFileSync(traceFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as { t: number; event: string; id: string })
        // The primer's illustration is not a reply.
        .filter((e) => e.id !== 'ID_FROM_THE_MESSAGE')
    : [];
  const received = events.filter((e) => e.event === 'received').map((e) => e.t);
  // The mock planner writes its replies to files, complete REPLY_PIECE_GAP_MS after it starts (MOCK_SENT_FILE); the
  // mock executer prints them (its trace).
  const blocks =
    role === 'EXECUTER'
      ? readLines(sentFile).map((line) => (JSON.parse(line) as { at: number }).at + REPLY_PIECE_GAP_MS)
      : events.filter((e) => e.event === 'block').map((e) => e.t);
  const toMock: number[] = [];
  for (const request of server.requests) {
    if (!answered.has(request) || request.finishedAt === undefined) continue;
    const next = received.find((t) => t > (request.finishedAt ?? 0));
    if (next !== undefined) toMock.push(Math.round(next - request.finishedAt));
  }
  const toCli: number[] = [];
  const seen = new Set<string>();
  for (const request of server.turns()) {
    const header = findLastHeader(request.userText, role);
    if (!header || seen.has(header.id)) continue;
    seen.add(header.id);
    // A planner's first message, the task, comes from poli, not from the mock.
    if (header.type === 'task') continue;
    const before = blocks.filter((t) => t < request.receivedAt).pop();
    if (before !== undefined && toCli.length < toMock.length + 1) toCli.push(Math.round(request.receivedAt - before));
  }
  return { toMock, toCli };
}

function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '') : [];
}


/** Debugging aid (POLI_DEBUG_SCREENS=1): the real CLI's screen every 250 ms, when it changed, into `file`. */
async function sampleScreens(socket: string, role: Role, file: string, exited: Promise<number>): Promise<void> {
  const { appendFileSync } = await import('node:fs');
  let done = false;
  void exited.then(() => {
    done = true;
  });
  let last = '';
  while (!done) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const pane = await tmux(socket, ['list-panes', '-a', '-F', '#{pane_id} #{@poli_role}']).then(
      (out) => out.split('\n').find((line) => line.endsWith(` ${role}`))?.split(' ')[0],
      () => undefined,
    );
    if (!pane) continue;
    const screen = await tmux(socket, ['capture-pane', '-p', '-t', pane]).catch(() => '');
    if (screen === last) continue;
    last = screen;
    appendFileSync(file, `===== ${new Date().toISOString()}\n${screen.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').join('\n')}\n`);
  }
}



/** Which dialogue starts with the project not trusted (the CLI's trust dialog answered by poli). */
const CASES: Case[] = [
  { cli: 'claude', role: 'PLANNER', untrusted: false },
  { cli: 'claude', role: 'EXECUTER', untrusted: false },
  { cli: 'codex', role: 'PLANNER', untrusted: false },
  { cli: 'codex', role: 'EXECUTER', untrusted: false },
  { cli: 'gemini', role: 'PLANNER', untrusted: false },
  { cli: 'gemini', role: 'EXECUTER', untrusted: true },
  { cli: 'qwen', role: 'PLANNER', untrusted: false },
  { cli: 'qwen', role: 'EXECUTER', untrusted: false },
  { cli: 'pi', role: 'PLANNER', untrusted: false },
  { cli: 'pi', role: 'EXECUTER', untrusted: false },
  { cli: 'opencode', role: 'PLANNER', untrusted: false },
  { cli: 'opencode', role: 'EXECUTER', untrusted: false },
  { cli: 'copilot', role: 'PLANNER', untrusted: true },
  { cli: 'copilot', role: 'EXECUTER', untrusted: false },
];

describe.skipIf(!ENABLED)(`whole dialogues with each real CLI and a mock${latestRequested() ? ' (newest versions)' : ''}`, () => {
  // On a clean machine this installs every CLI (one npm install) before the first test's clock starts.
  beforeAll(() => ensureRealClis().then(() => ensureMoreCli('gemini')).then(() => undefined), 600_000);
  for (const c of CASES.filter((c) => ONLY.length === 0 || ONLY.includes(c.cli) || ONLY.includes(`${c.cli}:${c.role}`))) {
    it(`${c.cli} as ${c.role}${c.untrusted ? ', trust not seeded' : ''}: 1,000-character line and a reply taller than the screen, exact`, () =>
      runCase(c).then(() => undefined), 420_000);
  }
});
