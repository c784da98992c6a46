/**
 * A poli workspace: the checked settings, the lock on the tmux socket, the tmux session with
 * both CLIs primed, the state store and the logger — and running tasks in it, one-shot or
 * interactively. Built by the composition root (app.ts) from real effects.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createProgressDisplay, type ProgressDisplay } from '../terminal/live-progress.ts';
import { STATUS_RIGHT_LENGTH, pickStatusTask, renderStatusLine } from '../terminal/status-line.ts';
import { findProgram } from '../profiles/command-check.ts';
import type { Settings } from '../settings.ts';
import { CommandNotFoundError, ConfigError, StateFileError } from '../errors.ts';
import { createEventLog, EVENTS_FILE, type EventLog, type PoliEvent } from '../records/events.ts';
import { ControlInbox, controlDir } from '../human/control.ts';
import { currentUid, ensurePrivateDir } from '../state/private-dir.ts';
import { createLineInput, type LineInput } from '../terminal/line-input.ts';
import { StartInterruptedError, unlessInterrupted } from '../terminal/interrupts.ts';
import { PACKAGE_ROOT, readPrimer, realClock, type AppIO } from '../host.ts';
import { durationClock } from '../tmux/clock.ts';
import { createLogger, type Logger } from '../records/logger.ts';
import { Intake } from '../mcp/intake.ts';
import { mcpRegistration, type McpRegistration } from '../mcp/register.ts';
import { prepareSessionFiles, removeSessionFiles } from '../mcp/session-files.ts';
import { intakeSocketPath } from '../mcp/wire.ts';
import { loadIntakeSecret, paneTokens } from '../mcp/pane-token.ts';
import { fileJournal } from '../mcp/reply-journal.ts';
import { withLaunchArgs } from '../profiles/launch.ts';
import { selectProfile } from '../profiles/select.ts';
import type { Role } from '../protocol/types.ts';
import { ensureWritableProjectDir, excludePoliDirFromGit, removeEmptyPoliDirs } from './project-files.ts';
import { makeDirectory } from '../state/make-dir.ts';
import type { CliSpec } from './cli-spec.ts';
import { PoliSession, SESSION_NAME, type SessionOptions } from './session.ts';
import { checkSession } from './pane-repair.ts';
import { readPaneOptions } from '../tmux/pane-options.ts';
import { TmuxServer } from '../tmux/server.ts';
import { acquireSocketLock, isProcessAlive } from '../state/lock.ts';
import { StateStore } from '../state/store.ts';
import { stateDirPointer } from '../state/running.ts';
import type { TaskRecord } from '../state/types.ts';
import { createTmuxClient } from '../tmux/client.ts';
import { assertTmuxAvailable } from '../tmux/runner.ts';
import type { Clock, TmuxRunner } from '../tmux/types.ts';
import { writeTranscript } from '../records/transcript.ts';

export interface Workspace {
  io: AppIO;
  settings: Settings;
  session: PoliSession;
  /**
   * Before a task in a session poli keeps open (interactive mode): when the tmux session is gone (its server was
   * killed) or one of its panes is, starts it again, or the missing pane (saying so at the terminal).
   */
  ensureSession(): Promise<void>;
  /** --on-limit switch: the fallback CLI of each role that has one. */
  fallbacks: Partial<Record<Role, CliSpec>>;
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
  /** A line on stderr (a failure, a warning for the person), never glued to the live line. */
  error(line: string): void;
  /**
   * Runs `ask` (a question to the person at the terminal) with the live line put away, rings the
   * terminal bell and runs --notify with `event`; the live line comes back afterwards.
   */
  ask<T>(event: PoliEvent, ask: () => Promise<T>): Promise<T>;
  /** Tells the person they are needed: the terminal bell on a TTY, and --notify with the event. */
  notify(event: PoliEvent): void;
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
  /**
   * The task is ending: replies through poli's tool and command for its turns are refused as closed from now on
   * (never answered "delivered" and then dropped).
   */
  closeReplies(): void;
  /** Shows a line at the right of the status bar of poli's tmux server (best effort). */
  setStatus(line: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Checks everything that can be checked before starting, then starts (or reuses) the session. When `interrupted`
 * aborts meanwhile (Ctrl+C, SIGTERM, SIGHUP, a closed stdout), it stops starting, cleans up as for a failed start,
 * and throws StartInterruptedError. `deferPriming`: one task to run, whose priming waits until the task exists.
 */
export async function openWorkspace(
  io: AppIO,
  settings: Settings,
  options: { deferPriming?: boolean; interrupted?: AbortSignal } = {},
): Promise<Workspace> {
  const interrupted = options.interrupted;
  const client = createTmuxClient({
    socket: settings.socket,
    configFile: path.join(PACKAGE_ROOT, 'config', 'tmux.conf'),
    clock: realClock,
    // Called only once the session is being opened, after `logger` below exists.
    warn: (message) => logger.warn(message, { event: 'state' }),
  });
  const run = client.run;
  await assertTmuxAvailable(run);
  // The structured channel beside the screen (src/mcp/): each CLI gets poli's MCP server and `poli reply`.
  const intakeSocket = intakeSocketPath(io.runtimeDir, settings.socket);
  const registrations: McpRegistration[] = [];
  // Each pane's token, derived from the state dir's secret: the same after a restart with --resume (pane-token.ts).
  await ensureWritableDir(settings.stateDir);
  const tokens = paneTokens(await loadIntakeSecret(settings.stateDir), settings.socket);
  const clis = await resolveClis(io, settings, intakeSocket, registrations, tokens);
  const missing = (['PLANNER', 'EXECUTER'] as const).filter(
    (role) => !findProgram(clis[role].command, { path: io.env.PATH ?? '', cwd: settings.projectDir }),
  );
  const [first, second] = missing;
  if (first) {
    // Named as the person gave it (--planner-cmd), not with the launch flags poli adds to it.
    const given = (role: Role) => (role === 'PLANNER' ? settings.plannerCmd : settings.executerCmd);
    throw new CommandNotFoundError(first, given(first), second ? { also: { role: second, command: given(second) } } : {});
  }
  const fallbacks = await resolveFallbacks(io, settings, intakeSocket, registrations, tokens);
  for (const [role, spec] of Object.entries(fallbacks) as [Role, CliSpec][]) {
    if (!findProgram(spec.command, { path: io.env.PATH ?? '', cwd: settings.projectDir })) {
      throw new ConfigError(
        `--${role.toLowerCase()}-fallback-cmd: ${JSON.stringify(spec.command)} was not found (on PATH or in ${settings.projectDir}); ` +
          'give a command that runs in the project directory, or leave --on-limit at wait',
      );
    }
  }
  // Before tmux starts: a state dir poli cannot write would otherwise fail half-way, with the CLIs running.
  await ensureWritableDir(settings.stateDir);
  // The same for the project: the first long message (a file in .poli/) would fail mid-task.
  await ensureWritableProjectDir(settings.projectDir);
  const tty = io.stdout.isTTY === true;
  // no-color.org: set and not empty.
  const noColor = (io.env.NO_COLOR ?? '') !== '';
  const live = createProgressDisplay({
    write: (text) => io.stdout.write(text),
    tty,
    color: !noColor,
    now: () => realClock.now(),
    columns: (io.stdout as { columns?: number }).columns ?? 100,
  });
  const logStream = tty ? lineStream((line) => live.line(line)) : io.stderr;
  const logger = createLogger({
    dir: settings.stateDir,
    level: settings.logLevel,
    console: true,
    // Colour only for a terminal: a file or a pipe gets plain text.
    noColor: noColor || !(tty || (io.stderr as { isTTY?: boolean }).isTTY === true),
    // On a terminal, log lines go above the live progress line instead of through it.
    stream: logStream,
  });
  const warn = (message: string) => logger.warn(message, { event: 'state' });
  const excluded = await excludePoliDirFromGit(settings.projectDir).catch((error: unknown) => {
    warn(`could not keep .poli/ out of git: ${String(error)}`);
    return undefined;
  });
  if (excluded) logger.info(`keeping .poli/ (poli's message files) out of git: added to ${excluded}`, { event: 'start' });
  const store = new StateStore({ dir: settings.stateDir, clock: realClock, pid: io.pid, isPidAlive: isProcessAlive, warn });
  const known = await store.list(); // marks tasks of dead poli processes as interrupted
  // The lock lives with the socket, not the state dir: two polis with different --state-dir must
  // still not drive one tmux server.
  // The runtime dir's path is predictable: one another user made, or could write to, is refused (state/private-dir.ts).
  for (const dir of [path.join(io.runtimeDir, 'locks'), controlDir(io.runtimeDir, settings.socket)]) {
    await ensurePrivateDir(dir, { uid: currentUid(), root: io.runtimeDir });
  }
  const lock = await acquireSocketLock({ dir: io.runtimeDir, socket: settings.socket, pid: io.pid, isPidAlive: isProcessAlive });
  await writeFile(stateDirPointer(io.runtimeDir, settings.socket), settings.stateDir);
  const control = new ControlInbox({ dir: controlDir(io.runtimeDir, settings.socket), warn: (m) => logger.warn(m) });
  // Commands left from before this process held the lock belong to no task: drop them, say so. Those sent from now
  // on (while the CLIs start) are for this poli's first task, and wait in the inbox for it.
  const stale = await control.poll();
  if (stale.length > 0) logger.warn(`ignored ${stale.length} control command(s) left by an earlier poli on this socket`);
  // Session-local settings a CLI is pointed at (Gemini CLI's session home), in the per-user runtime dir: written once
  // this poli holds the socket's lock, before the CLIs start.
  const sessionFiles: string[] = [];
  let session: PoliSession;
  const intake = new Intake({ projectDir: settings.projectDir, tokens, journal: fileJournal(settings.stateDir), debug: (message) => logger.debug(message, { event: 'reply' }) });
  // Kept for starting the session again (interactive mode, after its server or a pane was killed).
  const sessionOptions: SessionOptions = {
    run,
    client,
    // A reply delivered through poli's tool or command wakes the dialogue as pane output does.
    waitForChange: (paneIds, ms) => Promise.race([client.waitForChange(paneIds, ms), intake.nextDelivery()]),
    socket: settings.socket,
    // The session measures only durations (readiness, re-reads, the send pipeline, reply files' settle time).
    clock: durationClock(realClock),
    projectDir: settings.projectDir,
    clis,
    readyTimeoutMs: Math.min(settings.planTimeout, 120) * 1000,
    restarts: settings.restarts,
    pollMs: settings.pollMs,
    log: (message) => logger.info(message, { event: 'prime' }),
    debug: (message) => logger.debug(message, { event: 'send' }),
    wrapChannel: (channel) => intake.wrap(channel),
    // One task to run: the CLIs are primed once it exists (tasks.ts), so a usage limit then shows as its wait.
    ...(options.deferPriming ? { deferPriming: true } : {}),
  };
  try {
    for (const registration of registrations) sessionFiles.push(...(await prepareSessionFiles(registration)));
    await intake.listen(intakeSocket);
    if (interrupted?.aborted) throw new StartInterruptedError(String(interrupted.reason));
    const reusing = await sessionRunning(run, settings.socket);
    logger.info(
      reusing
        ? `reusing the tmux session on socket "${settings.socket}" (in ${settings.projectDir})`
        : `starting the tmux session on socket "${settings.socket}" in ${settings.projectDir}`,
      { event: 'start' },
    );
    await warnIfProjectChanged(run, settings, logger);
    // Priming takes seconds (the CLIs start, read their role files and answer): a spinner and the time meanwhile.
    live.update({ round: 0, waitingFor: null, startedAt: realClock.now(), last: 'starting and priming the PLANNER and EXECUTER', starting: true });
    session = await unlessInterrupted(PoliSession.open(sessionOptions), interrupted);
    live.stop();
  } catch (error) {
    live.stop();
    await intake.close();
    await rm(stateDirPointer(io.runtimeDir, settings.socket), { force: true });
    await lock.release();
    if (settings.killOnExit) {
      // TmuxServer.kill: also the socket file of a server that died while starting.
      await new TmuxServer({ socket: settings.socket, run }).kill().catch(() => undefined);
      await removeSessionFiles(sessionFiles);
    } else if ((await run(['has-session']).catch(() => undefined))?.exitCode === 0) io.stderr.write(`${keepRunningNote(settings.socket)}\n`);
    await client.close();
    await removeEmptyPoliDirs(settings.projectDir);
    await logger.close();
    throw error;
  }
  const events = createEventLog(path.join(settings.stateDir, EVENTS_FILE), {
    onError: (error) => logger.warn(`could not write the event stream: ${String(error)}`),
    fields: { socket: settings.socket },
  });
  const notifier = createNotifier(settings.notify, settings.projectDir, io.env, (m) => logger.warn(m, { event: 'notify' }));
  for (const role of ['PLANNER', 'EXECUTER'] as const) events.emit({ event: 'prime', role, pane: session.paneIds[role] });
  // Until a task starts, the status bar tells how the last one on this socket ended (`poli T3 timeout`).
  await showStatusLine(run, logger, renderStatusLine(pickStatusTask(known, settings.socket), realClock.now()));
  const notify = (event: PoliEvent): void => {
    if (tty) io.stdout.write(BELL);
    notifier.run(event);
  };
  const input = createLineInput(io.stdin, io.stdout);
  return {
    io,
    settings,
    get session() {
      return session;
    },
    async ensureSession() {
      const health = await checkSession(run, SESSION_NAME, session.paneIds);
      if (health.kind === 'ok') return;
      const socketName = `socket "${settings.socket}"`;
      live.line(
        health.kind === 'gone'
          ? `poli: the tmux session on ${socketName} is gone (its server was killed or crashed); starting it again: both CLIs start afresh, without the earlier tasks' context.`
          : `poli: the ${health.role} pane on ${socketName} is gone; starting the ${health.role} CLI again in a new pane (the other CLI keeps its context).`,
      );
      logger.info(`starting the tmux session on socket "${settings.socket}" again (${health.kind === 'gone' ? 'the session was gone' : `the ${health.role} pane was gone`})`, { event: 'start', fileOnly: true });
      await session.close();
      session = await PoliSession.open(sessionOptions);
      for (const role of ['PLANNER', 'EXECUTER'] as const) events.emit({ event: 'prime', role, pane: session.paneIds[role] });
      // A new server: its status bar is off until poli turns it on again.
      if (health.kind === 'gone') await showStatusLine(run, logger, renderStatusLine(pickStatusTask(await store.list(), settings.socket), realClock.now()));
    },
    fallbacks,
    store,
    logger,
    clock: realClock,
    events,
    control,
    input,
    say: (line) => live.line(line),
    progress: (line) => live.line(line),
    error: (line) => live.above(() => io.stderr.write(`${line}\n`)),
    async ask(event, ask) {
      live.suspend();
      notify(event);
      try {
        return await ask();
      } finally {
        live.resume();
      }
    },
    notify: (event) => notify(event),
    live,
    waitCapMs: () => (client.mode === 'control' ? Math.max(settings.pollMs, EVENT_WAIT_CAP_MS) : settings.pollMs),
    async setStatus(line) {
      // `#` starts a tmux format in status-right: double it so task text shows as typed.
      await run(['set-option', '-g', 'status-right', line.replace(/#/g, '##')]).catch(() => undefined);
    },
    closeReplies: () => intake.idle(),
    async writeTranscript(task) {
      await writeTranscript(settings.stateDir, task).catch((error: unknown) =>
        logger.warn(`could not write the transcript of ${task.id}: ${String(error)}`),
      );
    },
    async close() {
      input.close();
      // Commands that arrived after the last task: said, not silently dropped with the inbox.
      for (const command of await control.poll().catch(() => [])) {
        const what = command.kind === 'say' ? `the note for the ${command.to} (${command.text})` : `"poli ${command.kind}"`;
        logger.warn(`${what} was not delivered: no task was running any more`, { event: command.kind });
        if (command.kind === 'say') events.emit({ event: 'say', role: command.to, summary: command.text, delivered: false, reason: 'no task was running any more' });
      }
      await notifier.settle();
      await events.close();
      await rm(stateDirPointer(io.runtimeDir, settings.socket), { force: true });
      await rm(controlDir(io.runtimeDir, settings.socket), { recursive: true, force: true });
      await intake.close();
      await lock.release();
      await session.close();
      await removeEmptyPoliDirs(settings.projectDir);
      // The control client goes first: killing the server under it would read as "control mode stopped".
      await client.close();
      if (settings.killOnExit) {
        await session.kill().catch(() => undefined);
        // Only once the CLIs are gone: a session left running keeps using them (the next poli writes them afresh).
        await removeSessionFiles(sessionFiles);
      }
      await logger.close();
    },
  };
}

/**
 * The commands, environment, profiles and primers of both CLIs. Each profile's launch flags and
 * environment (a real scrollback, no update prompt) are added to the user's command and pane.
 */
async function resolveClis(
  io: AppIO,
  settings: Settings,
  intakeSocket: string,
  registrations: McpRegistration[],
  tokens: Record<Role, string>,
): Promise<Record<Role, CliSpec>> {
  const spec = cliSpecMaker(io, settings, intakeSocket, registrations, tokens);
  return {
    PLANNER: await spec('PLANNER', settings.mock ? mockCommand('mock-planner.ts') : settings.plannerCmd, settings.plannerProfile),
    EXECUTER: await spec('EXECUTER', settings.mock ? mockCommand('mock-executer.ts') : settings.executerCmd, settings.executerProfile),
  };
}

/**
 * --on-limit switch: each role's fallback CLI, with its own profile (by its command's name; the mock profile under
 * --mock, where the fallback is a mock too). None with --on-limit wait.
 */
async function resolveFallbacks(
  io: AppIO,
  settings: Settings,
  intakeSocket: string,
  registrations: McpRegistration[],
  tokens: Record<Role, string>,
): Promise<Partial<Record<Role, CliSpec>>> {
  if (settings.onLimit !== 'switch') return {};
  const spec = cliSpecMaker(io, settings, intakeSocket, registrations, tokens);
  const fallbacks: Partial<Record<Role, CliSpec>> = {};
  if (settings.plannerFallbackCmd) fallbacks.PLANNER = await spec('PLANNER', settings.plannerFallbackCmd, undefined);
  if (settings.executerFallbackCmd) fallbacks.EXECUTER = await spec('EXECUTER', settings.executerFallbackCmd, undefined);
  return fallbacks;
}

function cliSpecMaker(io: AppIO, settings: Settings, intakeSocket: string, registrations: McpRegistration[], tokens: Record<Role, string>) {
  const mockEnv = Object.fromEntries(
    Object.entries(io.env).filter((e): e is [string, string] => e[0].startsWith('MOCK_') && e[1] !== undefined),
  );
  return async (role: Role, command: string, profileName: string | undefined): Promise<CliSpec> => {
    // A profile name is checked under --mock too (the mocks run with the mock profile): a typo is refused either way.
    if (settings.mock && profileName !== undefined) selectProfile(command, profileName);
    const profile = selectProfile(command, settings.mock ? 'mock' : profileName);
    const mcp = mcpRegistration(profile.name, { role, socketPath: intakeSocket, token: tokens[role], env: io.env, readText: readTextIfAny });
    registrations.push(mcp);
    return {
      command: withLaunchArgs(command, [...profile.launch.args, ...mcp.args]),
      // The mock CLIs' settings go to every pane that runs a mock (--mock, or a mock command with --*-profile mock).
      env: { ...profile.launch.env, ...mcp.env, ...(settings.mock || profile.name === 'mock' ? mockEnv : {}) },
      profile,
      primer: await readPrimer(role === 'PLANNER' ? 'planner' : 'executer'),
      fileThreshold: settings.fileThreshold,
      environment: { ...io.env, ...profile.launch.env },
    };
  };
}

/** A file's text, or undefined when it cannot be read (e.g. a CLI's settings file the user never wrote). */
function readTextIfAny(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
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
async function showStatusLine(run: TmuxRunner, logger: Logger, line: string): Promise<void> {
  const args = ['set-option', '-g', 'status', 'on', ';', 'set-option', '-g', 'status-right-length', String(STATUS_RIGHT_LENGTH), ';', 'set-option', '-g', 'status-right', line.replace(/#/g, '##')];
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

/** poli's tmux session runs on the socket already (PoliSession.open reuses it). */
async function sessionRunning(run: TmuxRunner, socket: string): Promise<boolean> {
  const server = new TmuxServer({ socket, run });
  return (await server.isRunning().catch(() => false)) && (await server.findPanes(SESSION_NAME).catch(() => undefined)) !== undefined;
}

/**
 * A running session works in another project: the CLIs are restarted there and lose their context.
 * Say so plainly (with the way to keep both) rather than as a routine restart.
 */
async function warnIfProjectChanged(run: TmuxRunner, settings: Settings, logger: Logger): Promise<void> {
  const server = new TmuxServer({ socket: settings.socket, run });
  const panes = (await server.isRunning().catch(() => false)) ? await server.findPanes(SESSION_NAME).catch(() => undefined) : undefined;
  if (!panes) return;
  const { '@poli_project': was } = await readPaneOptions(run, panes.PLANNER, ['@poli_project']).catch(() => ({}) as Record<string, string>);
  if (!was || was === settings.projectDir) return;
  logger.warn(
    `the session on socket "${settings.socket}" works in ${was}; restarting both CLIs in ${settings.projectDir}, so they lose their ` +
      `context. To keep that session, use another socket (--socket NAME).`,
    { event: 'start' },
  );
}

/** The line poli prints when it leaves the CLIs running. */
export function keepRunningNote(socket: string): string {
  const socketFlag = socket === 'poli' ? '' : ` (socket ${socket})`;
  return `poli: the CLIs keep running in tmux${socketFlag}. Watch or step in: tmux -L ${socket} attach · stop them: tmux -L ${socket} kill-server`;
}

/**
 * Creates the state directory if needed and checks that poli can write there.
 * @throws StateFileError naming the directory, what failed, and what to do.
 */
export async function ensureWritableDir(dir: string): Promise<void> {
  let step = `create the directory ${dir}`;
  try {
    await makeDirectory(dir);
    const probe = path.join(dir, `.poli-write-check-${process.pid}`);
    step = `write a file in ${dir}`;
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new StateFileError(
      `cannot use the state directory ${dir}: could not ${step} (${e.code ?? 'error'}: ${e.message.replace(/^[A-Z]+: /, '')}). ` +
        'poli keeps its task state, events and log there. Choose a writable directory with --state-dir DIR (or POLI_STATE_DIR), ' +
        'or make this one writable.',
      { cause: error },
    );
  }
}

const BELL = '\x07';

/** `--notify CMD`: runs CMD through sh with the event as JSON on stdin; never blocks the dialogue. */
function createNotifier(
  command: string | undefined,
  cwd: string,
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): { run(event: PoliEvent): void; settle(): Promise<void> } {
  const running = new Set<Promise<void>>();
  let warned = false;
  return {
    run(event) {
      if (!command) return;
      const done = new Promise<void>((resolve) => {
        const child = spawn('sh', ['-c', command], { cwd, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        child.stdin?.on('error', () => undefined);
        child.on('error', (error) => {
          if (!warned) warn(`--notify ${JSON.stringify(command)} could not start: ${error.message}`);
          warned = true;
          resolve();
        });
        child.on('close', (code) => {
          if (code !== 0 && !warned) {
            warned = true;
            warn(`--notify ${JSON.stringify(command)} exited with status ${code}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`);
          }
          resolve();
        });
        child.stdin?.end(`${JSON.stringify(event)}\n`);
      });
      running.add(done);
      void done.then(() => running.delete(done));
    },
    /** Waits (a few seconds at most) for the commands still running, so the last event is not cut off at exit. */
    async settle() {
      if (running.size === 0) return;
      await Promise.race([Promise.all(running), new Promise((resolve) => setTimeout(resolve, NOTIFY_SETTLE_MS).unref())]);
    },
  };
}

const NOTIFY_SETTLE_MS = 5_000;

/** See Workspace.waitCapMs; pane deaths wake the wait too (a tmux subscription), so crashes stay well under 2 s. */
const EVENT_WAIT_CAP_MS = 1_000;
