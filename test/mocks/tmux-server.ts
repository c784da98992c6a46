/**
 * A private tmux server for the mock TUI tests (socket `-L poli-test-<random>`, killed exactly when done), and the
 * screen helpers they share. Panes are driven the way poli drives real CLIs: a bracketed paste through a tmux
 * buffer, Enter as a separate command, the screen read with `capture-pane -p -J`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { fileURLToPath } from 'node:url';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import type { Block, BlockHeader } from '../../src/protocol/types.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const TSX_LOADER = join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs');
export const WAIT_MS = 15_000;
export const POLL_MS = 50;

export class TmuxServer {
  readonly socket = `poli-test-${randomBytes(4).toString('hex')}`;

  run(args: readonly string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(stdout);
        else reject(new Error(`tmux ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
      });
      child.stdin?.end(input);
    });
  }

  /** Starts a mock in a new pane (250×50 unless told) and returns the pane id once its idle prompt shows. */
  async startMock(script: string, args: readonly string[], cwd: string, size = { x: 250, y: 50 }): Promise<string> {
    const command = [process.execPath, '--import', TSX_LOADER, join(REPO, 'mocks', script), ...args];
    const pane = (
      await this.run(['new-session', '-d', '-x', String(size.x), '-y', String(size.y), '-c', cwd, '-P', '-F', '#{pane_id}', ...command])
    ).trim();
    await this.run(['set-option', '-w', '-t', pane, 'remain-on-exit', 'on']);
    await this.waitFor(pane, 'the idle prompt at start-up', (screen) => bottom(screen).includes('  ? for shortcuts'));
    return pane;
  }

  /** A pane format, e.g. `#{history_size}` or `#{alternate_on}`. */
  async format(pane: string, format: string): Promise<string> {
    return (await this.run(['display-message', '-p', '-t', pane, format])).trim();
  }

  capture(pane: string): Promise<string> {
    return this.run(['capture-pane', '-p', '-J', '-t', pane]);
  }

  /** Pastes like poli: a buffer loaded from stdin, pasted bracketed (-p), LFs kept (-r), buffer deleted (-d). */
  async paste(pane: string, text: string): Promise<void> {
    await this.run(['load-buffer', '-b', 'x', '-'], text);
    await this.run(['paste-buffer', '-p', '-r', '-d', '-b', 'x', '-t', pane]);
  }

  /** Polls the screen until `check` passes; on timeout the error names the step and shows the screen. */
  async waitFor(pane: string, step: string, check: (screen: string) => boolean): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.capture(pane);
      if (check(screen)) return screen;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    throw new Error(`timed out waiting for ${step}; the screen was:\n${screen.trimEnd()}`);
  }

  /** Kills exactly this server and removes its socket file (tmux 3.3a leaves it behind). */
  async kill(): Promise<void> {
    const socketPath = (await this.run(['display-message', '-p', '#{socket_path}']).catch(() => '')).trim();
    await this.run(['kill-server']).catch(() => undefined);
    if (socketPath.endsWith(this.socket)) await rm(socketPath, { force: true });
  }
}

/** The last non-blank lines of a screen: where a CLI's status lives. */
export function bottom(screen: string, count = 4): string {
  return screen.trimEnd().split('\n').slice(-count).join('\n');
}

export function findBlock(screen: string, header: BlockHeader): Block | undefined {
  return parseBlocks(screen).blocks.find(
    (b) => b.header.to === header.to && b.header.type === header.type && b.header.id === header.id,
  );
}

/**
 * For one describe block: `newServer()` starts a private tmux server and `newDir(prefix)` makes a temporary folder;
 * both are removed after each test, in reverse order.
 */
export function useTmuxWorld(dirPrefix: string): { newServer(): TmuxServer; newDir(): Promise<string> } {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    newServer() {
      const server = new TmuxServer();
      cleanups.push(() => server.kill());
      return server;
    },
    async newDir() {
      const dir = await mkdtemp(join(tmpdir(), dirPrefix));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}
