/**
 * Test helpers for the tmux layer.
 * - createSandbox(): a private tmux server on its own socket (`poli-test-<random>`), started with
 *   poli's config/tmux.conf, and a cleanup that kills exactly that server and removes its socket
 *   file. Never touches a socket named `poli` nor the user's default server.
 * - createFakeRunner() / createFakeClock(): fakes for unit tests (no tmux, no real sleeps).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTmuxRunner, DEFAULT_TMUX_CONFIG } from '../../src/tmux/runner.ts';
import { TmuxServer } from '../../src/tmux/server.ts';
import type { Clock, TmuxResult, TmuxRunner } from '../../src/tmux/types.ts';
import { LOADED_WAIT_MS } from './waits.ts';

/** The repository root, for commands that run repo files in panes. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The tsx binary of this repo (faster to start than `npx tsx`). */
export const TSX_BIN = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

export interface Sandbox {
  socket: string;
  run: TmuxRunner;
  server: TmuxServer;
  /**
   * Creates a detached session with one pane running `command` (via /bin/sh -c) and returns the
   * pane id. `historyLimit` applies to this pane only (tmux fixes a pane's limit at creation).
   */
  newPane(command: string, options?: { session?: string; width?: number; height?: number; historyLimit?: number }): Promise<string>;
  /** Kills this sandbox's server (only it) and removes its socket file. Safe to call twice. */
  cleanup(): Promise<void>;
}

export function createSandbox(options: { configFile?: string } = {}): Sandbox {
  const socket = `poli-test-${randomBytes(6).toString('hex')}`;
  const run = createTmuxRunner({ socket, configFile: options.configFile ?? DEFAULT_TMUX_CONFIG });
  const server = new TmuxServer({ socket, run });
  let sessions = 0;
  return {
    socket,
    run,
    server,
    async newPane(command, paneOptions = {}) {
      sessions += 1;
      const session = paneOptions.session ?? `s${sessions}`;
      const width = String(paneOptions.width ?? 250);
      const height = String(paneOptions.height ?? 50);
      // The session starts with a placeholder pane so the history limit can be set before the
      // real pane is created; the placeholder is then killed.
      const created = await run(['new-session', '-d', '-s', session, '-x', width, '-y', height, '-P', '-F', '#{pane_id}', 'sleep 600']);
      if (created.exitCode !== 0) throw new Error(`sandbox new-session failed: ${created.stderr}`);
      const placeholder = created.stdout.trim();
      const limit = paneOptions.historyLimit === undefined ? [] : ['set-option', '-t', session, 'history-limit', String(paneOptions.historyLimit), ';'];
      const pane = await run([
        ...limit,
        'set-option', '-w', '-t', placeholder, 'window-size', 'manual', ';',
        'new-window', '-d', '-t', session, '-P', '-F', '#{pane_id}', '--', command,
      ]);
      if (pane.exitCode !== 0) throw new Error(`sandbox new-window failed: ${pane.stderr}`);
      const paneId = pane.stdout.trim();
      await run(['kill-pane', '-t', placeholder, ';', 'resize-window', '-t', paneId, '-x', width, '-y', height]);
      return paneId;
    },
    async cleanup() {
      const path = await run(['display-message', '-p', '#{socket_path}']);
      await run(['kill-server']);
      // tmux 3.3a leaves the socket file behind after kill-server (and after a crash), also
      // when a test already killed the server itself: remove this sandbox's file either way.
      const socketPath = path.exitCode === 0 ? path.stdout.trim() : defaultSocketPath(socket);
      if (socketPath.endsWith(`/${socket}`)) await rm(socketPath, { force: true });
    },
  };
}

/** Where tmux puts a `-L` socket: $TMUX_TMPDIR (default /tmp)/tmux-UID/NAME. */
export function defaultSocketPath(socket: string): string {
  return join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket);
}

/** Polls `probe` until it returns a value other than undefined; on timeout throws with `describe()`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  describe: () => Promise<string> | string,
  timeoutMs = LOADED_WAIT_MS / 2,
  pollMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export interface FakeCall {
  args: string[];
  input: string | undefined;
}

/** A runner that records every call and answers with `respond` (default: success, no output). */
export function createFakeRunner(
  respond: (args: readonly string[], input: string | undefined) => Partial<TmuxResult> | undefined = () => undefined,
): TmuxRunner & { calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const run = async (args: readonly string[], options?: { input?: string }): Promise<TmuxResult> => {
    calls.push({ args: [...args], input: options?.input });
    const result = respond(args, options?.input) ?? {};
    return { stdout: result.stdout ?? '', stderr: result.stderr ?? '', exitCode: result.exitCode ?? 0 };
  };
  return Object.assign(run, { calls });
}

/** A clock whose sleep advances time instantly. */
export function createFakeClock(start = 1_000_000): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms: number) {
      sleeps.push(ms);
      now += ms;
    },
  };
}
