/**
 * One real CLI in one pane of a private tmux server (`tmux -L poli-test-<random> -f /dev/null`), for the real-CLI
 * tests: start, paste, press keys, capture, wait for a screen. The caller kills the server when done.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createTmuxRunner } from '../../src/tmux/runner.ts';
import type { TmuxRunner } from '../../src/tmux/types.ts';

export const PANE_WIDTH = 250;
export const PANE_HEIGHT = 50;
const POLL_MS = 100;

export interface StartPaneOptions {
  /** Executable and its arguments, run directly (no shell). */
  argv: readonly string[];
  /** The program's whole environment (it is started under `env -i`, so nothing leaks from the test runner's). */
  env: Readonly<Record<string, string>>;
  cwd: string;
}

export class CliPane {
  private constructor(
    readonly socket: string,
    readonly paneId: string,
    private readonly run: TmuxRunner,
  ) {}

  /**
   * Creates the server with a 250×50 window holding a shell, sets `remain-on-exit` (a crashed CLI keeps its last
   * screen) and then respawns the pane with the CLI, so the option is in force before the CLI starts.
   */
  static async start(options: StartPaneOptions): Promise<CliPane> {
    const socket = `poli-test-${randomBytes(4).toString('hex')}`;
    const run = createTmuxRunner({ socket, configFile: '/dev/null' });
    const created = await run([
      'new-session', '-d', '-s', 'real', '-x', String(PANE_WIDTH), '-y', String(PANE_HEIGHT), '-c', options.cwd,
      '-P', '-F', '#{pane_id}', 'sleep 600',
    ]);
    if (created.exitCode !== 0) throw new Error(`tmux new-session failed: ${created.stderr}`);
    const paneId = created.stdout.trim();
    const pane = new CliPane(socket, paneId, run);
    const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
    await pane.tmux(['set', '-g', 'remain-on-exit', 'on', ';', 'set', '-g', 'history-limit', '50000']);
    await pane.tmux(['respawn-pane', '-k', '-t', paneId, '-c', options.cwd, 'env', '-i', ...env, ...options.argv]);
    return pane;
  }

  async tmux(args: readonly string[], input?: string): Promise<string> {
    const result = await this.run(args, input === undefined ? undefined : { input });
    if (result.exitCode !== 0) throw new Error(`tmux ${args.join(' ')} failed (${result.exitCode}): ${result.stderr}`);
    return result.stdout;
  }

  /** The visible screen, lines joined where tmux wrapped them (`capture-pane -p -J`), as tmux prints it. */
  capture(): Promise<string> {
    return this.tmux(['capture-pane', '-p', '-J', '-t', this.paneId]);
  }

  /** The whole history plus the screen. */
  captureAll(): Promise<string> {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', this.paneId]);
  }

  /** Bracketed paste of `text` with LF kept (`load-buffer` from stdin, then `paste-buffer -p -r -d`). */
  async paste(text: string): Promise<void> {
    const buffer = `poli-${randomBytes(3).toString('hex')}`;
    await this.tmux(['load-buffer', '-b', buffer, '-'], text);
    await this.tmux(['paste-buffer', '-p', '-r', '-d', '-b', buffer, '-t', this.paneId]);
  }

  /** Presses tmux keys (`Enter`, `Down`, `1`, …), one `send-keys` call. */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', this.paneId, ...keys]);
  }

  async isDead(): Promise<boolean> {
    return (await this.tmux(['display-message', '-p', '-t', this.paneId, '#{pane_dead}'])).trim() === '1';
  }

  /**
   * Polls the screen until `done(screen)` holds, then returns that screen; on timeout throws an error naming `step`
   * with the last screen seen.
   */
  async waitFor(step: string, done: (screen: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.capture();
      if (done(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`step "${step}" timed out after ${timeoutMs} ms; last screen:\n${screen.trimEnd()}`);
  }

  /** Waits until the screen has not changed for `quietMs` (and `done` holds), e.g. for a finished render. */
  async waitStable(step: string, done: (screen: string) => boolean, quietMs = 800, timeoutMs = 30_000): Promise<string> {
    let last = '';
    let since = Date.now();
    return this.waitFor(
      step,
      (screen) => {
        if (screen !== last) {
          last = screen;
          since = Date.now();
          return false;
        }
        return done(screen) && Date.now() - since >= quietMs;
      },
      timeoutMs,
    );
  }

  /** Kills exactly this test's server (and with it the CLI), and removes its socket file, which tmux leaves. */
  async kill(): Promise<void> {
    const socketPath = (await this.run(['display-message', '-p', '#{socket_path}'])).stdout.trim();
    await this.run(['kill-server']);
    if (socketPath.includes(this.socket)) await rm(socketPath, { force: true });
  }
}
