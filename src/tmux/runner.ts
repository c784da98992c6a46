import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { PaneNotFoundError, TmuxCommandError, TmuxNotFoundError, TmuxServerGoneError } from '../errors.ts';
import type { TmuxResult, TmuxRunner } from './types.ts';

/** poli's own tmux configuration (config/tmux.conf); the user's ~/.tmux.conf is never read. */
export const DEFAULT_TMUX_CONFIG = fileURLToPath(new URL('../../config/tmux.conf', import.meta.url));

/** A tmux call that takes longer than this is treated as failed (a healthy call takes ~3 ms). */
const DEFAULT_TIMEOUT_MS = 15_000;

export interface TmuxRunnerOptions {
  /** Private server name, passed as `-L <socket>`; never the user's default server. */
  socket: string;
  tmuxBin?: string;
  /** Passed as `-f <file>` so a server started by this runner reads only poli's configuration. */
  configFile?: string;
  timeoutMs?: number;
}

/**
 * Creates the production {@link TmuxRunner}: one `tmux` process per call, argv only (never a
 * shell, so nothing in an argument is expanded), non-zero exits returned rather than thrown.
 *
 * Every call is prefixed with `-u -L <socket> -f <configFile>`:
 * - `-u` plus `LANG=C.UTF-8` in the child's environment: with LANG=C or unset, tmux 3.3a turns
 *   non-ASCII in `display-message -p` output into `_` (measured). The server started by the first
 *   call also passes LANG=C.UTF-8 on to the panes' programs.
 * - `-f` only matters for the call that starts the server; tmux ignores it otherwise.
 * - `TMUX`/`TMUX_PANE` are dropped so running poli inside tmux cannot redirect calls to the
 *   surrounding server.
 * - An argument that is exactly `;` separates commands (`display-message … ; capture-pane …` runs
 *   both in one call, atomically). Any other argument is passed literally: tmux also ends a
 *   command at an argument that merely *ends* in `;` (`-e A=x;` breaks the call, `echo a;` loses
 *   its `;`; measured), so the runner escapes such a trailing `;` as `\;`, see {@link escapeArg}.
 *
 * stdout is returned exactly as tmux wrote it (the final newline is kept).
 */
/**
 * The environment of the tmux processes poli runs. The first of them starts the server, whose global environment
 * every pane inherits: the mock CLIs' settings (MOCK_*) must not get there, or a session would keep the settings of
 * the run that started it for good. They reach each pane through its own environment (`-e`) instead.
 */
function tmuxEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { LANG: 'C.UTF-8', TMUX: undefined, TMUX_PANE: undefined };
  for (const name of Object.keys(process.env)) if (name.startsWith('MOCK_')) env[name] = undefined;
  return env;
}

export function createTmuxRunner(options: TmuxRunnerOptions): TmuxRunner {
  const { socket, tmuxBin = 'tmux', configFile = DEFAULT_TMUX_CONFIG, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const prefix = ['-u', '-L', socket, '-f', configFile];
  return async (args, callOptions) => {
    const input = callOptions?.input;
    const result = await execa(tmuxBin, [...prefix, ...args.map(escapeArg)], {
      reject: false,
      env: tmuxEnv(),
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
      stripFinalNewline: false,
      timeout: timeoutMs,
    });
    if (result.code === 'ENOENT') throw new TmuxNotFoundError({ cause: result });
    const answer = result.timedOut
      ? { stdout: String(result.stdout ?? ''), stderr: `tmux timed out after ${timeoutMs} ms`, exitCode: -1 }
      : { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? -1 };
    callOptions?.onReply?.(answer);
    return answer;
  };
}

/** A running `tmux -C` client process, as the control client (control-client.ts) uses it. */
export interface ControlProcess {
  /** Writes to the client's stdin (command lines); ignored once the process is gone. */
  write(text: string): void;
  /** Receives the client's stdout as it arrives. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Settles when the process has ended: its exit code (undefined after a signal) and stderr. */
  exited: Promise<{ exitCode: number | undefined; stderr: string }>;
  kill(): void;
}

/**
 * Starts a control-mode client attached to `target` (a session, or a pane id: tmux resolves a
 * pane to its session) with the same prefix and environment as {@link createTmuxRunner}. The
 * session must exist: `tmux -C attach` on a socket without a server starts one (measured).
 *
 * tmux's stdout does not come straight to poli: it goes through a relay process (`sh` running
 * `cat`, see {@link CONTROL_RELAY_SCRIPT}) whose output poli reads. Why: a control client hands
 * its stdin/stdout to the server, which reads and writes them itself. When poli dies without
 * closing the client (kill -9, a crash) while tmux holds output poli had not read yet, the
 * server marks the client as exiting but first waits for that output to be written — to a pipe
 * nobody reads any more, so forever: the `tmux -C` process stays, and a later `kill-server` never
 * finishes either (tmux 3.3a and 3.7c alike, test/tmux/control-client.test.ts; the fault tests'
 * kill -9 runs hit it about one run in two on 3.7c; tmux/tmux pull request 5444 describes the
 * same wait). The relay keeps reading after poli is gone (it discards from then on), so the
 * server can flush, tell the client to exit, and the relay ends at EOF.
 * The tmux process itself stays poli's direct child: kill() and the exit status are tmux's.
 */
export function spawnTmuxControl(options: TmuxRunnerOptions & { target: string }): ControlProcess {
  const { socket, tmuxBin = 'tmux', configFile = DEFAULT_TMUX_CONFIG, target } = options;
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C.UTF-8' };
  delete env.TMUX;
  delete env.TMUX_PANE;
  // $0 names the socket so the relay shows up with the rest of this server's processes (ps).
  const relay = spawn('/bin/sh', ['-c', CONTROL_RELAY_SCRIPT, `poli-control-relay-${socket}`], { stdio: ['pipe', 'pipe', 'ignore'] });
  // The relay's stdin is shared as tmux's stdout (the descriptor is duplicated into tmux), then
  // poli closes its own copy: the relay ends when tmux and the server have closed theirs.
  const tmux = spawn(tmuxBin, ['-u', '-L', socket, '-f', configFile, '-C', 'attach-session', '-t', target], {
    stdio: ['pipe', relay.stdin, 'pipe'],
    env,
  });
  relay.stdin.destroy();
  let stderr = '';
  tmux.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  // A write racing the process's end must not crash poli (EPIPE); the exit is reported instead.
  tmux.stdin.on('error', () => undefined);
  relay.stdin.on('error', () => undefined);
  relay.on('error', () => undefined);
  const tmuxDone = new Promise<number | undefined>((resolve) => {
    tmux.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') stderr ||= `${tmuxBin} not found on PATH`;
      resolve(undefined);
    });
    tmux.on('close', (code) => resolve(code ?? undefined));
  });
  const relayDone = new Promise<void>((resolve) => {
    relay.on('close', () => resolve());
    relay.on('error', () => resolve());
  });
  // Ends once tmux has exited and the relay has passed on everything it printed (a failed attach
  // prints its reason on stdout right before exiting). A relay that outlives tmux by more than
  // RELAY_GRACE_MS (something else still holds the pipe) is killed so the exit is still reported.
  const exited = tmuxDone.then(async (exitCode) => {
    const grace = setTimeout(() => relay.kill('SIGKILL'), RELAY_GRACE_MS);
    await relayDone;
    clearTimeout(grace);
    return { exitCode, stderr };
  });
  return {
    write(text) {
      if (tmux.stdin.writable) tmux.stdin.write(text);
    },
    onData(listener) {
      relay.stdout.on('data', listener);
    },
    exited,
    kill() {
      tmux.kill();
    },
  };
}

/**
 * The control-mode relay (see {@link spawnTmuxControl}): copies tmux's output to poli; once that
 * fails (poli is gone: SIGPIPE/EPIPE ends the first `cat`), reads on and discards until EOF.
 * Ctrl+C and hang-up reach the whole process group: the relay ignores them and ends at EOF, after
 * the tmux client, so poli keeps reading its client while it shuts down.
 */
const CONTROL_RELAY_SCRIPT = "trap '' INT HUP; cat; cat >/dev/null";
const RELAY_GRACE_MS = 2_000;

/**
 * Escapes a trailing `;` so tmux keeps it as text: tmux 3.3a ends a command at any argument
 * ending in `;` and turns a trailing `\;` into `;`. Inserting one `\` before the final `;` is
 * therefore exact for every argument (`a;` → `a\;` → `a;`, `a\;` → `a\\;` → `a\;`). The lone `;`
 * separator is left alone.
 */
export function escapeArg(arg: string): string {
  return arg !== ';' && arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

/** Runs `tmux -V`; throws TmuxNotFoundError when tmux is missing, returns the version text. */
export async function assertTmuxAvailable(run: TmuxRunner): Promise<string> {
  const result = await run(['-V']);
  if (result.exitCode !== 0) throw new TmuxCommandError(['-V'], result.exitCode, result.stderr);
  return result.stdout.trim();
}

// The helpers below interpret a TmuxResult. They are pure so any runner (including the later
// control-mode client, whose `%error` lines carry the same texts) can share them.

const SERVER_GONE_PATTERNS = [
  /no server running on (\S+)/,
  /error connecting to (\S+)/,
  /server exited unexpectedly/,
  /lost server/,
];

/** True when a failed call's stderr says the tmux server is not (any more) running. */
export function isServerGone(result: TmuxResult): boolean {
  return result.exitCode !== 0 && SERVER_GONE_PATTERNS.some((pattern) => pattern.test(result.stderr));
}

/** True when a failed call's stderr says a target pane/window/session does not exist. */
export function isTargetMissing(result: TmuxResult): boolean {
  return result.exitCode !== 0 && /can't find (pane|window|session)/.test(result.stderr);
}

/**
 * Throws the most specific error for a failed call: TmuxServerGoneError when the server is gone,
 * PaneNotFoundError when `paneId` was the missing target, TmuxCommandError otherwise.
 * Returns the result unchanged when it succeeded.
 */
export function checkResult(args: readonly string[], result: TmuxResult, paneId?: string): TmuxResult {
  if (result.exitCode === 0) return result;
  if (isServerGone(result)) throw new TmuxServerGoneError(socketNameFrom(result.stderr), result.stderr.trim());
  if (paneId !== undefined && isTargetMissing(result)) {
    throw new PaneNotFoundError(paneId, { cause: new TmuxCommandError(args, result.exitCode, result.stderr) });
  }
  throw new TmuxCommandError(args, result.exitCode, result.stderr);
}

/** tmux names the socket path in its "no server" messages (`/tmp/tmux-0/NAME`); keep the NAME. */
function socketNameFrom(stderr: string): string {
  const path = /(?:no server running on|error connecting to) (\S+)/.exec(stderr)?.[1];
  return path === undefined ? 'unknown' : (path.split('/').pop() ?? path);
}
