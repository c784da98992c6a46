/**
 * A real terminal for poli: runs a command inside a pane of an outer tmux server, which plays
 * the person's terminal (a real TTY of a given size), types keys into it with send-keys and
 * reads the visible screen with capture-pane. The outer server has its own private socket
 * (`poli-tty-<random>`); poli itself is pointed at another one with --socket. `cleanup` kills
 * exactly those two servers.
 *
 * Tests are written as steps: `step(name, until)` waits until the screen satisfies `until`; on
 * timeout it fails naming the stalled step, the steps done before it, and the screen so far.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, killServer, testEnv } from './poli-process.ts';
import { LOADED_WAIT_MS } from './waits.ts';

const exec = promisify(execFile);
const POLI_BIN = path.join(REPO_ROOT, 'bin', 'poli.js');

/** What a step waits for: text on the screen, a pattern, or a test of the screen. */
export type Until = string | RegExp | ((screen: string) => boolean | Promise<boolean>);

export interface TerminalOptions {
  /** Arguments of `node bin/poli.js`, or a whole shell command line with `shell`. */
  args?: readonly string[];
  shell?: string;
  cols: number;
  rows: number;
  env?: Record<string, string>;
  /** Environment variables to leave out (e.g. NO_COLOR, which the terminal does not set). */
  unset?: readonly string[];
  cwd?: string;
}

export interface Terminal {
  /** The outer tmux server's socket (the terminal). */
  socket: string;
  /** The visible screen: one string, lines without trailing spaces, no trailing empty lines. */
  screen(): Promise<string>;
  /** The screen plus everything scrolled off it. */
  scrollback(): Promise<string>;
  /** Types text literally (no key names). */
  type(text: string): Promise<void>;
  /** Presses keys by tmux name: `Enter`, `C-c`, `C-d`, `Escape`. */
  press(...keys: string[]): Promise<void>;
  /** Waits until `until` holds for the screen (or scrollback), and returns that screen. */
  step(name: string, until: Until, options?: { timeoutMs?: number; scrollback?: boolean }): Promise<string>;
  /** Whether the program rang the terminal bell (tmux's window bell flag). */
  rang(): Promise<boolean>;
  /** Waits until the program in the pane exited, and returns its exit status. */
  exited(timeoutMs?: number): Promise<number>;
  cleanup(): Promise<void>;
}

/** Starts the terminal and the command in it. */
export async function startTerminal(options: TerminalOptions): Promise<Terminal> {
  const socket = `poli-tty-${randomBytes(6).toString('hex')}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'poli-tty-'));
  const env = { ...testEnv(options.env) };
  for (const name of ['NO_COLOR', ...(options.unset ?? [])]) if (!options.env || !(name in options.env)) delete env[name];
  env.TERM = 'tmux-256color';
  const command = options.shell ?? [process.execPath, POLI_BIN, ...(options.args ?? [])].map(shellQuote).join(' ');
  const script = path.join(dir, 'run.sh');
  const exports = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e[0]))
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  // The shell waits for the command and writes its exit status to a file: tmux does not always
  // learn a node process's exit status (the pane stays a zombie's). Ctrl+C reaches the command; the
  // shell only notes it (a trap with a command is reset to the default in the child).
  const statusFile = path.join(dir, 'status');
  await writeFile(
    script,
    ['#!/bin/sh', 'unset TMUX TMUX_PANE', ...exports, `cd ${shellQuote(options.cwd ?? REPO_ROOT)}`, "trap ':' INT", command, `echo $? > ${shellQuote(statusFile)}`, ''].join('\n'),
  );
  await chmod(script, 0o755);
  const conf = path.join(dir, 'tmux.conf');
  // The pane stays after the program exits, so its last screen and exit status can be read.
  await writeFile(conf, 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 5000\nset -g prefix None\nunbind C-b\n');
  const tmux = (...args: string[]) => exec('tmux', ['-L', socket, '-f', conf, ...args], { encoding: 'utf8' });
  await tmux('new-session', '-d', '-s', 'term', '-x', String(options.cols), '-y', String(options.rows), script);
  const done: string[] = [];

  const capture = async (history: boolean): Promise<string> => {
    const { stdout } = await tmux('capture-pane', '-p', '-t', 'term', ...(history ? ['-S', '-'] : []));
    return stdout
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      // tmux's own note once the program exited (remain-on-exit) is not the program's output.
      .replace(/\n*Pane is dead \([^\n]*\)\s*$/, '')
      .replace(/\n+$/, '');
  };
  const matches = async (screen: string, until: Until): Promise<boolean> =>
    typeof until === 'string' ? screen.includes(until) : until instanceof RegExp ? until.test(screen) : await until(screen);

  const terminal: Terminal = {
    socket,
    screen: () => capture(false),
    scrollback: () => capture(true),
    async type(text) {
      await tmux('send-keys', '-t', 'term', '-l', text);
    },
    async press(...keys) {
      await tmux('send-keys', '-t', 'term', ...keys);
    },
    async step(name, until, stepOptions = {}) {
      const timeoutMs = stepOptions.timeoutMs ?? LOADED_WAIT_MS;
      const deadline = Date.now() + timeoutMs;
      let screen: string;
      for (;;) {
        screen = await capture(stepOptions.scrollback === true);
        if (await matches(screen, until)) {
          done.push(name);
          return screen;
        }
        if (Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const before = done.length > 0 ? done.map((d) => `  ✓ ${d}`).join('\n') : '  (none)';
      throw new Error(
        `step "${name}" stalled: waited ${timeoutMs} ms for ${typeof until === 'function' ? 'its condition' : String(until)}\nsteps done:\n${before}\n` +
          `screen (${options.cols}×${options.rows}):\n${screen.split('\n').map((l) => `  | ${l}`).join('\n')}`,
      );
    },
    async rang() {
      const { stdout } = await tmux('display-message', '-p', '-t', 'term', '#{window_bell_flag}');
      return stdout.trim() === '1';
    },
    async exited(timeoutMs = LOADED_WAIT_MS) {
      let code = Number.NaN;
      await terminal.step(
        'the program exited',
        async () => {
          const text = await readFile(statusFile, 'utf8').catch(() => '');
          if (!/^\d+\n$/.test(text)) return false;
          code = Number(text.trim());
          return true;
        },
        { timeoutMs },
      );
      return code;
    },
    async cleanup() {
      await tmux('kill-server').catch(() => undefined);
      await rm(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
  return terminal;
}

/** Kills poli's own server on `socket` (what poli left running) and its runtime files. */
export function killPoliServer(socket: string): void {
  killServer(socket);
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
