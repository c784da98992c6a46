/**
 * What the real-CLI dialogue tests share around a running poli: the stand-in person who answers the executer's
 * permission prompts, a tmux call on the test's socket, the machine's own keys blanked for the CLIs, and the task
 * state as `poli --state --json` prints it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, expect } from 'vitest';
import type { CliProfile } from '../../src/profiles/types.ts';
import type { PublicState } from '../../src/state/types.ts';
import { killServer, runPoli } from '../helpers/poli-process.ts';
import type { FakeServer } from './fake-server.ts';
import type { TestDirs } from './home.ts';

const execFileAsync = promisify(execFile);

/** Runs tmux on the test's private socket; its stdout. */
export async function tmux(socket: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('tmux', ['-L', socket, ...args]);
  return stdout;
}

/** Whether the test's tmux server still has a session (poli with --kill-on-exit must leave none). */
export function serverAlive(socket: string): Promise<boolean> {
  return tmux(socket, ['list-sessions']).then(
    () => true,
    () => false,
  );
}

/** Keys and endpoints of the machine that must not reach the CLIs: each one set here, blanked. */
export function blankLeaks(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => process.env[name] !== undefined).map((name) => [name, '']));
}

/**
 * Plays the person watching: whenever the executer's pane shows a permission prompt (by `profile`), waits a moment
 * as a person reading it would and picks "Yes". Returns how many prompts it answered once poli has exited.
 */
export async function approveAsTheHuman(socket: string, profile: Pick<CliProfile, 'classify'>, exited: Promise<number>, bottom = 25): Promise<number> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  let answered = 0;
  let showing = false;
  while (!done) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pane = await tmux(socket, ['list-panes', '-a', '-F', '#{pane_id} #{@poli_role}']).then(
      (out) => out.split('\n').find((line) => line.endsWith(' EXECUTER'))?.split(' ')[0],
      () => undefined,
    );
    if (!pane) continue;
    const screen = await tmux(socket, ['capture-pane', '-p', '-J', '-t', pane]).catch(() => '');
    const lines = screen.split('\n').map((line) => line.trimEnd());
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const approval = profile.classify(lines.slice(-bottom)) === 'approval';
    if (approval && !showing) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Claude Code 2.1.332 puts "❯ No" first, preselected: move to "Yes" as a person would.
      const keys = lines.some((line) => /^\s*❯ No$/.test(line)) ? ['Down', 'Enter'] : ['Enter'];
      await tmux(socket, ['send-keys', '-t', pane, ...keys]).catch(() => '');
      answered += 1;
    }
    showing = approval;
  }
  return answered;
}

/** The tasks in `stateDir`, as `poli --state --json` prints them. */
export async function readState(stateDir: string): Promise<PublicState> {
  const result = await runPoli(['--state', '--json', '--state-dir', stateDir]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as PublicState;
}

/** What one real-CLI test started: its folders, its tmux socket and its fake model servers. */
export interface StartedRun {
  dirs: TestDirs;
  socket: string;
  servers: readonly FakeServer[];
}

/**
 * Registers an afterEach that kills the test's tmux server (exactly that socket), closes its fake model servers and
 * removes its folders (kept with POLI_KEEP_RUNS=1). Returns the function a test hands what it started to.
 */
export function cleanUpEachRun(): (run: StartedRun) => void {
  let current: StartedRun | undefined;
  afterEach(async () => {
    const run = current;
    current = undefined;
    if (!run) return;
    killServer(run.socket);
    await Promise.all(run.servers.map((server) => server.close()));
    if (process.env.POLI_KEEP_RUNS !== '1') await run.dirs.cleanup();
  });
  return (run) => {
    current = run;
  };
}
