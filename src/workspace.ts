/**
 * A poli workspace: the checked settings, the lock on the tmux socket, the tmux session with
 * both CLIs primed, the state store and the logger — and running tasks in it, one-shot or
 * interactively. Built by the composition root (app.ts) from real effects.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { AppIO } from './app.ts';
import { formatMessage, formatProgress } from './cli/progress.ts';
import { renderTaskTable } from './cli/state-view.ts';
import { findProgram } from './command-check.ts';
import type { Settings } from './config.ts';
import { describeExit, runTask, type TaskRecorder } from './dialogue/run-task.ts';
import { CommandNotFoundError, PoliError, StateFileError } from './errors.ts';
import { PACKAGE_ROOT, readPrimer, realClock } from './host.ts';
import { createLogger, type Logger } from './logger.ts';
import { selectProfile } from './profiles/select.ts';
import type { Role } from './protocol/types.ts';
import { PoliSession, type CliSpec } from './session.ts';
import { acquireSocketLock, isProcessAlive } from './state/lock.ts';
import { StateStore } from './state/store.ts';
import type { TaskRecord } from './state/types.ts';
import { createPollingClient } from './tmux/client.ts';
import { assertTmuxAvailable } from './tmux/runner.ts';
import type { Clock } from './tmux/types.ts';
import { writeTranscript } from './transcript.ts';

export interface Workspace {
  io: AppIO;
  settings: Settings;
  session: PoliSession;
  store: StateStore;
  logger: Logger;
  clock: Clock;
  /** A line for the person at the terminal (stdout). */
  say(line: string): void;
  close(): Promise<void>;
}

/** Checks everything that can be checked before starting, then starts (or reuses) the session. */
export async function openWorkspace(io: AppIO, settings: Settings): Promise<Workspace> {
  const client = createPollingClient({
    socket: settings.socket,
    configFile: path.join(PACKAGE_ROOT, 'config', 'tmux.conf'),
    clock: realClock,
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
  const logger = createLogger({
    dir: settings.stateDir,
    level: settings.logLevel,
    console: true,
    noColor: io.env.NO_COLOR !== undefined,
  });
  const warn = (message: string) => logger.warn(message, { event: 'state' });
  const store = new StateStore({ dir: settings.stateDir, clock: realClock, pid: io.pid, isPidAlive: isProcessAlive, warn });
  await store.list(); // marks tasks of dead poli processes as interrupted
  const lock = await acquireSocketLock({ dir: settings.stateDir, socket: settings.socket, pid: io.pid, isPidAlive: isProcessAlive });
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
      pollMs: settings.pollMs,
      log: (message) => logger.info(message, { event: 'prime' }),
      debug: (message) => logger.debug(message, { event: 'send' }),
    });
  } catch (error) {
    await lock.release();
    if (settings.killOnExit) await run(['kill-server']).catch(() => undefined);
    await client.close();
    await logger.close();
    throw error;
  }
  return {
    io,
    settings,
    session,
    store,
    logger,
    clock: realClock,
    say: (line) => io.stdout.write(`${line}\n`),
    async close() {
      await lock.release();
      if (settings.killOnExit) await session.kill().catch(() => undefined);
      await client.close();
      await logger.close();
    },
  };
}

/** The commands, environment, profiles and primers of both CLIs. */
async function resolveClis(io: AppIO, settings: Settings): Promise<Record<Role, CliSpec>> {
  const mockEnv = Object.fromEntries(
    Object.entries(io.env).filter((e): e is [string, string] => e[0].startsWith('MOCK_') && e[1] !== undefined),
  );
  const planner = settings.mock ? mockCommand('mock-planner.ts') : settings.plannerCmd;
  const executer = settings.mock ? mockCommand('mock-executer.ts') : settings.executerCmd;
  return {
    PLANNER: {
      command: planner,
      env: settings.mock ? mockEnv : {},
      profile: selectProfile(planner, settings.mock ? 'mock' : settings.plannerProfile),
      primer: await readPrimer('planner'),
    },
    EXECUTER: {
      command: executer,
      env: settings.mock ? mockEnv : {},
      profile: selectProfile(executer, settings.mock ? 'mock' : settings.executerProfile),
      primer: await readPrimer('executer'),
    },
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

/** Runs one task (new, or resumed) and returns the exit code: 0 when it completed. */
export async function runOneTask(ws: Workspace, what: { task: string } | { resume: string }): Promise<number> {
  if ('resume' in what) {
    throw new StateFileError(`--resume is not available yet (asked to resume ${what.resume})`);
  }
  const controller = new AbortController();
  const offInt = ws.io.onSignal('SIGINT', () => controller.abort('interrupted by Ctrl+C (SIGINT)'));
  const offTerm = ws.io.onSignal('SIGTERM', () => controller.abort('terminated (SIGTERM)'));
  try {
    const record = await executeTask(ws, what.task, controller.signal);
    return record.status === 'completed' ? 0 : 1;
  } finally {
    offInt();
    offTerm();
  }
}

/** Creates the task in the state store and runs the dialogue; the record is final when it returns. */
async function executeTask(ws: Workspace, task: string, signal: AbortSignal): Promise<TaskRecord> {
  const { store, logger, settings, session, clock } = ws;
  const created = await store.createTask(task, { socket: settings.socket, projectDir: settings.projectDir });
  const taskId = created.id;
  const taskNumber = Number(taskId.slice(1));
  const started = clock.now();
  let round = 0;
  ws.say(`poli: task ${taskId} started: ${task}`);
  logger.info(`task ${taskId} started`, { event: 'start', task: taskId, fileOnly: true });

  const restarts: Record<Role, number> = { PLANNER: 0, EXECUTER: 0 };
  const recorder: TaskRecorder = {
    async record(message) {
      await store.appendMessage(taskId, { ...message, at: new Date(clock.now()).toISOString() });
      ws.say(formatMessage(clock.now() - started, round, message));
      logger.info(`${message.from} → ${message.to} ${message.type}`, {
        event: message.from === 'ORCHESTRATOR' ? 'send' : message.type === 'status' ? 'status' : 'reply',
        task: taskId,
        round,
        id: message.id,
        fileOnly: true,
      });
    },
    async setRounds(rounds) {
      round = rounds;
      await store.update(taskId, { rounds });
    },
    async finish(status, reason) {
      const patch = { status, endedAt: new Date(clock.now()).toISOString(), ...(status === 'completed' ? {} : { error: reason }) };
      const record = await store.update(taskId, patch);
      await writeTranscript(settings.stateDir, record).catch((error: unknown) =>
        logger.warn(`could not write the transcript of ${taskId}: ${String(error)}`),
      );
      logger.info(`task ${taskId} ${status}: ${reason}`, {
        event: status === 'completed' ? 'complete' : 'error',
        task: taskId,
        round,
        fileOnly: true,
      });
    },
  };

  try {
    const outcome = await runTask({
      channels: session.channels,
      recorder,
      clock,
      limits: { maxRounds: settings.maxRounds, planTimeoutSec: settings.planTimeout, execTimeoutSec: settings.execTimeout },
      taskNumber,
      task,
      newId: (r) => `T${taskNumber}-R${r}-${randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6)}`,
      pollMs: settings.pollMs,
      signal,
      onProgress: (p) => ws.say(formatProgress(clock.now() - started, p.round, p.waitingFor, p.text)),
      onIgnored: (role, reason) => logger.warn(`${role}: ${reason}`, { event: 'ignored', task: taskId, round }),
      onPaneDied: async (role, info) => {
        if (restarts[role] >= settings.restarts) return false;
        restarts[role] += 1;
        logger.warn(`the ${role} CLI ${describeExit(info)}; restarting it (${restarts[role]} of ${settings.restarts})`, {
          event: 'restart',
          task: taskId,
          round,
          role,
        });
        await session.restart(role);
        return true;
      },
    });
    if (outcome.status === 'completed') ws.say(`poli: task ${taskId} completed in ${outcome.rounds} round(s).`);
    else ws.io.stderr.write(`poli: task ${taskId} ended ${outcome.status}: ${outcome.reason}\n`);
  } catch (error) {
    const message = error instanceof PoliError ? error.message : String(error);
    ws.io.stderr.write(`poli: task ${taskId} failed: ${message}\n`);
    if (!(error instanceof PoliError)) throw error;
  }
  const final = await store.get(taskId);
  if (!final) throw new StateFileError(`the state of task ${taskId} disappeared from ${settings.stateDir}`);
  return final;
}

const HELP = `Type a task and press Enter; the PLANNER plans it and the EXECUTER carries it out.
Commands: :state (list tasks)  :help (this text)  :quit or Ctrl+D (leave; the CLIs keep running)
While a task runs, Ctrl+C stops it (status interrupted).`;

/** The `poli> ` prompt: task after task in the same session until :quit or end of input. */
export async function runInteractive(ws: Workspace): Promise<number> {
  const rl = createInterface({ input: ws.io.stdin, output: ws.io.stdout, prompt: 'poli> ', terminal: ws.io.stdin.isTTY === true });
  ws.say(`poli: interactive mode. ${HELP.split('\n')[1]}`);
  let lastCode = 0;
  let current: AbortController | null = null;
  // In a terminal, readline turns Ctrl+C into its own event instead of a process signal.
  rl.on('SIGINT', () => {
    if (current) current.abort('interrupted by Ctrl+C (SIGINT)');
    else ws.say('\n(type :quit or press Ctrl+D to leave)');
  });
  const offInt = ws.io.onSignal('SIGINT', () => current?.abort('interrupted by Ctrl+C (SIGINT)'));
  const offTerm = ws.io.onSignal('SIGTERM', () => {
    current?.abort('terminated (SIGTERM)');
    rl.close();
  });
  try {
    rl.prompt();
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === ':quit' || line === ':q' || line === ':exit') break;
      if (line === ':help') ws.say(HELP);
      else if (line === ':state') ws.io.stdout.write(renderTaskTable(await ws.store.list(), ws.clock.now()));
      else if (line.startsWith(':')) ws.say(`unknown command ${line}; ${HELP.split('\n')[1]}`);
      else if (line !== '') {
        current = new AbortController();
        try {
          const record = await executeTask(ws, line, current.signal);
          lastCode = record.status === 'completed' ? 0 : 1;
        } finally {
          current = null;
        }
      }
      rl.prompt();
    }
  } finally {
    offInt();
    offTerm();
    rl.close();
  }
  ws.say('');
  return lastCode;
}
