/**
 * A world for the queue's end-to-end tests (issue 20): a private tmux socket, a fresh git repository as the project
 * (one commit on main), a state directory, and poli run as real processes with the mocks. Cleanup ends the pairs this
 * world started (detached poli processes, found by this world's unique state directory), then its tmux server.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type PoliRun, type PoliWorld, createWorld, runPoli, startPoli } from '../helpers/poli-process.ts';
import type { QueueEntry } from '../../src/queue/queue-json.ts';
import type { TaskRecord } from '../../src/state/types.ts';

/** One task of `poli queue --all --json`. */
export type QueueRow = QueueEntry;

/** One line of MOCK_TRACE_FILE (mocks/lib/trace.ts). */
export interface TraceLine {
  event: 'block' | 'received';
  role: 'PLANNER' | 'EXECUTER';
  id: string;
  type: string;
  to: string;
}

export interface QueueWorld extends PoliWorld {
  /** Holds the project and state directories; files the tests keep outside the project go here. */
  root: string;
  /** Runs `poli --mock ARGS` in the project to its end. */
  poli(args: readonly string[], env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Starts `poli --mock ARGS` in the project. */
  start(args: readonly string[], env?: Record<string, string>): PoliRun;
  /** `poli queue --all --json`'s tasks. */
  rows(): Promise<QueueRow[]>;
  /** git in the project; returns stdout. */
  git(args: readonly string[]): string;
  /** A task's dialogue record. */
  record(id: string): Promise<TaskRecord>;
  /** What the mocks traced (MOCK_TRACE_FILE, given to `poli work` through `mockEnv`). */
  trace(): Promise<TraceLine[]>;
  /** Environment for `poli work`: one executer round per dialogue, and the mocks' trace file. */
  mockEnv: Record<string, string>;
}

/** Creates the world: the project is a git repository whose main holds README (and `files`, committed). */
export async function createQueueWorld(files: Record<string, string> = {}): Promise<QueueWorld> {
  const world = await createWorld();
  const root = path.dirname(world.projectDir);
  const git = (args: readonly string[]): string => execFileSync('git', args, { cwd: world.projectDir, encoding: 'utf8' });
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.email', 'person@example.test']);
  git(['config', 'user.name', 'The Person']);
  await writeFile(path.join(world.projectDir, 'README'), 'a project\n');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(world.projectDir, name)), { recursive: true });
    await writeFile(path.join(world.projectDir, name), text);
  }
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'init']);
  const traceFile = path.join(root, 'trace.jsonl');
  const args = (more: readonly string[]): string[] => [...world.flags, '--mock', ...more];
  return {
    ...world,
    root,
    mockEnv: { MOCK_ROUNDS: '1', MOCK_TRACE_FILE: traceFile },
    poli: (more, env) => runPoli(args(more), { cwd: world.projectDir, ...(env ? { env } : {}) }),
    start: (more, env) => startPoli(args(more), { cwd: world.projectDir, ...(env ? { env } : {}) }),
    async rows() {
      const { code, stdout, stderr } = await runPoli(args(['queue', '--all', '--json']), { cwd: world.projectDir });
      if (code !== 0) throw new Error(`poli queue --all --json exited ${code}: ${stderr}`);
      return (JSON.parse(stdout) as { queue: QueueRow[] }).queue;
    },
    git,
    async record(id) {
      return JSON.parse(await readFile(path.join(world.stateDir, 'tasks', `${id}.json`), 'utf8')) as TaskRecord;
    },
    async trace() {
      const text = await readFile(traceFile, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as TraceLine);
    },
    async cleanup() {
      endPairs(world.stateDir);
      await world.cleanup();
    },
  };
}

/** Ends the poli processes started for this world's tasks (a failed test can leave pairs running; they are detached). */
function endPairs(stateDir: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = argv.indexOf('--state-dir');
    if (at < 0 || argv[at + 1] !== stateDir) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Lines of `text` that contain `needle`, by their position: for order checks on `poli work`'s output. */
export function lineIndex(text: string, needle: string | RegExp): number {
  const lines = text.split('\n');
  return lines.findIndex((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l)));
}

/** tmux sessions left on the world's socket (none when its server is gone). */
export function tmuxSessions(socket: string): string[] {
  try {
    return execFileSync('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    return [];
  }
}

/** A generous limit for a whole queue test on a loaded 2-core machine: a limit for hangs, never a measurement. */
export const QUEUE_TEST_MS = 15 * 60_000;
