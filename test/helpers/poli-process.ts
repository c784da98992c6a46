/**
 * Runs poli as a real process (node bin/poli.js) for end-to-end tests, on a private tmux socket
 * and in temporary project and state directories, and cleans all of it up afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { runtimeDir } from '../../src/host.ts';
import { LOADED_WAIT_MS } from './waits.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const POLI_BIN = path.join(REPO_ROOT, 'bin', 'poli.js');

export interface PoliWorld {
  socket: string;
  projectDir: string;
  stateDir: string;
  /** Flags that point poli at this world. */
  flags: string[];
  cleanup(): Promise<void>;
}

/** A private socket plus empty project and state directories. */
export async function createWorld(): Promise<PoliWorld> {
  const root = await mkdtemp(path.join(tmpdir(), 'poli-e2e-'));
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const projectDir = path.join(root, 'project');
  const stateDir = path.join(root, 'state');
  await import('node:fs/promises').then((fs) => fs.mkdir(projectDir, { recursive: true }));
  return {
    socket,
    projectDir,
    stateDir,
    flags: ['--socket', socket, '--project-dir', projectDir, '--state-dir', stateDir],
    async cleanup() {
      killServer(socket);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Kills exactly this test's tmux server, if it still runs, and removes its socket file and what
 * poli keeps for the socket in its runtime dir (a poli killed with -9 cannot remove its lock).
 */
export function killServer(socket: string): void {
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  const uid = process.getuid?.() ?? 0;
  void rm(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, socket), { force: true });
  const runtime = runtimeDir(process.env, uid);
  for (const file of [`locks/${socket}.lock`, `locks/${socket}.state-dir`, `control/${socket}`]) {
    void rm(path.join(runtime, file), { recursive: true, force: true });
  }
}

export interface PoliRun {
  child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number>;
  /** Waits until stdout+stderr contains `text`; on timeout, fails showing what was printed. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

/** Environment for poli children: no inherited poli/mock settings, no colours. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(POLI_|MOCK_|PLANNER_|EXECUTER_|PROJECT_DIR$|INIT_CWD$|TMUX$|TMUX_PANE$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Starts `node bin/poli.js ARGS`; `detached` makes it lead a process group of its own (a test can kill the group). */
export function startPoli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; detached?: boolean } = {}): PoliRun {
  const child = spawn(process.execPath, [POLI_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    detached: options.detached ?? false,
    env: testEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  // Decoded as a stream, so a character split between two chunks stays whole.
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout?.on('data', (d: string) => {
    out += d;
    notify();
  });
  child.stderr?.on('data', (d: string) => {
    err += d;
    notify();
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(text, timeoutMs = LOADED_WAIT_MS) {
      const seen = () => (typeof text === 'string' ? (out + err).includes(text) : text.test(out + err));
      return new Promise<void>((resolve, reject) => {
        if (seen()) return resolve();
        const check = () => {
          if (!seen()) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(text)}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void exited.then(() => {
          if (!seen()) {
            cleanup();
            reject(new Error(`poli exited before printing ${String(text)}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`));
          }
        });
      });
    },
  };
}

/** Runs poli to the end and returns its exit code and output. */
export async function runPoli(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startPoli(args, options);
  if (options.input !== undefined) run.child.stdin?.end(options.input);
  else run.child.stdin?.end();
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** One message of a task, as `poli --state T1 --json` shows it. */
export interface StateMessage {
  from: string;
  to: string;
  type: string;
  id: string;
  body: string;
}

/** The messages of task `id` in the world's state directory, read through `poli --state ID --json`. */
export async function stateMessages(w: PoliWorld, id = 'T1'): Promise<StateMessage[]> {
  const r = await runPoli(['--state', id, '--json', '--state-dir', w.stateDir]);
  if (r.code !== 0) throw new Error(`poli --state ${id} --json failed (${String(r.code)}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { tasks: { messages: StateMessage[] }[] }).tasks[0]?.messages ?? [];
}
