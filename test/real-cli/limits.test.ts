/**
 * Usage limits, rate limits and expired keys with the real CLIs, offline: the fake model server answers the
 * EXECUTER's work with the error the real API sends (limits-screens.md, "Triggers"), then succeeds. poli must show
 * the task `waiting` (with the reset time the CLI printed) or retrying, go on by itself, and complete with the
 * exact bodies scripted.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPoli, startPoli } from '../helpers/poli-process.ts';
import { startFakeAnthropic } from './fake-anthropic.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import type { FakeServer, HttpError, ReplyScript } from './fake-server.ts';
import { createTestDirs, seedClaudeHome, seedCodexHome } from './home.ts';
import { ensureRealClis } from './install.ts';
import { cleanUpEachRun } from './person.ts';
import { dialogueScript, newScriptLog, type ScriptedTurn } from './scripts.ts';
import type { PublicWait } from '../../src/state/types.ts';

const ENABLED = process.env.POLI_REAL_CLI === '1';
const execFileAsync = promisify(execFile);
type Kind = 'claude' | 'codex';

const TASK = 'Create the file x';
const PLAN = '<PLAN>\n1. Create the empty file x in the project directory.\n</PLAN>';
const RESULT = 'Created x (0 bytes).';
const COMPLETE = 'Done: x created.';

const track = cleanUpEachRun();

/** The EXECUTER's work (a request carrying its block) gets `error(now)` while `failing()` says so; the rest is scripted. */
function failingWork(inner: ReplyScript, failing: (request: number) => boolean, error: () => HttpError): ReplyScript {
  let requests = 0;
  return (text, request) => {
    if (text.includes('"to":"EXECUTER"')) {
      requests += 1;
      if (failing(requests)) return { httpError: error() };
    }
    return typeof inner === 'function' ? inner(text, request) : (inner.shift() ?? 'no reply');
  };
}


interface LimitRun {
  executer: Kind;
  /** Wraps the executer's script: when and how its model API fails. */
  fail: (inner: ReplyScript) => ReplyScript;
  /** Claude signed in to a subscription (home.ts `subscription`), not an API key. */
  subscription?: boolean;
  /** Called once `--state --json` shows the task waiting (e.g. to log in and run poli resume). */
  onWaiting?: (seen: PublicWait, socket: string, env: Record<string, string>) => Promise<void>;
}

async function runWithLimit(run: LimitRun): Promise<{ output: string; waiting: PublicWait[]; executerTurns: string[] }> {
  const clis = await ensureRealClis();
  const dirs = await createTestDirs(join(clis.cacheDir, 'runs'));
  const planner: Kind = run.executer === 'claude' ? 'codex' : 'claude';
  const plannerLog = newScriptLog();
  const executerLog = newScriptLog();
  const plannerTurns: ScriptedTurn[] = [
    { blocks: [{ to: 'EXECUTER', type: 'plan', body: PLAN }] },
    { blocks: [{ to: 'ORCHESTRATOR', type: 'complete', body: COMPLETE }] },
  ];
  const executerScript: ScriptedTurn[] = [{ blocks: [{ to: 'PLANNER', type: 'result', body: RESULT }] }];
  const start = (kind: Kind, script: ReplyScript) => (kind === 'claude' ? startFakeAnthropic(script) : startFakeOpenAi(script));
  const servers: Record<Kind, FakeServer> = {} as Record<Kind, FakeServer>;
  servers[planner] = await start(planner, dialogueScript('PLANNER', dirs.project, plannerTurns, plannerLog));
  servers[run.executer] = await start(run.executer, run.fail(dialogueScript('EXECUTER', dirs.project, executerScript, executerLog)));
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const stateDir = join(dirs.root, 'state');
  track({ dirs, socket, servers: Object.values(servers) });
  const env = {
    ...(await seedClaudeHome({ home: dirs.home, project: dirs.project, baseUrl: servers.claude.url, version: clis.claudeVersion, trustProject: true, subscription: run.subscription === true })),
    ...(await seedCodexHome({ home: dirs.home, project: dirs.project, baseUrl: servers.codex.url, trustProject: true })),
    ...Object.fromEntries(['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CONFIG_DIR'].filter((n) => process.env[n] !== undefined).map((n) => [n, ''])),
    LANG: 'C.UTF-8',
  };
  const poli = startPoli(
    [
      '--planner-cmd', planner === 'claude' ? clis.claude : clis.codex,
      '--executer-cmd', run.executer === 'claude' ? clis.claude : clis.codex,
      '--project-dir', dirs.project,
      '--state-dir', stateDir,
      '--socket', socket,
      '--kill-on-exit',
      '--plan-timeout', '120',
      // Shorter than every wait below: a wait must not count against it.
      '--exec-timeout', '40',
      '--task', TASK,
    ],
    { env },
  );
  let done = false;
  void poli.exited.then(() => {
    done = true;
  });
  const waiting: PublicWait[] = [];
  /** Lines of the EXECUTER's screen about retries, as sampled (for failure messages). */
  const retryLines = new Set<string>();
  while (!done) {
    const screen = await execFileAsync('tmux', ['-L', socket, 'capture-pane', '-p', '-J', '-t', '{right}']).then((r) => r.stdout, () => '');
    for (const line of screen.split('\n')) if (/attempt|retry|Retry/.test(line)) retryLines.add(line.trim());
    const state = await runPoli(['--state', '--json', '--state-dir', stateDir]).catch(() => undefined);
    const task = state?.code === 0 ? (JSON.parse(state.stdout) as { tasks: { status: string; waiting?: PublicWait }[] }).tasks[0] : undefined;
    if (task?.status === 'waiting' && task.waiting && !waiting.some((w) => w.reason === task.waiting?.reason)) {
      waiting.push(task.waiting);
      await run.onWaiting?.(task.waiting, socket, { ...env, POLI_STATE_DIR: stateDir });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const code = await poli.exited;
  const output = `--- stdout ---\n${poli.stdout()}\n--- stderr ---\n${poli.stderr()}\n--- retry lines seen ---\n${[...retryLines].join('\n')}`;
  expect(plannerLog.problems, output).toEqual([]);
  expect(executerLog.problems, output).toEqual([]);
  expect(code, output).toBe(0);
  const state = await runPoli(['--state', '--json', '--state-dir', stateDir]);
  const task = (JSON.parse(state.stdout) as { tasks: { status: string; waiting?: unknown; messages: { from: string; to: string; type: string; body: string }[] }[] }).tasks[0];
  expect(task?.status, output).toBe('completed');
  expect(task?.waiting).toBeUndefined();
  expect(task?.messages.filter((m) => m.from === 'PLANNER' || m.from === 'EXECUTER').map(({ from, to, type, body }) => ({ from, to, type, body }))).toEqual([
    { from: 'PLANNER', to: 'EXECUTER', type: 'plan', body: PLAN },
    { from: 'EXECUTER', to: 'PLANNER', type: 'result', body: RESULT },
    { from: 'PLANNER', to: 'ORCHESTRATOR', type: 'complete', body: COMPLETE },
  ]);
  const executerTurns = servers[run.executer].turns().map((r) => r.userText).filter((t) => t.includes('"to":"EXECUTER"'));
  return { output, waiting, executerTurns };
}

/** Anthropic's 429 for a subscription's five-hour limit, resetting at `resetsAt` (epoch seconds; limits-screens.md). */
function anthropicUsageLimit(resetsAt: number, more: Record<string, string> = {}): HttpError {
  return {
    status: 429,
    message: 'Error',
    headers: {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(resetsAt),
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      ...more,
    },
    body: { type: 'error', error: { type: 'rate_limit_error', message: 'Error' } },
  };
}

/** The id of the block in a request to the EXECUTER. */
const idOf = (text: string): string | undefined => /"id":"([^"]+)"/.exec(text)?.[1];

describe.skipIf(!ENABLED)('usage limits, rate limits and expired keys with the real CLIs', () => {
  beforeAll(() => ensureRealClis().then(() => undefined), 600_000);

  it('codex at its usage limit: waiting with the reset time it shows, then on by itself, exact bodies', async () => {
    let resetsAt = 0;
    const { output, waiting, executerTurns } = await runWithLimit({
      executer: 'codex',
      fail: (inner) =>
        failingWork(
          inner,
          () => {
            // Limited from the first request until 20 s later.
            if (resetsAt === 0) resetsAt = Math.ceil(Date.now() / 1000) + 20;
            return Date.now() < resetsAt * 1000;
          },
          () => ({
            status: 429,
            message: 'usage limit',
            body: { error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: 'plus', resets_at: resetsAt } },
          }),
        ),
    });
    expect(waiting.length, output).toBeGreaterThanOrEqual(1);
    const [first] = waiting;
    expect(first).toMatchObject({ kind: 'usage', role: 'EXECUTER' });
    // Codex prints the reset to the minute, in local time: "try again at 7:27 AM."
    const shown = Date.parse(first?.resetAt ?? '');
    expect(Math.abs(shown - resetsAt * 1000), output).toBeLessThan(60_000);
    expect(first?.reason).toMatch(/hit its usage limit \(resets \d{1,2}:\d{2} [AP]M\)/);
    // The message went again under the same id once the reset had passed.
    expect(executerTurns.length).toBeGreaterThanOrEqual(2);
    expect(new Set(executerTurns.map(idOf)).size).toBe(1);
  }, 300_000);

  it('claude signed in to a subscription, at its usage limit: waiting until the minute it shows, then on by itself', async () => {
    // Limited until a whole minute (Claude prints the reset to the minute: "resets 9:14am (UTC)"), 20–80 s away.
    const resetsAt = Math.ceil((Date.now() + 20_000) / 60_000) * 60;
    const { output, waiting, executerTurns } = await runWithLimit({
      executer: 'claude',
      subscription: true,
      fail: (inner) =>
        failingWork(inner, () => Date.now() < resetsAt * 1000, () => anthropicUsageLimit(resetsAt)),
    });
    expect(waiting.length, output).toBeGreaterThanOrEqual(1);
    const [first] = waiting;
    expect(first).toMatchObject({ kind: 'usage', role: 'EXECUTER', resetAt: new Date(resetsAt * 1000).toISOString() });
    expect(first?.reason).toMatch(/hit its usage limit \(resets \d{1,2}:\d{2}[ap]m \([^)]+\)\)/);
    // Sent again under the same id once the reset had passed (Claude Code 2.1.197 does not continue by itself).
    expect(executerTurns.length).toBeGreaterThanOrEqual(2);
    expect(new Set(executerTurns.map(idOf)).size).toBe(1);
  }, 300_000);

  it('claude retries a rate-limited burst by itself: shown as retrying, no second message, completed', async () => {
    const { output, waiting, executerTurns } = await runWithLimit({
      executer: 'claude',
      fail: (inner) =>
        failingWork(inner, (n) => n <= 3, () => ({
          status: 429,
          message: 'rate limited',
          headers: { 'retry-after': '3' },
          body: { type: 'error', error: { type: 'rate_limit_error', message: 'This request would exceed the rate limit for your organization of 50 requests per minute.' } },
        })),
    });
    expect(waiting).toEqual([]);
    expect(output).toMatch(/EXECUTER is retrying its request \(.*attempt \d+\/10\)/);
    // Claude Code sent it four times by itself; poli typed it once.
    expect(executerTurns.length).toBe(4);
  }, 300_000);

  it('claude (API-key session) refused with a usage-limit 429: the failed request is typed again once, same id', async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 3600;
    const { output, waiting, executerTurns } = await runWithLimit({
      executer: 'claude',
      fail: (inner) =>
        // What a subscription account gets; an API-key session shows only "Request rejected (429)" (limits-screens.md).
        failingWork(inner, (n) => n === 1, () => anthropicUsageLimit(resetsAt, { 'retry-after': '3600', 'x-should-retry': 'false' })),
    });
    expect(waiting).toEqual([]);
    expect(output).toMatch(/the EXECUTER's request failed \(● API Error: .*429/);
    expect(executerTurns.length, output).toBe(2);
    expect(new Set(executerTurns.map(idOf)).size).toBe(1);
  }, 300_000);

  it('codex with an expired key: waiting for a login in its pane; poli resume sends the message again', async () => {
    let loggedIn = false;
    const { output, waiting, executerTurns } = await runWithLimit({
      executer: 'codex',
      fail: (inner) =>
        failingWork(inner, () => !loggedIn, () => ({
          status: 401,
          message: 'expired',
          body: { error: { message: 'Incorrect API key provided: sk-proj-****0000.', type: 'invalid_request_error', code: 'invalid_api_key' } },
        })),
      onWaiting: async (seen, socket, env) => {
        expect(seen).toMatchObject({ kind: 'auth', role: 'EXECUTER', until: null });
        expect(seen.reason).toMatch(new RegExp(`^log in to codex in pane %\\d+ \\(tmux -L ${socket} attach\\): ■ unexpected status 401 Unauthorized`));
        // The person fixes the key, then tells poli to go on.
        loggedIn = true;
        const resumed = await runPoli(['resume', '--socket', socket], { env });
        expect(resumed.code, resumed.stderr).toBe(0);
      },
    });
    expect(waiting.map((w) => w.kind), output).toEqual(['auth']);
    expect(new Set(executerTurns.map(idOf)).size).toBe(1);
  }, 300_000);
});
