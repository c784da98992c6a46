/**
 * Whole dialogues through poli (node bin/poli.js) with the real Claude Code and Codex CLIs, offline against fake
 * model servers: claude plans and codex executes, and the reverse. Each runs three rounds with an 8 KB plan (handed
 * over in a file), a reply full of Markdown-sensitive text, and a command that needs permission (approved by the
 * test, as the person watching would); the second starts with neither CLI trusting the project yet. The bodies
 * recorded in `poli --state --json` must equal the scripted ones byte for byte.
 */
import { execFile } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { claudeProfile } from '../../src/profiles/claude.ts';
import { codexProfile } from '../../src/profiles/codex.ts';
import { runPoli, startPoli } from '../helpers/poli-process.ts';
import { startFakeAnthropic } from './fake-anthropic.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import type { FakeServer, ToolCall } from './fake-server.ts';
import { createTestDirs, seedClaudeHome, seedCodexHome, type TestDirs } from './home.ts';
import { ensureRealClis, type RealClis } from './install.ts';
import { approveAsTheHuman, blankLeaks, cleanUpEachRun, readState, serverAlive } from './person.ts';
import { dialogueScript, largePlan, MARKDOWN_BODY, newScriptLog, type ScriptedTurn } from './scripts.ts';
import { recordedModels, recordedSums, servedTurnSums } from './usage-sums.ts';

const ENABLED = process.env.POLI_REAL_CLI === '1';
const execFileAsync = promisify(execFile);
type Kind = 'claude' | 'codex';

const TASK = 'Split the notes into parts and create the file x';
const PLAN = largePlan(8 * 1024);
const STATUS = 'Working on the notes: 3 of 90 parts written.';
const CONTINUE = 'Good. Next:\n<PLAN>\n1. Create the empty file x in the project directory.\n</PLAN>';
const CREATED = 'Created x (0 bytes); `ls x` prints x.';
const COMPLETE = 'Done: notes split into parts, x created.\n- 2 rounds, no errors';

/** A command the executer's model runs; both CLIs ask before running it (Codex: it asks to leave the sandbox). */
const TOOL_CALL: Record<Kind, ToolCall> = {
  // Through sh: Claude Code 2.1.332's auto mode runs a bare `touch` without asking.
  claude: { name: 'Bash', input: { command: "sh -c 'touch x'", description: 'Create file x' } },
  codex: { name: 'exec_command', input: { cmd: 'touch x', sandbox_permissions: 'require_escalated', justification: 'Create file x?' } },
};

const track = cleanUpEachRun();

interface Pairing {
  planner: Kind;
  executer: Kind;
  /** Seed neither CLI's trust of the project: poli answers both trust dialogs. */
  untrusted: boolean;
  /** The planner hands its plan over in `.poli/replies/<id>.md` instead of printing it. */
  planViaFile: boolean;
  /** The executer's Markdown-sensitive result and the planner's `complete` are printed without a fence. */
  unfenced: boolean;
}

async function runDialogue(pairing: Pairing): Promise<void> {
  const started = Date.now();
  const clis = await ensureRealClis();
  const dirs = await createTestDirs(join(clis.cacheDir, 'runs'));
  const project = dirs.project;
  const plannerLog = newScriptLog();
  const executerLog = newScriptLog();
  const plannerTurns: ScriptedTurn[] = [
    { blocks: [{ to: 'EXECUTER', type: 'plan', body: PLAN, viaFile: pairing.planViaFile }] },
    { blocks: [{ to: 'EXECUTER', type: 'continue', body: CONTINUE }] },
    { blocks: [{ to: 'ORCHESTRATOR', type: 'complete', body: COMPLETE, unfenced: pairing.unfenced }] },
  ];
  const executerTurns: ScriptedTurn[] = [
    { blocks: [{ to: 'PLANNER', type: 'status', body: STATUS }, { to: 'PLANNER', type: 'result', body: MARKDOWN_BODY, unfenced: pairing.unfenced }] },
    { toolCall: TOOL_CALL[pairing.executer], blocks: [{ to: 'PLANNER', type: 'result', body: CREATED }] },
  ];
  const plannerScript = dialogueScript('PLANNER', project, plannerTurns, plannerLog);
  const executerScript = dialogueScript('EXECUTER', project, executerTurns, executerLog);
  const servers: Partial<Record<Kind, FakeServer>> = {};
  const start = (kind: Kind, script: typeof plannerScript) => (kind === 'claude' ? startFakeAnthropic(script) : startFakeOpenAi(script));
  servers[pairing.planner] = await start(pairing.planner, plannerScript);
  servers[pairing.executer] = await start(pairing.executer, executerScript);
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const stateDir = join(dirs.root, 'state');
  track({ dirs, socket, servers: Object.values(servers) });
  const env = await seedHomes(clis, dirs, servers, !pairing.untrusted);
  const codexBefore = await codexProcesses();

  const poli = startPoli(
    [
      '--planner-cmd', binary(clis, pairing.planner),
      '--executer-cmd', binary(clis, pairing.executer),
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
  const approvals = approveAsTheHuman(socket, pairing.executer === 'claude' ? claudeProfile : codexProfile, poli.exited, 15);
  const code = await poli.exited;
  const approved = await approvals;
  const output = `--- stdout ---\n${poli.stdout()}\n--- stderr ---\n${poli.stderr()}`;
  console.log(`${pairing.planner} plans, ${pairing.executer} executes: ${Date.now() - started} ms`);
  expect(plannerLog.problems, output).toEqual([]);
  expect(executerLog.problems, output).toEqual([]);
  expect(code, output).toBe(0);

  const state = await readState(stateDir);
  const task = state.tasks[0];
  expect(task?.status, output).toBe('completed');
  const fromClis = (task?.messages ?? []).filter((m) => m.from === 'PLANNER' || m.from === 'EXECUTER');
  expect(fromClis.map(({ from, to, type, body }) => ({ from, to, type, body }))).toEqual([
    { from: 'PLANNER', to: 'EXECUTER', type: 'plan', body: PLAN },
    { from: 'EXECUTER', to: 'PLANNER', type: 'status', body: STATUS },
    { from: 'EXECUTER', to: 'PLANNER', type: 'result', body: MARKDOWN_BODY },
    { from: 'PLANNER', to: 'EXECUTER', type: 'continue', body: CONTINUE },
    { from: 'EXECUTER', to: 'PLANNER', type: 'result', body: CREATED },
    { from: 'PLANNER', to: 'ORCHESTRATOR', type: 'complete', body: COMPLETE },
  ]);
  expect(task?.messages.map((m) => `${m.from}>${m.to}:${m.type}`)).toEqual([
    'ORCHESTRATOR>PLANNER:task',
    'PLANNER>EXECUTER:plan',
    'EXECUTER>PLANNER:status',
    'EXECUTER>PLANNER:result',
    'ORCHESTRATOR>PLANNER:review',
    'PLANNER>EXECUTER:continue',
    'EXECUTER>PLANNER:result',
    'ORCHESTRATOR>PLANNER:review',
    'PLANNER>ORCHESTRATOR:complete',
  ]);
  // The 8 KB plan reached the executer through the file channel, whole.
  const [planFile] = [...executerLog.messageFiles.values()];
  expect(planFile?.header.type).toBe('plan');
  expect(planFile?.body).toBe(PLAN);
  expect(executerLog.answered.map((h) => h.type)).toEqual(['plan', 'continue']);
  expect(plannerLog.answered.map((h) => h.type)).toEqual(['task', 'review', 'review']);
  // The command ran only after the (test's) approval.
  expect(approved).toBeGreaterThanOrEqual(1);
  expect(existsSync(join(project, 'x'))).toBe(true);

  // Tokens (issue 22): what poli read from each CLI's transcript is exactly what its fake model server reported for
  // the main turns (distinct numbers per turn, cache fields included); the title requests' marked numbers are in none.
  for (const [role, kind] of [['PLANNER', pairing.planner], ['EXECUTER', pairing.executer]] as const) {
    const served = servers[kind];
    if (!served) throw new Error(`no fake server for ${kind}`);
    expect(recordedSums(task, role), `${role} (${kind})\n${output}`).toEqual(servedTurnSums(served));
    expect(recordedModels(task, role)).toEqual([kind === 'claude' ? 'claude-fake' : 'gpt-fake']);
  }

  // Nothing left behind: no tmux server, no Codex process.
  expect(await serverAlive(socket)).toBe(false);
  expect(await waitForNoNewProcesses(codexBefore, dirs.root)).toEqual([]);
}

function binary(clis: RealClis, kind: Kind): string {
  return kind === 'claude' ? clis.claude : clis.codex;
}

/** One HOME for both CLIs; returns poli's environment (the panes inherit it through the tmux server). */
async function seedHomes(
  clis: RealClis,
  dirs: TestDirs,
  servers: Partial<Record<Kind, FakeServer>>,
  trustProject: boolean,
): Promise<Record<string, string>> {
  const claude = await seedClaudeHome({
    home: dirs.home,
    project: dirs.project,
    baseUrl: servers.claude?.url ?? 'http://127.0.0.1:9',
    version: clis.claudeVersion,
    trustProject,
  });
  const codex = await seedCodexHome({
    home: dirs.home,
    project: dirs.project,
    baseUrl: servers.codex?.url ?? 'http://127.0.0.1:9',
    trustProject,
  });
  // Real keys and endpoints of the machine must not leak into the CLIs: blank the ones that are set.
  return { ...blankLeaks(['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CONFIG_DIR']), ...claude, ...codex, LANG: 'C.UTF-8' };
}





/** Pids and command lines of running Codex processes (`codex`, its native binary, an `app-server`). */
async function codexProcesses(): Promise<Map<string, string>> {
  const { stdout } = await execFileAsync('ps', ['-eo', 'pid=,args=']);
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match?.[1] && match[2] && /codex/.test(match[2]) && !/vitest|ps -eo/.test(match[2])) found.set(match[1], match[2]);
  }
  return found;
}

/**
 * Codex processes started since `before`, working in this test's folder `root` (others may run Codex on the same
 * machine), that are still running after up to 5 s.
 */
async function waitForNoNewProcesses(before: Map<string, string>, root: string): Promise<string[]> {
  let left: string[] = [];
  for (let i = 0; i < 25; i += 1) {
    const now = await codexProcesses();
    left = [...now]
      .filter(([pid]) => !before.has(pid) && workingIn(pid, root))
      .map(([pid, args]) => `${pid} ${args}`);
    if (left.length === 0) return left;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return left;
}

/**
 * Whether the process works in `root` or below (its cwd; a process that is gone or unreadable counts as not). Without
 * /proc (not Linux) every process counts.
 */
function workingIn(pid: string, root: string): boolean {
  if (!existsSync('/proc/self/cwd')) return true;
  try {
    return readlinkSync(`/proc/${pid}/cwd`).startsWith(root);
  } catch {
    return false;
  }
}

/** Claude started with --dangerously-skip-permissions warns first, "1. No, exit" preselected: poli must not answer. */
async function refuseBypassWarning(): Promise<void> {
  const clis = await ensureRealClis();
  const dirs = await createTestDirs(join(clis.cacheDir, 'runs'));
  const servers = { claude: await startFakeAnthropic([]), codex: await startFakeOpenAi([]) };
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const stateDir = join(dirs.root, 'state');
  track({ dirs, socket, servers: Object.values(servers) });
  const env = await seedHomes(clis, dirs, servers, true);
  const codexBefore = await codexProcesses();
  const result = await runPoli(
    [
      '--planner-cmd', `${clis.claude} --dangerously-skip-permissions`,
      '--executer-cmd', clis.codex,
      '--project-dir', dirs.project,
      '--state-dir', stateDir,
      '--socket', socket,
      '--kill-on-exit',
      '--task', TASK,
    ],
    { env },
  );
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr).toContain('the PLANNER CLI in pane %0 shows the "bypass permissions warning" dialog, which poli does not answer');
  expect(result.stderr).toContain('Yes, I accept');
  expect(servers.claude.turns()).toEqual([]);
  expect(await waitForNoNewProcesses(codexBefore, dirs.root)).toEqual([]);
}

describe.skipIf(!ENABLED)('whole dialogues through poli with the real CLIs', () => {
  // On a clean machine this installs both CLIs (~300 MB from the npm registry) before the first test's clock starts.
  beforeAll(() => ensureRealClis().then(() => undefined), 600_000);

  it('refuses to answer Claude’s bypass-permissions warning and says so', () => refuseBypassWarning(), 120_000);

  it('claude plans, codex executes: 8 KB plan via file, Markdown-sensitive reply, a command approved', () =>
    runDialogue({ planner: 'claude', executer: 'codex', untrusted: false, planViaFile: false, unfenced: false }), 300_000);

  it('codex plans (plan in a reply file), claude executes; first start with no trust seeded', () =>
    runDialogue({ planner: 'codex', executer: 'claude', untrusted: true, planViaFile: true, unfenced: false }), 300_000);

  it('claude plans, codex executes, both answering without fences: exact bodies recovered from the transcripts', () =>
    runDialogue({ planner: 'claude', executer: 'codex', untrusted: false, planViaFile: false, unfenced: true }), 300_000);

  it('codex plans, claude executes, both answering without fences: exact bodies recovered from the transcripts', () =>
    runDialogue({ planner: 'codex', executer: 'claude', untrusted: false, planViaFile: false, unfenced: true }), 300_000);
});
