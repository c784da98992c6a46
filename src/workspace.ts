/**
 * A poli workspace: the checked settings, the lock on the tmux socket, the tmux session with
 * both CLIs primed, the state store and the logger — and running tasks in it, one-shot or
 * interactively. Built by the composition root (app.ts) from real effects.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AppIO } from './app.ts';
import { createProgressDisplay, type ProgressDisplay } from './cli/live-progress.ts';
import { STATUS_RIGHT_LENGTH } from './cli/status-line.ts';
import { findProgram } from './command-check.ts';
import type { Settings } from './config.ts';
import { CommandNotFoundError } from './errors.ts';
import { createEventLog, EVENTS_FILE, type EventLog } from './events.ts';
import { ControlInbox, controlDir } from './human/control.ts';
import { createLineInput, type LineInput } from './line-input.ts';
import { PACKAGE_ROOT, readPrimer, realClock } from './host.ts';
import { createLogger, type Logger } from './logger.ts';
import { withLaunchArgs } from './profiles/launch.ts';
import { selectProfile } from './profiles/select.ts';
import type { Role } from './protocol/types.ts';
import { PoliSession, type CliSpec } from './session.ts';
import { acquireSocketLock, isProcessAlive } from './state/lock.ts';
import { StateStore } from './state/store.ts';
import { stateDirPointer } from './state/running.ts';
import type { TaskRecord } from './state/types.ts';
import { createTmuxClient } from './tmux/client.ts';
import { assertTmuxAvailable } from './tmux/runner.ts';
import type { Clock, TmuxRunner } from './tmux/types.ts';
import { writeTranscript } from './transcript.ts';

export interface Workspace {
  io: AppIO;
  settings: Settings;
  session: PoliSession;
  store: StateStore;
  logger: Logger;
  clock: Clock;
  events: EventLog;
  /** Commands from other terminals (poli say/pause/resume/stop). */
  control: ControlInbox;
  /** Lines typed at poli's terminal (interactive prompt, approval gate). */
  input: LineInput;
  /** A line for the person at the terminal (stdout). */
  say(line: string): void;
  /** A progress line while a task runs (stdout). */
  progress(line: string): void;
  /** The live status line at the bottom of a terminal (a no-op elsewhere). */
  live: ProgressDisplay;
  /**
   * The longest the dialogue waits between two looks at the panes. Event-driven (control mode),
   * output wakes it at once, so the cap only paces timeout checks: a long one keeps poli idle
   * while the CLIs think (measured 0.2 % of a core at 1 s against 0.9 % at 250 ms). Polling,
   * it is --poll-ms.
   */
  waitCapMs(): number;
  writeTranscript(task: TaskRecord): Promise<void>;
  /** Shows a line at the right of the status bar of poli's tmux server (best effort). */
  setStatus(line: string): Promise<void>;
  close(): Promise<void>;
}

/** Checks everything that can be checked before starting, then starts (or reuses) the session. */
export async function openWorkspace(io: AppIO, settings: Settings): Promise<Workspace> {
  const client = createTmuxClient({
    socket: settings.socket,
    configFile: path.join(PACKAGE_ROOT, 'config', 'tmux.conf'),
    clock: realClock,
    // Called only once the session is being opened, after `logger` below exists.
    warn: (message) => logger.warn(message, { event: 'state' }),
  });
  const run = client.run;
  await assertTmuxAvailable(run);
  const clis = await resolveClis(io, settings);
  for (const role of ['PLANNER', 'EXECUTER'] as const) {
    const command = clis[role].command;
    if (!findProgram(command, { path: io.env.PATH ?? '', cwd: settings.projectDir })) {
      throw new CommandNotFoundError(role, command);
    }
  }
  const live = createProgressDisplay({
    write: (text) => io.stdout.write(text),
    tty: io.stdout.isTTY === true,
    color: io.env.NO_COLOR === undefined,
    now: () => realClock.now(),
    columns: (io.stdout as { columns?: number }).columns ?? 100,
  });
  const logger = createLogger({
    dir: settings.stateDir,
    level: settings.logLevel,
    console: true,
    noColor: io.env.NO_COLOR !== undefined,
    // On a terminal, log lines go above the live progress line instead of through it.
    stream: io.stdout.isTTY === true ? lineStream((line) => live.line(line)) : io.stderr,
  });
  const warn = (message: string) => logger.warn(message, { event: 'state' });
  const store = new StateStore({ dir: settings.stateDir, clock: realClock, pid: io.pid, isPidAlive: isProcessAlive, warn });
  await store.list(); // marks tasks of dead poli processes as interrupted
  // The lock lives with the socket, not the state dir: two polis with different --state-dir must
  // still not drive one tmux server.
  await mkdir(io.runtimeDir, { recursive: true, mode: 0o700 });
  const lock = await acquireSocketLock({ dir: io.runtimeDir, socket: settings.socket, pid: io.pid, isPidAlive: isProcessAlive });
  await writeFile(stateDirPointer(io.runtimeDir, settings.socket), settings.stateDir);
  let session: PoliSession;
  try {
    logger.info(`starting the tmux session on socket "${settings.socket}" in ${settings.projectDir}`, { event: 'start' });
    session = await PoliSession.open({
      run,
      waitForChange: (paneIds, ms) => client.waitForChange(paneIds, ms),
      socket: settings.socket,
      clock: realClock,
      projectDir: settings.projectDir,
      clis,
      readyTimeoutMs: Math.min(settings.planTimeout, 120) * 1000,
      restarts: settings.restarts,
      pollMs: settings.pollMs,
      log: (message) => logger.info(message, { event: 'prime' }),
      debug: (message) => logger.debug(message, { event: 'send' }),
    });
  } catch (error) {
    await rm(stateDirPointer(io.runtimeDir, settings.socket), { force: true });
    await lock.release();
    if (settings.killOnExit) await run(['kill-server']).catch(() => undefined);
    await client.close();
    await logger.close();
    throw error;
  }
  const events = createEventLog(path.join(settings.stateDir, EVENTS_FILE), {
    onError: (error) => logger.warn(`could not write the event stream: ${String(error)}`),
  });
  for (const role of ['PLANNER', 'EXECUTER'] as const) events.emit({ event: 'prime', role, pane: session.paneIds[role] });
  const control = new ControlInbox({ dir: controlDir(io.runtimeDir, settings.socket), warn: (m) => logger.warn(m) });
  // Commands left from before this process started belong to no task: drop them, say so.
  const stale = await control.poll();
  if (stale.length > 0) logger.warn(`ignored ${stale.length} control command(s) sent while no task was running`);
  await showStatusLine(run, logger);
  const input = createLineInput(io.stdin, io.stdout);
  return {
    io,
    settings,
    session,
    store,
    logger,
    clock: realClock,
    events,
    control,
    input,
    say: (line) => live.line(line),
    progress: (line) => live.line(line),
    live,
    waitCapMs: () => (client.mode === 'control' ? Math.max(settings.pollMs, EVENT_WAIT_CAP_MS) : settings.pollMs),
    async setStatus(line) {
      // `#` starts a tmux format in status-right: double it so task text shows as typed.
      await run(['set-option', '-g', 'status-right', line.replace(/#/g, '##')]).catch(() => undefined);
    },
    async writeTranscript(task) {
      await writeTranscript(settings.stateDir, task).catch((error: unknown) =>
        logger.warn(`could not write the transcript of ${task.id}: ${String(error)}`),
      );
    },
    async close() {
      input.close();
      await events.close();
      await rm(stateDirPointer(io.runtimeDir, settings.socket), { force: true });
      await rm(controlDir(io.runtimeDir, settings.socket), { recursive: true, force: true });
      await lock.release();
      if (settings.killOnExit) await session.kill().catch(() => undefined);
      await client.close();
      await logger.close();
    },
  };
}

/**
 * The commands, environment, profiles and primers of both CLIs. Each profile's launch flags and
 * environment (a real scrollback, no update prompt) are added to the user's command and pane.
 */
async function resolveClis(io: AppIO, settings: Settings): Promise<Record<Role, CliSpec>> {
  const mockEnv = Object.fromEntries(
    Object.entries(io.env).filter((e): e is [string, string] => e[0].startsWith('MOCK_') && e[1] !== undefined),
  );
  const spec = async (role: Role, command: string, profileName: string | undefined): Promise<CliSpec> => {
    const profile = selectProfile(command, settings.mock ? 'mock' : profileName);
    return {
      command: withLaunchArgs(command, profile.launch.args),
      env: { ...profile.launch.env, ...(settings.mock ? mockEnv : {}) },
      profile,
      primer: await readPrimer(role === 'PLANNER' ? 'planner' : 'executer'),
      fileThreshold: settings.fileThreshold,
      environment: { ...io.env, ...profile.launch.env },
    };
  };
  return {
    PLANNER: await spec('PLANNER', settings.mock ? mockCommand('mock-planner.ts') : settings.plannerCmd, settings.plannerProfile),
    EXECUTER: await spec('EXECUTER', settings.mock ? mockCommand('mock-executer.ts') : settings.executerCmd, settings.executerProfile),
  };
}

/** The bundled mock TUI, run by this Node with tsx's loader (no PATH lookups needed). */
function mockCommand(file: string): string {
  const tsx = import.meta.resolve('tsx');
  return [process.execPath, '--import', tsx, path.join(PACKAGE_ROOT, 'mocks', file)].map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Turns on the status bar of poli's own tmux server, where poli shows `poli T3 r2 EXECUTER 01:12`
 * (set by poli itself as the task moves: no process is spawned per refresh). Best effort.
 */
async function showStatusLine(run: TmuxRunner, logger: Logger): Promise<void> {
  const args = ['set-option', '-g', 'status', 'on', ';', 'set-option', '-g', 'status-right-length', String(STATUS_RIGHT_LENGTH), ';', 'set-option', '-g', 'status-right', 'poli idle'];
  const result = await run(args);
  if (result.exitCode !== 0) logger.debug(`could not set the tmux status line: ${result.stderr.trim()}`);
}

/** A stream that hands each written chunk, without its final newline, to `line`. */
function lineStream(line: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      line(String(chunk).replace(/\n$/, ''));
      done();
    },
  });
}

/** See Workspace.waitCapMs; pane deaths wake the wait too (a tmux subscription), so crashes stay well under 2 s. */
const EVENT_WAIT_CAP_MS = 1_000;
