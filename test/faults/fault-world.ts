/**
 * Shared harness of the fault tests: a poli world (private tmux socket `poli-test-<random>`, temporary project
 * and state directories) plus the files the mocks write when asked (`MOCK_RECORD_FILE`, `MOCK_CRASH_FILE`), readers
 * for poli's log and state files, and a cleanup that kills exactly what the test started and then checks that no
 * process is left behind.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { type PoliRun, type PoliWorld, type StateMessage as PublicStateMessage, createWorld, killServer, runPoli, startPoli } from '../helpers/poli-process.ts';
import { LOADED_WAIT_MS } from '../helpers/waits.ts';

/** Mock settings every fault test starts from: one executer round, short think time. */
export const FAST_MOCKS: Readonly<Record<string, string>> = { MOCK_ROUNDS: '1', MOCK_THINK_MS: '100' };

export interface LogEvent {
  timestamp: string;
  level: string;
  message: string;
  event?: string;
  [field: string]: unknown;
}

/** A message of a task file, with the time it was recorded. */
export interface StateMessage extends PublicStateMessage {
  at: string;
}

/** A task file as poli writes it (`<state-dir>/tasks/<id>.json`). */
export interface TaskFile {
  id: string;
  task: string;
  status: string;
  rounds: number;
  startedAt: string;
  endedAt: string | null;
  messages: StateMessage[];
  error?: string;
  pid: number;
}

/** One submission a mock received (`MOCK_RECORD_FILE`, see mocks/lib/agent.ts). */
export interface Received {
  role: 'PLANNER' | 'EXECUTER';
  at: number;
  text: string;
  blocks: { header: { to: string; type: string; id: string }; body: string }[];
}

export interface FaultWorld extends PoliWorld {
  root: string;
  /** Where the mocks record each submission (pass `recordEnv()` to use it). */
  recordFile: string;
  /** Where the mocks note each `--crash-at` crash. */
  crashFile: string;
  /**
   * Starts `poli ARGS` on this world (its flags appended, or `flags` instead) with the mock environment; the run is
   * killed at cleanup if it still runs.
   */
  start(args: readonly string[], env?: Record<string, string>, flags?: readonly string[]): PoliRun;
  /** Runs `poli --state --json` on this world's state directory. */
  publicState(): Promise<{ tasks: Omit<TaskFile, 'error' | 'pid'>[] }>;
  task(id: string): Promise<TaskFile>;
  log(): Promise<LogEvent[]>;
  received(role?: 'PLANNER' | 'EXECUTER'): Promise<Received[]>;
  crashes(): Promise<{ at: number; role: string; n: number }[]>;
  /** The pane poli primed for `role`, read from the log ("priming the ROLE CLI in pane %N"). */
  paneOf(role: 'PLANNER' | 'EXECUTER'): Promise<string>;
  /** Runs a tmux command on this world's server (e.g. `send-keys`), argv only. */
  tmux(args: readonly string[]): string;
  cleanup(): Promise<void>;
}

export async function createFaultWorld(): Promise<FaultWorld> {
  const base = await createWorld();
  const root = path.dirname(base.projectDir);
  const runs: PoliRun[] = [];
  const recordFile = path.join(root, 'received.jsonl');
  const crashFile = path.join(root, 'crashes.txt');
  const world: FaultWorld = {
    ...base,
    root,
    recordFile,
    crashFile,
    start(args, env = {}, flags = base.flags) {
      const run = startPoli([...args, ...flags], { env: { ...FAST_MOCKS, MOCK_RECORD_FILE: recordFile, ...env } });
      runs.push(run);
      return run;
    },
    async publicState() {
      const r = await runPoli(['--state', '--json', '--state-dir', base.stateDir]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { tasks: TaskFile[] };
    },
    async task(id) {
      return JSON.parse(await readFile(path.join(base.stateDir, 'tasks', `${id}.json`), 'utf8')) as TaskFile;
    },
    async log() {
      const text = await readFile(path.join(base.stateDir, 'poli_orchestrator.log'), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as LogEvent);
    },
    async received(role) {
      const text = await readFile(recordFile, 'utf8').catch(() => '');
      // Only whole lines: a mock may be writing the last one as the test reads (a 660-byte line was caught half written).
      const all = text
        .slice(0, text.lastIndexOf('\n') + 1)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Received);
      return role === undefined ? all : all.filter((r) => r.role === role);
    },
    async crashes() {
      const text = await readFile(crashFile, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const [at, role, n] = line.split(' ');
          return { at: Number(at), role: role ?? '', n: Number(n) };
        });
    },
    async paneOf(role) {
      const events = await world.log();
      const found = events.map((e) => new RegExp(`priming the ${role} CLI in pane (%\\d+)`).exec(e.message)?.[1]).find(Boolean);
      if (found === undefined) throw new Error(`the log never says which pane the ${role} is in:\n${events.map((e) => e.message).join('\n')}`);
      return found;
    },
    tmux(args) {
      return execFileSync('tmux', ['-L', base.socket, ...args], { encoding: 'utf8' });
    },
    async cleanup() {
      for (const run of runs) {
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
        await run.exited;
      }
      killServer(base.socket);
      const left = await waitForNoLeftovers(base.socket, root);
      await base.cleanup();
      expect(left, 'processes left behind by the test').toEqual([]);
    },
  };
  return world;
}

/**
 * Processes that belong to a world: the tmux server of its socket (its argv names the socket) and anything running
 * in its directories (the mocks' cwd is the project directory). Waits up to 3 s for them to go after kill-server.
 */
async function waitForNoLeftovers(socket: string, root: string): Promise<string[]> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const left = findWorldProcesses(socket, root);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Processes of a world: those naming its socket (or any of `needles`) on their command line, or working under `root`. */
export function findWorldProcesses(socket: string, root: string, needles: readonly string[] = []): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // a process of another user, or gone
      }
      if (cmdline.includes(socket) || needles.some((n) => cmdline.includes(n)) || cwd.startsWith(root)) found.push(`${entry}: ${cmdline} (cwd ${cwd})`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** `ms` of real time. Used only to let a fault happen, never to decide a test's outcome. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The log events whose message contains `text`. */
export function eventsWith(events: readonly LogEvent[], text: string | RegExp): LogEvent[] {
  return events.filter((e) => (typeof text === 'string' ? e.message.includes(text) : text.test(e.message)));
}

/** `from → to type` of each message, for comparing dialogues whose bodies vary. */
export function shapeOf(messages: readonly StateMessage[]): string[] {
  return messages.map((m) => `${m.from} → ${m.to} ${m.type}`);
}

/** The dialogue of one mock round for a `Create NAME containing TEXT` task, by shape. */
export const ONE_ROUND_SHAPE = [
  'ORCHESTRATOR → PLANNER task',
  'PLANNER → EXECUTER plan',
  'EXECUTER → PLANNER status',
  'EXECUTER → PLANNER result',
  'ORCHESTRATOR → PLANNER review',
  'PLANNER → ORCHESTRATOR complete',
];

/** The exact `[from, to, type, body]` of one mock round for `Create FILE containing TEXT`. */
export function oneRoundDialogue(file: string, text: string): [string, string, string, string][] {
  const task = `Create ${file} containing ${text}`;
  const report = `Created ${file} (${Buffer.byteLength(text) + 1} bytes)`;
  return [
    ['ORCHESTRATOR', 'PLANNER', 'task', task],
    ['PLANNER', 'EXECUTER', 'plan', `<PLAN>\n1. ${task}\n</PLAN>`],
    ['EXECUTER', 'PLANNER', 'status', `Working on step 1: ${task}`],
    ['EXECUTER', 'PLANNER', 'result', report],
    ['ORCHESTRATOR', 'PLANNER', 'review', report],
    ['PLANNER', 'ORCHESTRATOR', 'complete', `Task complete after 1 round: ${task}\nLast report:\n${report}`],
  ];
}

export function dialogueOf(messages: readonly StateMessage[]): [string, string, string, string][] {
  return messages.map((m) => [m.from, m.to, m.type, m.body]);
}

/** Checks that replies carry the id of the message they answer and that no message is recorded twice. */
export function expectWellFormedDialogue(messages: readonly StateMessage[]): void {
  const keys = messages.map((m) => `${m.from}|${m.to}|${m.type}|${m.id}|${m.body}`);
  expect(new Set(keys).size, `a message was recorded twice:\n${keys.join('\n')}`).toBe(keys.length);
  for (const m of messages) expect(m.id, `message id of ${m.from} → ${m.to} ${m.type}`).toMatch(/^T\d+-R\d+-[0-9a-z]{6}$/);
}

/** Polls `check` until it returns true; on timeout fails naming `what`. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = LOADED_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(50);
  }
}

/** Resolves once `role`'s mock has received a submission holding a block (the Nth, counting from 1). */
export function waitForReceivedBlock(world: FaultWorld, role: 'PLANNER' | 'EXECUTER', n = 1, timeoutMs = LOADED_WAIT_MS): Promise<void> {
  return waitUntil(
    `the ${role} received block message #${n}`,
    async () => (await world.received(role)).filter((r) => r.blocks.length > 0).length >= n,
    timeoutMs,
  );
}

/**
 * Per-test time limit of the fault tests: a test drives one or two whole poli runs (~5–15 s each on an idle
 * 2-core machine), and five times that beside another heavy job (a full suite run at load 15–19 on 2 cores took 68 s
 * for one of them). A limit, never a measurement: only a hang should reach it.
 */
export const FAULT_TEST_TIMEOUT_MS = 180_000;
