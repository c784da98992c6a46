/**
 * Usage limits, a rate-limited burst and an expired key with the real Qwen Code (0.24.4) as EXECUTER, offline, the
 * mock planner on the other side: the fake Chat Completions server answers the EXECUTER's work with the provider's
 * error (CHAT_ERRORS), then succeeds. Qwen Code shows a plan quota's reset time to the second (`✕ Quota exhausted: …
 * will reset at <ISO time>`), so the wait is a few seconds: poli must show the task `waiting` until that time, go on
 * by itself and complete with the exact bodies.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPoli, startPoli } from '../helpers/poli-process.ts';
import { CHAT_ERRORS, startFakeChat } from './fake-chat.ts';
import { findLastHeader, type HttpError, type ReplyScript } from './fake-server.ts';
import { createTestDirs, seedPiHome, seedQwenHome } from './home.ts';
import { ensureMoreCli } from './install.ts';
import { cleanUpEachRun } from './person.ts';
import { dialogueScript, newScriptLog } from './scripts.ts';
import type { PublicWait } from '../../src/state/types.ts';

const ENABLED = process.env.POLI_REAL_CLI === '1';
const RESULT = 'Created x (0 bytes); nothing else changed.';

const track = cleanUpEachRun();


interface StateTask {
  status: string;
  waiting?: PublicWait;
  messages: { from: string; to: string; type: string; id: string; body: string }[];
}

interface Run {
  /** The error for the n-th request that carries the EXECUTER's block (its text), or undefined to answer it. */
  fail: (n: number, text: string) => HttpError | undefined;
  /** --on-limit switch to the real pi as the EXECUTER's fallback. */
  fallbackToPi?: boolean;
  onWaiting?: (seen: PublicWait, env: Record<string, string>) => Promise<void>;
}

async function runQwenExecuter(run: Run): Promise<{ output: string; waiting: PublicWait[]; executerIds: string[]; task: StateTask }> {
  const qwen = await ensureMoreCli('qwen');
  const dirs = await createTestDirs(join(qwen.cacheDir, 'runs'));
  const log = newScriptLog();
  const inner = dialogueScript('EXECUTER', dirs.project, [{ blocks: [{ to: 'PLANNER', type: 'result', body: RESULT }] }], log) as Exclude<ReplyScript, unknown[]>;
  let requests = 0;
  const script: ReplyScript = (text, request) => {
    if (text.includes('"to":"EXECUTER"')) {
      requests += 1;
      const error = run.fail(requests, text);
      if (error) return { httpError: error };
    }
    return inner(text, request);
  };
  const server = await startFakeChat(script);
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const stateDir = join(dirs.root, 'state');
  track({ dirs, socket, servers: [server] });
  const leaks = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN'].filter((n) => process.env[n] !== undefined);
  const env = {
    ...Object.fromEntries(leaks.map((n) => [n, ''])),
    ...(await seedQwenHome({ home: dirs.home, project: dirs.project, baseUrl: server.url })),
    ...(run.fallbackToPi ? await seedPiHome({ home: dirs.home, project: dirs.project, baseUrl: server.url }) : {}),
    LANG: 'C.UTF-8',
    MOCK_ROUNDS: '1',
  };
  const mockPlanner = [process.execPath, '--import', import.meta.resolve('tsx'), join(import.meta.dirname, '..', '..', 'mocks', 'mock-planner.ts')].join(' ');
  const poli = startPoli(
    [
      '--planner-cmd', mockPlanner,
      '--planner-profile', 'mock',
      '--executer-cmd', qwen.bin,
      '--project-dir', dirs.project,
      '--state-dir', stateDir,
      '--socket', socket,
      '--kill-on-exit',
      '--plan-timeout', '120',
      '--exec-timeout', '90',
      '--task', 'Create the file x',
      ...(run.fallbackToPi ? ['--on-limit', 'switch', '--executer-fallback-cmd', (await ensureMoreCli('pi')).bin] : []),
    ],
    { env },
  );
  let done = false;
  void poli.exited.then(() => {
    done = true;
  });
  const waiting: PublicWait[] = [];
  while (!done) {
    const state = await runPoli(['--state', '--json', '--state-dir', stateDir]).catch(() => undefined);
    const task = state?.code === 0 ? (JSON.parse(state.stdout) as { tasks: StateTask[] }).tasks[0] : undefined;
    if (task?.status === 'waiting' && task.waiting && !waiting.some((w) => w.reason === task.waiting?.reason)) {
      waiting.push(task.waiting);
      await run.onWaiting?.(task.waiting, { ...env, POLI_STATE_DIR: stateDir, POLI_SOCKET: socket });
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const code = await poli.exited;
  const requestLog = server.requests.map((r) => `${new Date(r.receivedAt).toISOString().slice(11, 23)} ${r.kind} ${r.userText.slice(-120).replace(/\s+/g, ' ')}`);
  const output = `--- stdout ---\n${poli.stdout()}\n--- stderr ---\n${poli.stderr()}\n--- requests ---\n${requestLog.join('\n')}`;
  expect(log.problems, output).toEqual([]);
  expect(code, output).toBe(0);
  const state = await runPoli(['--state', '--json', '--state-dir', stateDir]);
  const task = (JSON.parse(state.stdout) as { tasks: StateTask[] }).tasks[0];
  if (!task) throw new Error(`no task recorded\n${output}`);
  expect(task.status, output).toBe('completed');
  expect(task.waiting).toBeUndefined();
  // Every body exact: the CLI's result as scripted; the plan as the mock planner wrote it reached Qwen's model.
  const shape = task.messages.map(({ from, to, type }) => `${from}>${to} ${type}`);
  expect(shape, output).toEqual(['ORCHESTRATOR>PLANNER task', 'PLANNER>EXECUTER plan', 'EXECUTER>PLANNER result', 'ORCHESTRATOR>PLANNER review', 'PLANNER>ORCHESTRATOR complete']);
  expect(task.messages[2]?.body).toBe(RESULT);
  const plan = task.messages[1];
  const executerTurns = server.turns().map((r) => r.userText).filter((t) => t.includes('"to":"EXECUTER"'));
  expect(executerTurns.every((t) => t.includes(plan?.body ?? '\u0000')), output).toBe(true);
  const executerIds = executerTurns.map((t) => findLastHeader(t, 'EXECUTER')?.id ?? '?');
  // One id throughout: poli's message to the EXECUTER, however often it went.
  expect(new Set(executerIds).size, output).toBe(1);
  return { output, waiting, executerIds, task };
}

describe.skipIf(!ENABLED)('usage limits, a rate-limited burst and an expired key with the real Qwen Code', () => {
  beforeAll(() => ensureMoreCli('qwen').then(() => ensureMoreCli('pi')).then(() => undefined), 600_000);

  it('at a plan quota until a set time: waiting until the reset time it shows, then on by itself, exact bodies', async () => {
    let resetAt = 0;
    /** Per request carrying the EXECUTER's message: refused (true) or answered. */
    const refused: boolean[] = [];
    const { output, waiting } = await runQwenExecuter({
      fail: () => {
        // Limited from the first request until 12 s later, to the second.
        if (resetAt === 0) resetAt = (Math.ceil(Date.now() / 1000) + 12) * 1000;
        refused.push(Date.now() < resetAt);
        return Date.now() < resetAt ? CHAT_ERRORS.usage(new Date(resetAt).toISOString().replace('.000Z', 'Z')) : undefined;
      },
    });
    expect(waiting, output).toHaveLength(1);
    const [seen] = waiting;
    expect(seen).toMatchObject({ kind: 'usage', role: 'EXECUTER', resetAt: new Date(resetAt).toISOString(), until: new Date(resetAt + 5000).toISOString() });
    expect(seen?.reason).toBe(
      `the EXECUTER hit its usage limit (resets ${new Date(resetAt).toISOString().replace('.000Z', 'Z')}); poli checks it again at ${new Date(resetAt + 5000).toISOString().slice(11, 16)} UTC`,
    );
    // Qwen Code's client retried the refused request a few times within seconds, then showed the quota; after the
    // reset poli typed the message again (same id, checked above) and one request was answered.
    expect(refused[0], output).toBe(true);
    expect(refused.filter((r) => !r), output).toHaveLength(1);
    expect(refused.at(-1)).toBe(false);
    expect(output).toMatch(/the EXECUTER was at its usage limit: sent message \S+ to the EXECUTER again \(same id\)/);
  }, 240_000);

  it('--on-limit switch: at its plan quota the EXECUTER pane restarts with the real pi, which gets the message (same id) with the task and the dialogue, exact bodies', async () => {
    let refused = 0;
    const { output, waiting, task } = await runQwenExecuter({
      fallbackToPi: true,
      // Qwen's requests are refused; pi's (the message again, with the dialogue so far after it) are answered.
      // (A message longer than --file-threshold would come as a pointer to its file: also pi's.)
      fail: (_n, text) =>
        /this pane now runs pi|\.poli\/messages\//.test(text) ? undefined : ((refused += 1), CHAT_ERRORS.usage('2026-11-28T23:00:00Z')),
    });
    expect(waiting, output).toEqual([]);
    expect(refused, output).toBeGreaterThanOrEqual(1);
    expect(output).toMatch(/the EXECUTER hit its usage limit \(✕ Quota exhausted: .*\); switched it to pi: sending message \S+ again \(same id\) with the task and the dialogue so far/);
    expect(task.messages[2]).toMatchObject({ from: 'EXECUTER', type: 'result', body: RESULT });
  }, 240_000);

  it('retries a rate-limited burst by itself (silently): no wait, the message typed once', async () => {
    const { output, waiting, executerIds } = await runQwenExecuter({ fail: (n) => (n <= 2 ? CHAT_ERRORS.rate(2) : undefined) });
    expect(waiting).toEqual([]);
    expect(executerIds, output).toHaveLength(3);
    expect(output).not.toContain('again (same id)');
  }, 240_000);

  it('with an expired key: waiting for a login in its pane; poli resume sends the message again', async () => {
    let loggedIn = false;
    const { output, waiting, executerIds } = await runQwenExecuter({
      fail: () => (loggedIn ? undefined : CHAT_ERRORS.unauthorized()),
      onWaiting: async (seen, env) => {
        expect(seen).toMatchObject({ kind: 'auth', role: 'EXECUTER', until: null });
        expect(seen.reason).toMatch(
          new RegExp(`^log in to qwen in pane %\\d+ \\(tmux -L ${env.POLI_SOCKET} attach\\): ✕ \\[API Error: 401 Incorrect API key provided`),
        );
        // The person fixes the key, then tells poli to go on.
        loggedIn = true;
        const resumed = await runPoli(['resume', '--socket', env.POLI_SOCKET ?? ''], { env });
        expect(resumed.code, resumed.stderr).toBe(0);
      },
    });
    expect(waiting.map((w) => w.kind), output).toEqual(['auth']);
    expect(executerIds, output).toHaveLength(2);
  }, 240_000);
});
