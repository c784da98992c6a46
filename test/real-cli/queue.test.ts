/**
 * The queue (issue 20) with real CLIs: `poli work --parallel 2` runs two tasks at once, each with its own pair of real
 * CLIs given per task (`poli add … --planner-cmd … --executer-cmd …`), offline against fake model servers: in task 1
 * Claude Code plans and Codex executes, in task 2 Codex plans and Claude Code executes. Each planner plans, its
 * executer writes a file with a shell command and reports, the planner completes; the merge queue commits the file on
 * the task's branch and merges it into the base.
 *
 * Each CLI talks to a fake server of its own task, so the two Claude Codes (and the two Codexes) need different
 * endpoints. The pairs' poli processes inherit `poli work`'s environment, and every pane the tmux server's (started by
 * whichever pair came first), so the per-task difference rides in the task's command line: `ANTHROPIC_BASE_URL=… claude`
 * (a leading assignment, which poli's profiles read past) and `codex -c model_providers.fake.base_url=…`. HOME and
 * CODEX_HOME stay shared: poli reads the CLIs' transcripts from its own environment, not from the command line.
 * Nobody sits at a pair's terminal, so the executers run without asking (`--dangerously-bypass-approvals-and-sandbox`,
 * `--dangerously-skip-permissions` with its warning accepted in the seeded config).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MessageType, Role } from '../../src/protocol/types.ts';
import { runPoli, startPoli } from '../helpers/poli-process.ts';
import { startFakeAnthropic } from './fake-anthropic.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import { findLastHeader, type FakeServer, type RecordedRequest, type ReplyScript, type ScriptedReply, type ToolCall } from './fake-server.ts';
import { createTestDirs, seedClaudeHome, seedCodexHome } from './home.ts';
import { ensureRealClis, type RealClis } from './install.ts';
import { blankLeaks, cleanUpEachRun, readState, serverAlive } from './person.ts';
import { dialogueScript, newScriptLog, type ScriptLog, type ScriptedTurn } from './scripts.ts';

const ENABLED = process.env.POLI_REAL_CLI === '1';
const git = promisify(execFile);
const track = cleanUpEachRun();

type Cli = 'claude' | 'codex';

/** One task of the queue: its pair, the file its executer writes and the bodies its CLIs answer with. */
interface Task {
  id: 'T1' | 'T2';
  planner: Cli;
  executer: Cli;
  file: string;
  content: string;
  text: string;
  plan: string;
  result: string;
  complete: string;
}

function task(id: Task['id'], planner: Cli, executer: Cli, file: string, word: string): Task {
  const content = `${word} written by ${executer}\n`;
  return {
    id,
    planner,
    executer,
    file,
    content,
    text: `Create ${file} containing the line "${content.trimEnd()}"`,
    plan: `<PLAN>\n1. Create ${file} containing the line "${content.trimEnd()}" (one line, ending in a newline).\n</PLAN>`,
    result: `Created ${file}: \`cat ${file}\` prints "${content.trimEnd()}".`,
    complete: `Done: ${file} created by ${executer}, planned by ${planner}.`,
  };
}

const TASKS: readonly Task[] = [task('T1', 'claude', 'codex', 'alpha.txt', 'ALPHA'), task('T2', 'codex', 'claude', 'bravo.txt', 'BRAVO')];

/** The executer model's tool call that writes the task's file. */
function writeCall(t: Task): ToolCall {
  const command = `printf '%s\\n' '${t.content.trimEnd()}' > ${t.file}`;
  return t.executer === 'codex'
    ? { name: 'exec_command', input: { cmd: command } }
    : { name: 'Bash', input: { command, description: `Create ${t.file}` } };
}

/** The task's command for `cli`, pointed at its own fake server, running without asking (nobody is at the pane). */
function command(clis: RealClis, cli: Cli, role: Role, server: FakeServer): string {
  if (cli === 'claude') return `ANTHROPIC_BASE_URL=${server.url} ${clis.claude}${role === 'EXECUTER' ? ' --dangerously-skip-permissions' : ''}`;
  const url = `model_providers.fake.base_url="${server.url}/v1"`;
  return `${clis.codex} -c '${url}'${role === 'EXECUTER' ? ' --dangerously-bypass-approvals-and-sandbox' : ''}`;
}

/** Nothing listens on port 9: a CLI that missed its task's endpoint fails visibly instead of reaching another's. */
const NOWHERE = 'http://127.0.0.1:9';

async function runTwoPairs(): Promise<void> {
  const started = Date.now();
  const clis = await ensureRealClis();
  const dirs = await createTestDirs(join(clis.cacheDir, 'runs'));
  const { project } = dirs;
  await git('git', ['-C', project, 'add', '-A']);
  await git('git', ['-C', project, '-c', 'user.name=poli test', '-c', 'user.email=poli-test@example.com', 'commit', '-qm', 'init']);
  const base = (await git('git', ['-C', project, 'symbolic-ref', '--short', 'HEAD'])).stdout.trim();
  const stateDir = join(dirs.root, 'state');
  const worktree = (t: Task): string => join(stateDir, 'worktrees', t.id);

  // A fake server per CLI of each task, scripted for the role that CLI plays there.
  const logs = new Map<string, ScriptLog>();
  const servers = new Map<string, FakeServer>();
  const commands = new Map<string, string>();
  for (const t of TASKS) {
    const turns: Record<Role, Partial<Record<MessageType, ScriptedTurn>>> = {
      PLANNER: {
        task: { blocks: [{ to: 'EXECUTER', type: 'plan', body: t.plan }] },
        review: { blocks: [{ to: 'ORCHESTRATOR', type: 'complete', body: t.complete }] },
      },
      EXECUTER: { plan: { toolCall: writeCall(t), blocks: [{ to: 'PLANNER', type: 'result', body: t.result }] } },
    };
    for (const [cli, role] of [[t.planner, 'PLANNER'], [t.executer, 'EXECUTER']] as const) {
      const log = newScriptLog();
      const script = byType(role, worktree(t), turns[role], log);
      const server = await (cli === 'claude' ? startFakeAnthropic(script) : startFakeOpenAi(script));
      logs.set(`${t.id} ${role}`, log);
      servers.set(`${t.id} ${role}`, server);
      commands.set(`${t.id} ${role}`, command(clis, cli, role, server));
    }
  }
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  track({ dirs, socket, servers: [...servers.values()] });

  // One HOME, both worktrees trusted by both CLIs (the folders exist only once poli work makes them: made here for
  // the realpath the seeding takes, then removed again).
  const [t1, t2] = TASKS as [Task, Task];
  for (const t of TASKS) await mkdir(worktree(t), { recursive: true });
  const common = { home: dirs.home, baseUrl: NOWHERE };
  const claudeEnv = await seedClaudeHome({ ...common, project: worktree(t1), version: clis.claudeVersion, acceptBypass: true });
  const claudeJson = join(dirs.home, '.claude.json');
  const config = JSON.parse(await readFile(claudeJson, 'utf8')) as { projects: Record<string, unknown> };
  config.projects[worktree(t2)] = { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true };
  await writeFile(claudeJson, `${JSON.stringify(config, null, 2)}\n`);
  const codexEnv = await seedCodexHome({ ...common, project: worktree(t1) });
  await appendFile(join(dirs.home, '.codex', 'config.toml'), `\n[projects.${JSON.stringify(worktree(t2))}]\ntrust_level = "trusted"\n`);
  for (const t of TASKS) await rmdir(worktree(t));
  const env = {
    ...blankLeaks(['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CONFIG_DIR']),
    ...claudeEnv,
    ...codexEnv,
    LANG: 'C.UTF-8',
  };

  const where = ['--state-dir', stateDir, '--socket', socket];
  for (const t of TASKS) {
    const added = await runPoli(
      ['add', t.text, '--project-dir', project, ...where, '--planner-cmd', commands.get(`${t.id} PLANNER`) ?? '', '--executer-cmd', commands.get(`${t.id} EXECUTER`) ?? '', '--retries', '2'],
      { env },
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`queued ${t.id}`);
  }

  const work = startPoli(['work', '--parallel', '2', ...where, '--plan-timeout', '150', '--exec-timeout', '150'], { env });
  // Both pairs run at once: each task's session exists on the socket while the other's does.
  const together = watchSessions(socket, work.exited);
  const code = await work.exited;
  const logTail = await Promise.all(TASKS.map((t) => runPoli(['logs', t.id, ...where]).then((r) => `--- ${t.id} log ---\n${r.stdout}`)));
  const output = `--- stdout ---\n${work.stdout()}\n--- stderr ---\n${work.stderr()}\n${logTail.join('\n')}`;
  console.log(`two real-CLI pairs through the queue: ${Date.now() - started} ms`);
  for (const [who, log] of logs) expect(log.problems, `${who}\n${output}`).toEqual([]);
  expect(code, output).toBe(0);
  expect(await together, output).toBe(true);

  // Both tasks merged, each file with its exact content on the base branch, and nothing else added there.
  const queue = await runPoli(['queue', '--all', '--json', ...where]);
  const rows = (JSON.parse(queue.stdout) as { queue: { id: string; state: string; attempts: number; mergeAttempts: number }[] }).queue;
  console.log(`pair starts: ${rows.map((r) => `${r.id} ${r.attempts}`).join(', ')}`);
  expect(rows.map((r) => [r.id, r.state, r.mergeAttempts]), output).toEqual([['T1', 'merged', 0], ['T2', 'merged', 0]]);
  for (const t of TASKS) expect((await git('git', ['-C', project, 'show', `${base}:${t.file}`])).stdout).toBe(t.content);
  const files = (await git('git', ['-C', project, 'ls-tree', '-r', '--name-only', base])).stdout.trim().split('\n');
  expect(files.sort()).toEqual(['README.md', 'alpha.txt', 'bravo.txt']);

  // Every body the CLIs sent, as recorded, exactly as scripted; the dialogue as a one-shot task has it.
  const state = await readState(stateDir);
  for (const t of TASKS) {
    const record = state.tasks.find((r) => r.id === t.id);
    expect(record?.status, output).toBe('completed');
    const fromClis = (record?.messages ?? []).filter((m) => m.from === 'PLANNER' || m.from === 'EXECUTER');
    expect(fromClis.map(({ from, to, type, body }) => ({ from, to, type, body }))).toEqual([
      { from: 'PLANNER', to: 'EXECUTER', type: 'plan', body: t.plan },
      { from: 'EXECUTER', to: 'PLANNER', type: 'result', body: t.result },
      { from: 'PLANNER', to: 'ORCHESTRATOR', type: 'complete', body: t.complete },
    ]);
    expect(record?.messages.map((m) => `${m.from}>${m.to}:${m.type}`)).toEqual([
      'ORCHESTRATOR>PLANNER:task',
      'PLANNER>EXECUTER:plan',
      'EXECUTER>PLANNER:result',
      'ORCHESTRATOR>PLANNER:review',
      'PLANNER>ORCHESTRATOR:complete',
    ]);
    expect(logs.get(`${t.id} PLANNER`)?.answered.map((h) => h.type)).toEqual(['task', 'review']);
    expect(logs.get(`${t.id} EXECUTER`)?.answered.map((h) => h.type)).toEqual(['plan']);
    // Each CLI talked to its own task's server only: the planner's server saw this task's text, not the other's.
    const plannerTurns = servers.get(`${t.id} PLANNER`)?.turns() ?? [];
    expect(plannerTurns.some((r) => r.userText.includes(t.text))).toBe(true);
    expect(plannerTurns.some((r) => r.userText.includes(TASKS.find((o) => o !== t)?.text ?? '\u0000'))).toBe(false);
  }

  // Nothing left behind: no task branch, no worktree (folder or git's record), no tmux session.
  expect((await git('git', ['-C', project, 'branch', '--list', 'poli/*'])).stdout.trim()).toBe('');
  const worktrees = (await git('git', ['-C', project, 'worktree', 'list', '--porcelain'])).stdout;
  expect(worktrees.split('\n').filter((line) => line.startsWith('worktree '))).toEqual([`worktree ${project}`]);
  for (const t of TASKS) expect(existsSync(worktree(t))).toBe(false);
  expect(await serverAlive(socket)).toBe(false);
}

/**
 * A scripted model that answers by the type of the message poli sends it (one turn per type), so that a pair started
 * again with fresh CLIs after a failed start (the task's `--retries`; on this loaded machine a real CLI sometimes misses
 * the Enter of its primer) gets the same answers. Requests with no block for `role` (the primer, a tool's result) go to
 * the turn answered last, as dialogueScript does.
 */
function byType(role: Role, projectDir: string, turns: Partial<Record<MessageType, ScriptedTurn>>, log: ScriptLog): ReplyScript {
  let last: ReplyScript = dialogueScript(role, projectDir, [], log);
  const call = (script: ReplyScript, text: string, request: RecordedRequest): ScriptedReply =>
    typeof script === 'function' ? script(text, request) : 'fake model: not a function script';
  return (text, request) => {
    const header = findLastHeader(text, role);
    if (header) {
      const turn = turns[header.type];
      if (!turn) log.problems.push(`${role}: no scripted turn for ${header.type} ${header.id}`);
      last = dialogueScript(role, projectDir, turn ? [turn] : [], log);
    }
    return call(last, text, request);
  };
}

/** Whether, at some moment while `poli work` ran, both tasks' tmux sessions existed at once. */
async function watchSessions(socket: string, exited: Promise<number>): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    const { stdout } = await git('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}']).catch(() => ({ stdout: '' }));
    const names = stdout.split('\n');
    if (TASKS.every((t) => names.includes(t.id))) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

describe.skipIf(!ENABLED)('the queue with real CLIs', () => {
  beforeAll(() => ensureRealClis().then(() => undefined), 600_000);

  it('poli work --parallel 2: claude+codex and codex+claude pairs at once, each on its own fake servers, both merged, exact bodies, nothing left', () =>
    runTwoPairs(), 600_000);
});
