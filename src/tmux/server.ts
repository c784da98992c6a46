import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { ConfigError, PaneNotFoundError, TmuxServerGoneError } from '../errors.ts';
import { checkResult, isServerGone, isTargetMissing } from './runner.ts';
import type { PaneLiveness, TmuxRunner } from './types.ts';

export type PaneRole = 'PLANNER' | 'EXECUTER';

/** What runs in one pane. `command` is a command line (e.g. `claude --foo`) run by `/bin/sh -c`. */
export interface PaneSpec {
  command: string;
  env?: Record<string, string>;
  /** Working directory for {@link TmuxServer.respawn} (start() uses its projectDir); default: the pane's. */
  cwd?: string;
}

export type PaneIds = Record<PaneRole, string>;

export interface StartOptions {
  session: string;
  /** The name of the session's one window; undefined: tmux's default (the command's name). */
  window?: string;
  projectDir: string;
  panes: Record<PaneRole, PaneSpec>;
  width?: number;
  height?: number;
}

export interface TmuxServerOptions {
  socket: string;
  run: TmuxRunner;
  /** Removes the socket file after kill-server (injected for unit tests). */
  removeFile?: (path: string) => Promise<void>;
  /** Looks at and signals the panes' processes after kill-server (injected for unit tests). */
  processes?: PaneProcesses;
}

/** What kill() needs of the operating system for the processes a pane started. */
export interface PaneProcesses {
  alive(pid: number): boolean;
  /** Signals the process group `pid` leads (each pane's program leads its own). */
  signalGroup(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void;
  sleep(ms: number): Promise<void>;
}

const osProcesses: PaneProcesses = {
  alive(pid) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      // EPERM: it exists but is not ours to signal (not a pane of ours then).
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    // A zombie has ended; where init does not reap orphans (some containers) it stays listed.
    try {
      return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return true;
    }
  },
  signalGroup(pid, signal) {
    try {
      process.kill(-pid, signal);
    } catch {
      // Gone meanwhile.
    }
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How long the panes' programs get to end after tmux hung up on them, then after SIGTERM, before SIGKILL. */
const HANGUP_GRACE_MS = 2_000;
const TERM_GRACE_MS = 1_000;

/** Pane user option that tags each pane with its role; survives respawns and renames. */
export const ROLE_OPTION = '@poli_role';
const ROLES: readonly PaneRole[] = ['PLANNER', 'EXECUTER'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LIVENESS_FORMAT = '#{pane_id} #{pane_dead} #{pane_dead_status} #{pane_dead_signal}';

/**
 * poli's private tmux server (one `-L` socket): creates the PLANNER/EXECUTER panes, finds them
 * again on a later run, reports their liveness and restarts them. Panes are addressed only by
 * `%id`: `-t session` would target whichever pane is active.
 */
export class TmuxServer {
  readonly socket: string;
  private readonly run: TmuxRunner;
  private readonly removeFile: (path: string) => Promise<void>;
  private readonly processes: PaneProcesses;

  constructor(options: TmuxServerOptions) {
    this.socket = options.socket;
    this.run = options.run;
    this.removeFile = options.removeFile ?? ((path) => rm(path, { force: true }));
    this.processes = options.processes ?? osProcesses;
  }

  async isRunning(): Promise<boolean> {
    const result = await this.run(['list-sessions', '-F', '#{session_name}']);
    return result.exitCode === 0;
  }

  async hasSession(session: string): Promise<boolean> {
    const result = await this.run(['has-session', '-t', `=${session}`]);
    return result.exitCode === 0;
  }

  /**
   * Creates `session` with one window holding two panes side by side (PLANNER left, EXECUTER
   * right), each running its command in `projectDir`, tagged with {@link ROLE_OPTION} and a pane
   * title. Starts the server if needed (reading config/tmux.conf via the runner's `-f`).
   *
   * Environment: `new-session -e` puts variables into the *session* environment, which the second
   * pane would inherit too (a PLANNER's CLAUDE_CONFIG_DIR leaking into the EXECUTER). So they are
   * unset from the session (`set-environment -u`, the global value applies again) before the
   * split; `split-window -e` is per pane.
   */
  async start(options: StartOptions): Promise<PaneIds> {
    const { session, window, projectDir, panes, width = 250, height = 50 } = options;
    for (const role of ROLES) validateSpec(role, panes[role]);

    const created = await this.call([
      'new-session', '-d', '-s', session, ...(window === undefined ? [] : ['-n', window]), '-x', String(width), '-y', String(height), '-c', projectDir,
      ...envArgs(panes.PLANNER.env), '-P', '-F', '#{pane_id}', '--', panes.PLANNER.command,
    ]);
    const planner = created.stdout.trim();
    const unset = Object.keys(panes.PLANNER.env ?? {}).flatMap((name) => ['set-environment', '-t', planner, '-u', name, ';']);
    const split = await this.call([
      // `window-size manual` must be set per window: as a global value in tmux.conf, tmux 3.3a
      // segfaults on `new-session -d` (measured). Manual keeps 250x50 when any client attaches.
      'set-option', '-w', '-t', planner, 'window-size', 'manual', ';',
      ...unset,
      'split-window', '-h', '-d', '-t', planner, '-c', projectDir, ...envArgs(panes.EXECUTER.env),
      '-P', '-F', '#{pane_id}', '--', panes.EXECUTER.command,
    ]);
    const executer = split.stdout.trim();
    await this.call([...tagArgs(planner, 'PLANNER'), ';', ...tagArgs(executer, 'EXECUTER')]);
    return { PLANNER: planner, EXECUTER: executer };
  }

  /**
   * Links the window of `session` (one pair of panes) into `hub` too, a session a control-mode client attaches to. tmux
   * sends a control client the output of its own session's panes only (tmux-facts.md): one client hears many pairs,
   * each in its own session, when their windows are linked into the one it attaches to. `session` keeps its window,
   * and {@link findPanes} of it still sees its one pair; `hub` should hold no pair of its own, or it would see several.
   */
  async linkWindow(session: string, hub: string): Promise<void> {
    await this.call(['link-window', '-d', '-s', `=${session}:`, '-t', `=${hub}:`]);
  }

  /** The pane ids by role when `session` exists with both tagged panes, else undefined. */
  async findPanes(session: string): Promise<PaneIds | undefined> {
    const result = await this.run(['list-panes', '-s', '-t', `=${session}`, '-F', `#{pane_id} #{${ROLE_OPTION}}`]);
    if (result.exitCode !== 0) {
      if (isServerGone(result) || isTargetMissing(result)) return undefined;
      checkResult(['list-panes'], result);
    }
    const found: Partial<PaneIds> = {};
    for (const line of result.stdout.split('\n')) {
      const [paneId, role] = line.trim().split(' ');
      if (paneId !== undefined && (role === 'PLANNER' || role === 'EXECUTER')) found[role] = paneId;
    }
    return found.PLANNER !== undefined && found.EXECUTER !== undefined
      ? { PLANNER: found.PLANNER, EXECUTER: found.EXECUTER }
      : undefined;
  }

  /**
   * Liveness of all panes of the server in one call (`list-panes -a`), or of `paneIds` in that
   * order. Throws PaneNotFoundError for an asked pane that does not exist and
   * TmuxServerGoneError when the server is gone.
   *
   * With `remain-on-exit on`, `pane_dead` turns 1 within ~6 ms of the exit but
   * `pane_dead_status`/`pane_dead_signal` are filled ~10 ms later (tmux-facts.md) — and
   * sometimes never: for a program that ran a while, tmux 3.3a left both empty in 4 of 20
   * trials (measured; an immediate `exit 3` was reported 20 of 20). So `dead: true` may come
   * without exitStatus or signal; treat it as "died, cause unknown".
   */
  async liveness(paneIds?: readonly string[]): Promise<PaneLiveness[]> {
    const args = ['list-panes', '-a', '-F', LIVENESS_FORMAT];
    const result = await this.run(args);
    if (result.exitCode !== 0 && isServerGone(result)) {
      throw new TmuxServerGoneError(this.socket, result.stderr.trim());
    }
    checkResult(args, result);
    const all = parseLiveness(result.stdout);
    if (paneIds === undefined) return all;
    return paneIds.map((paneId) => {
      const found = all.find((pane) => pane.paneId === paneId);
      if (found === undefined) throw new PaneNotFoundError(paneId);
      return found;
    });
  }

  /**
   * Restarts the program of a pane (`respawn-pane -k`, killing a live one) and clears its
   * history: respawn keeps old scrollback otherwise. Readers of this pane must be reset.
   */
  async respawn(paneId: string, spec: PaneSpec): Promise<void> {
    validateSpec(paneId, spec);
    const cwd = spec.cwd === undefined ? [] : ['-c', spec.cwd];
    await this.call(
      ['respawn-pane', '-k', '-t', paneId, ...cwd, ...envArgs(spec.env), '--', spec.command, ';', 'clear-history', '-t', paneId],
      paneId,
    );
  }

  /**
   * Kills `session` alone (`kill-session`), its panes' programs as {@link kill} does, and then the server once no
   * session is left on it — other polis may drive other sessions of the server. `session` undefined: the server.
   */
  async killSessionOrServer(session: string | undefined): Promise<void> {
    if (session === undefined) return await this.kill();
    const listed = await this.run(['list-panes', '-s', '-t', `=${session}:`, '-F', '#{pane_pid}']);
    const pids = listed.exitCode === 0 ? parsePids(listed.stdout) : [];
    await this.run(['kill-session', '-t', `=${session}`]);
    await this.reap(pids);
    // tmux exits by itself once its last session is gone (exit-empty), leaving the socket file that kill() removes.
    const left = await this.run(['list-sessions', '-F', '#{session_name}']);
    if (left.exitCode !== 0 || left.stdout.trim() === '') await this.kill();
  }

  /**
   * Kills exactly this server (`kill-server` on this socket; the runner adds `-L`). tmux 3.3a
   * leaves the socket file behind after kill-server (measured), so it is removed too. When the
   * server is not running, only the socket file a dead server left is removed.
   */
  async kill(): Promise<void> {
    const path = await this.run(['display-message', '-p', '#{socket_path}']);
    if (path.exitCode !== 0) {
      // A server that died (SIGKILL, a crash) leaves its socket file, which tmux names in its answer: no server listens
      // there, so it goes too.
      const stale = /no server running on (\S+)/.exec(path.stderr)?.[1];
      if (stale?.endsWith(`/${this.socket}`)) await this.removeFile(stale);
      return;
    }
    const listed = await this.run(['list-panes', '-a', '-F', '#{pane_pid}']);
    const pids = listed.exitCode === 0 ? parsePids(listed.stdout) : [];
    await this.run(['kill-server']);
    const socketPath = path.stdout.trim();
    if (socketPath.endsWith(`/${this.socket}`)) await this.removeFile(socketPath);
    await this.reap(pids);
  }

  /**
   * tmux hangs up on the panes' programs; one that ignores SIGHUP (seen: Qwen Code stalled redrawing a long tool call
   * outlived kill-server by 50 minutes) gets SIGTERM, then SIGKILL — its whole process group, and only the groups of
   * this server's panes.
   */
  private async reap(pids: readonly number[]): Promise<void> {
    const { alive, signalGroup, sleep } = this.processes;
    const waitGone = async (left: number[], ms: number): Promise<number[]> => {
      for (let waited = 0; left.length > 0 && waited < ms; waited += 100) {
        await sleep(100);
        left = left.filter((pid) => alive(pid));
      }
      return left;
    };
    let left = await waitGone(pids.filter((pid) => alive(pid)), HANGUP_GRACE_MS);
    for (const pid of left) signalGroup(pid, 'SIGTERM');
    left = await waitGone(left, TERM_GRACE_MS);
    for (const pid of left) signalGroup(pid, 'SIGKILL');
  }

  private async call(args: string[], paneId?: string) {
    const result = await this.run(args);
    if (result.exitCode !== 0 && isServerGone(result)) {
      throw new TmuxServerGoneError(this.socket, result.stderr.trim());
    }
    return checkResult(args, result, paneId);
  }
}

/** The pids of `list-panes -F '#{pane_pid}'`, one a line (never 0 or 1: signalling those would reach far too much). */
function parsePids(stdout: string): number[] {
  return stdout.split('\n').map(Number).filter((pid) => Number.isInteger(pid) && pid > 1);
}

/** Parses `list-panes -F '#{pane_id} #{pane_dead} #{pane_dead_status} #{pane_dead_signal}'`. */
export function parseLiveness(stdout: string): PaneLiveness[] {
  const panes: PaneLiveness[] = [];
  for (const line of stdout.split('\n')) {
    // Empty fields keep their separators: "%3 1  9" is dead, no status, signal 9.
    const [paneId, dead, status, signal] = line.split(' ');
    if (paneId === undefined || !paneId.startsWith('%')) continue;
    const pane: PaneLiveness = { paneId, dead: dead === '1' };
    if (pane.dead && status !== undefined && status !== '') pane.exitStatus = Number(status);
    if (pane.dead && signal !== undefined && signal !== '') pane.signal = Number(signal);
    panes.push(pane);
  }
  return panes;
}

function tagArgs(paneId: string, role: PaneRole): string[] {
  return ['set-option', '-p', '-t', paneId, ROLE_OPTION, role, ';', 'select-pane', '-t', paneId, '-T', role];
}

function envArgs(env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
}

function validateSpec(who: string, spec: PaneSpec): void {
  if (spec.command.trim() === '') throw new ConfigError(`the ${who} command is empty; expected a command line such as "claude".`);
  for (const name of Object.keys(spec.env ?? {})) {
    if (!ENV_NAME.test(name)) {
      throw new ConfigError(`invalid environment variable name "${name}" for the ${who} pane; expected letters, digits and _.`);
    }
  }
}

/** How a dead pane's program ended, for messages: `exited with status 3`, `was killed by signal 9`. */
export function describeExit(info: PaneLiveness): string {
  if (info.signal !== undefined) return `was killed by signal ${info.signal}`;
  if (info.exitStatus !== undefined) return `exited with status ${info.exitStatus}`;
  // tmux 3.3a sometimes never records why a program ended (measured): say only what is known.
  return 'exited';
}
