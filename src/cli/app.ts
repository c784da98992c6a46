/**
 * The composition root: parses the command line, resolves settings and wires the real effects
 * (tmux, files, clock, logs, signals) into the dialogue. Only this module and main.ts see the
 * process; everything is passed in through AppIO so end-to-end tests can drive it in-process.
 */
import { parseArgs } from './args.ts';
import { renderTaskDetail, renderTaskTable } from './state-view.ts';
import { readTaskText, STDIN_SOURCE } from '../terminal/task-text.ts';
import { INTERRUPT_SIGNALS, StartInterruptedError, interruptReason } from '../terminal/interrupts.ts';
import { asInvoked, invokedAs } from '../terminal/invocation.ts';
import { checkSettingCombinations, loadSettings, resolveUserCwd, type Settings } from '../config.ts';
import { ConfigError, PoliError, StateFileError } from '../errors.ts';
import { fstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { currentTurn, pickStatusTask, renderStatusLine } from '../terminal/status-line.ts';
import { EVENTS_FILE, followEvents, formatEvent } from '../records/events.ts';
import { PACKAGE_ROOT, type AppIO } from '../host.ts';
import { type ControlCommand, describeQueuedControl, describeSentControl, NothingToStopError, sendControl } from '../human/control.ts';
import { runningStateDir } from '../state/running.ts';
import { planResume } from '../dialogue/resume.ts';
import { attachCommand, attachTerminal } from '../tmux/attach.ts';
import { isProcessAlive } from '../state/lock.ts';
import { StateStore, toPublicJson } from '../state/store.ts';
import { renderTranscript } from '../records/transcript.ts';
// The commands that drive tmux load it (and execa, winston, the dialogue) when they run, so that
// `poli --state`, `poli status --short` and `poli --help` start in a blink.
import type { Workspace } from '../session/workspace.ts';
import { resumeProjectDir } from '../session/resume-project.ts';
import type { TaskRecord } from '../state/types.ts';

const READ_ONLY_KINDS = new Set(['state', 'status', 'watch', 'attach', 'control']);

/** Runs poli and returns the exit code: 0 success, 1 a task did not complete or an error, 2 bad usage. */
export async function runApp(io: AppIO): Promise<number> {
  let socket: string | undefined;
  try {
    const command = await parseArgs(io.argv);
    if (command.kind === 'help') {
      io.stdout.write(`${command.text}\n`);
      return 0;
    }
    if (command.kind === 'version') {
      io.stdout.write(`${await packageVersion()}\n`);
      return 0;
    }
    // The structured channel (src/mcp/): run inside a CLI's pane, they need no settings, only the pane's environment.
    if (command.kind === 'mcp') {
      const { runMcpServer } = await import('../mcp/server.ts');
      return await runMcpServer(io.env, io.stderr);
    }
    if (command.kind === 'reply') {
      const { runReplyCommand } = await import('../mcp/reply-command.ts');
      return await runReplyCommand(io, command);
    }
    let settings = await loadSettings({
      flags: command.flags,
      env: io.env,
      userCwd: resolveUserCwd(io.env, io.cwd),
      packageRoot: PACKAGE_ROOT,
      // Commands that only read state or talk to a running poli need only these settings valid.
      ...(READ_ONLY_KINDS.has(command.kind)
        ? { needed: ['stateDir', 'socket'] as const, onInvalid: (e: PoliError) => io.stderr.write(`poli: ignoring ${e.message} (not needed here)\n`) }
        : {}),
    });
    socket = settings.socket;
    if (command.kind === 'state') return await showState(io, settings, command.id, command.format);
    if (command.kind === 'control') return await sendControlCommand(io, settings, command.command);
    // Without an explicit --state-dir, status and watch follow the poli running on the socket.
    const explicitStateDir = command.flags.stateDir !== undefined || io.env.POLI_STATE_DIR !== undefined;
    const runningDir = await runningStateDir(io, settings.socket);
    const liveSettings = explicitStateDir ? settings : { ...settings, stateDir: runningDir ?? settings.stateDir };
    if (command.kind === 'status') return await showStatus(io, liveSettings, command.short);
    if (command.kind === 'attach') {
      const { createTmuxRunner } = await import('../tmux/runner.ts');
      const has = await createTmuxRunner({ socket: settings.socket })(['has-session']).catch(() => undefined);
      if (has?.exitCode !== 0) {
        io.stderr.write(
          asInvoked(
            `poli: no poli tmux server is running on socket "${settings.socket}". Start one with: poli start ` +
              `(or run a task: poli --task "…")${settings.socket === 'poli' ? '' : `, adding --socket ${settings.socket}`}\n`,
            invokedAs(io.env),
          ),
        );
        return 1;
      }
      if (!io.stdout.isTTY) {
        io.stdout.write(`${attachCommand(settings.socket)}\n`);
        return 0;
      }
      return attachTerminal(settings.socket);
    }
    if (command.kind === 'watch') return await watchEvents(io, liveSettings, command.all, runningDir !== undefined);

    if (settings.mock) {
      const ignored = (['plannerCmd', 'executerCmd'] as const).filter((k) => command.flags[k] !== undefined);
      for (const k of ignored) {
        io.stderr.write(`poli: --mock runs the bundled mock CLIs; --${k === 'plannerCmd' ? 'planner' : 'executer'}-cmd ${JSON.stringify(String(command.flags[k]))} is ignored.\n`);
      }
    }
    if (command.kind === 'run' && settings.approve !== 'off' && stdinIsNullDevice(io)) {
      throw new ConfigError(
        `--approve ${settings.approve} asks you at the terminal, but stdin is not a terminal (it is /dev/null: cron, CI, </dev/null). ` +
          'Run poli at a terminal, pipe the answers in, or use --approve off.',
      );
    }
    if (command.kind === 'run' && command.taskFile === STDIN_SOURCE && settings.approve !== 'off') {
      throw new ConfigError(
        `--approve ${settings.approve} asks you on stdin, but the task is read from stdin (-): give the task in a file (--task-file FILE), or use --approve off.`,
      );
    }
    checkSettingCombinations(settings);
    // Before tmux starts: a task file that cannot be read fails at once.
    const taskText = command.kind === 'run' && command.taskFile !== undefined ? await readTaskText(command.taskFile, io.stdin) : command.kind === 'run' ? command.task : undefined;
    // Refuse what cannot be resumed before starting tmux and both CLIs.
    if (command.kind === 'run' && command.resume !== undefined) {
      // In the task's own project, never the current one by accident (session/resume-project.ts).
      const task = await checkResumable(io, settings, command.resume);
      const where = resumeProjectDir(task, settings.projectDir, { explicit: command.flags.projectDir !== undefined, isDirectory });
      if (where.note) io.stderr.write(`${where.note}\n`);
      settings = { ...settings, projectDir: where.projectDir };
    }

    // From here to the end, every interrupt takes the clean path: during start-up it stops the start (the lock and,
    // under --kill-on-exit, the server go), then it ends the one-shot task. Interactive mode handles its own Ctrl+C
    // (it stops the task, not the prompt), and leaves on the others.
    const interactive = command.kind === 'run' && command.resume === undefined && taskText === undefined;
    const interrupt = new AbortController();
    let opened: Workspace | undefined;
    const offSignals = INTERRUPT_SIGNALS.map((signal) =>
      io.onSignal(signal, () => {
        if (signal === 'SIGINT' && opened && (interactive || opened.input.terminalReleased)) return;
        // (A Ctrl+C typed into the editor of an approval edit reaches poli too, one process group: it is the editor's.)
        interrupt.abort(interruptReason(signal));
      }),
    );
    try {
      const { openWorkspace } = await import('../session/workspace.ts');
      // One task to run: its CLIs are primed once it exists, so a usage limit at start-up shows as its wait.
      const deferPriming = command.kind === 'run' && (taskText !== undefined || command.resume !== undefined);
      const workspace = await openWorkspace(io, settings, { deferPriming, interrupted: interrupt.signal });
      opened = workspace;
      try {
        // Interrupted in the last steps of the start: nothing began yet.
        if (interrupt.signal.aborted) throw new StartInterruptedError(String(interrupt.signal.reason));
        if (command.kind === 'start') {
          workspace.say(startedLine(settings.socket, workspace.session.limitsMet()));
          return 0;
        }
        const { runOneTask } = await import('../session/tasks.ts');
        if (command.resume !== undefined) return await runOneTask(workspace, { resume: command.resume }, interrupt.signal);
        if (taskText !== undefined) return await runOneTask(workspace, { task: taskText }, interrupt.signal);
        const { runInteractive } = await import('./interactive.ts');
        return await runInteractive(workspace);
      } finally {
        await closeWorkspace(workspace, io, settings);
      }
    } finally {
      offSignals.forEach((off) => off());
    }
  } catch (error) {
    return reportError(io, error, socket);
  }
}

/**
 * What `poli start` says once the CLIs run: ready, unless one answered its primer with its usage limit (or a logout);
 * that one is primed again when the first task starts, which waits while it is at its limit.
 */
function startedLine(socket: string, limits: readonly { role: string; screen: { kind: string; line: string } }[]): string {
  if (limits.length === 0) return `poli: the PLANNER and EXECUTER are ready in tmux (socket "${socket}").`;
  const limited = limits.map(({ role, screen }) => `the ${role} is ${screen.kind === 'usage' ? 'at its usage limit' : 'logged out'} (${screen.line})`);
  return (
    `poli: the PLANNER and EXECUTER run in tmux (socket "${socket}"), but ${limited.join(' and ')}: ` +
    'it is primed again when the first task starts, which waits while it is at its limit.'
  );
}

async function closeWorkspace(workspace: Workspace, io: AppIO, settings: Settings): Promise<void> {
  await workspace.close();
  if (settings.killOnExit) return;
  const { keepRunningNote } = await import('../session/workspace.ts');
  io.stderr.write(`${keepRunningNote(settings.socket)}\n`);
}

/** stdin is /dev/null (or another device that is not a terminal): no answer can ever come. */
function stdinIsNullDevice(io: AppIO): boolean {
  const fd = (io.stdin as { fd?: unknown }).fd;
  if (io.stdin.isTTY === true || fd !== 0) return false;
  try {
    return fstatSync(0).isCharacterDevice();
  } catch {
    return false;
  }
}

/** `--resume ID`: the task exists (exact id) and can be resumed, checked without starting anything. */
async function checkResumable(io: AppIO, settings: Settings, id: string): Promise<TaskRecord> {
  const tasks = await openStore(io, settings).list();
  const task = tasks.find((t) => t.id === id);
  if (!task) {
    const near = tasks.find((t) => t.id.toLowerCase() === id.trim().toLowerCase());
    const known = tasks.map((t) => t.id).join(', ') || 'none yet';
    throw new StateFileError(
      `no task with id "${id}" in ${settings.stateDir}${near ? ` (did you mean ${near.id}?)` : ` (tasks: ${known})`}. List them with: poli --state`,
    );
  }
  const plan = planResume(task, settings.maxRounds);
  if (typeof plan === 'string') throw new StateFileError(`cannot resume: ${plan}`);
  return task;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `poli say|pause|resume|stop`: hands the command to the poli on the socket. While that poli runs no task, a note or
 * a pause waits for its next task and says so; a stop is refused (there is nothing to stop).
 */
async function sendControlCommand(io: AppIO, settings: Settings, command: ControlCommand): Promise<number> {
  const dir = await runningStateDir(io, settings.socket);
  const tasks = dir === undefined ? [] : await openStore(io, { ...settings, stateDir: dir }).list();
  const busy = tasks.some((t) => t.socket === settings.socket && (t.status === 'running' || t.status === 'waiting'));
  // No poli at all: sendControl says so.
  if (dir !== undefined && !busy && command.kind === 'stop') throw new NothingToStopError(settings.socket);
  await sendControl(io.runtimeDir, settings.socket, command, { isPidAlive: isProcessAlive, clock: { now: io.now } });
  const line = dir !== undefined && !busy && command.kind !== 'stop' ? describeQueuedControl(command, settings.socket) : describeSentControl(command, settings.socket);
  io.stdout.write(`${line}\n`);
  return 0;
}

/** `poli status [--short]`: the running (or latest) task on this socket, in one line. */
async function showStatus(io: AppIO, settings: Settings, short: boolean): Promise<number> {
  const tasks = await openStore(io, settings).list();
  const task = pickStatusTask(tasks, settings.socket);
  const turn = task ? currentTurn(task) : undefined;
  const line = renderStatusLine(task, io.now(), turn?.waitingFor ?? null);
  // The line already names an ended task's status (`poli T3 timeout`): say it once.
  const status =
    task?.status === 'running' && task.held
      ? task.held.kind === 'paused'
        ? ' · paused by the human (poli resume to continue)'
        : " · waiting for your answer at poli's terminal"
      : task?.status === 'running'
      ? ` · ${task.status}`
      : task?.status === 'waiting' && task.waiting
        ? ` · waiting: ${task.waiting.reason}${task.waiting.until ? ` (until ${task.waiting.until})` : ''}`
        : '';
  io.stdout.write(short || !task ? `${line}\n` : `${line}${status} · ${task.task.replace(/\s+/g, ' ').slice(0, 80)}\n`);
  return 0;
}

/** `poli watch [--all]`: follows the event stream until Ctrl+C. */
async function watchEvents(io: AppIO, settings: Settings, all: boolean, running: boolean): Promise<number> {
  const file = path.join(settings.stateDir, EVENTS_FILE);
  if (!running) {
    io.stderr.write(
      `poli: no poli is running on socket "${settings.socket}" now; waiting for events in ${file} (Ctrl+C to stop).\n`,
    );
  }
  const controller = new AbortController();
  const off = [io.onSignal('SIGINT', () => controller.abort()), io.onSignal('SIGTERM', () => controller.abort())];
  try {
    await followEvents(file, {
      fromStart: all,
      signal: controller.signal,
      // Polis on other sockets may share the state directory: only this socket's events (older ones carry none).
      onEvent: (e) => {
        if (e.socket === undefined || e.socket === settings.socket) io.stdout.write(`${formatEvent(e)}\n`);
      },
    });
  } finally {
    off.forEach((f) => f());
  }
  return 0;
}

function openStore(io: AppIO, settings: Settings): StateStore {
  return new StateStore({
    dir: settings.stateDir,
    clock: { now: io.now },
    pid: io.pid,
    isPidAlive: isProcessAlive,
    warn: (message) => io.stderr.write(`poli: ${message}\n`),
    // Every caller here only looks (--state, status, the --resume check): never write a task file.
    readOnly: true,
  });
}

async function showState(io: AppIO, settings: Settings, id: string | undefined, format: 'text' | 'json' | 'md'): Promise<number> {
  const tasks = await openStore(io, settings).list();
  if (id === undefined) {
    io.stdout.write(format === 'json' ? `${toPublicJson(tasks)}\n` : renderTaskTable(tasks, io.now(), invokedAs(io.env)));
    return 0;
  }
  const task = tasks.find((t) => t.id === id);
  if (!task) {
    const known = tasks.map((t) => t.id).join(', ') || 'none yet';
    throw new StateFileError(`no task with id "${id}" in ${settings.stateDir} (tasks: ${known}). List them with: poli --state`);
  }
  if (format === 'json') io.stdout.write(`${toPublicJson([task])}\n`);
  else if (format === 'md') io.stdout.write(renderTranscript(task));
  else io.stdout.write(renderTaskDetail(task, io.now()));
  return 0;
}

/** poli's version, from its package.json. */
async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function reportError(io: AppIO, error: unknown, socket?: string): number {
  if (error instanceof PoliError) {
    const message = socket ? error.message.replaceAll('tmux -L <socket>', `tmux -L ${socket}`) : error.message;
    io.stderr.write(`poli: ${asInvoked(message, invokedAs(io.env))}\n`);
    return error.code === 'CONFIG_INVALID' ? 2 : 1;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`poli: unexpected error (this is a bug in poli; please report it with the lines below):\n${stack}\n`);
  return 1;
}
