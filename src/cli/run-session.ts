/**
 * `poli start`, `poli --task …`, `poli --resume ID` and the `poli>` prompt: the commands that open the workspace (tmux
 * and both CLIs). What can be refused is refused before anything starts; from then on every interrupt takes the clean
 * path out.
 */
import { fstatSync, statSync } from 'node:fs';
import type { Command } from './args.ts';
import { openStore } from './read-commands.ts';
import { checkSettingCombinations, type Settings } from '../config.ts';
import { planResume } from '../dialogue/resume.ts';
import { ConfigError, StateFileError } from '../errors.ts';
import type { AppIO } from '../host.ts';
// The session, the dialogue, execa and winston load when a workspace opens, so that the read-only commands start in a
// blink: only types come from session/workspace.ts here.
import { resumeProjectDir } from '../session/resume-project.ts';
import { approvalChannels } from '../session/task-approval.ts';
import type { Workspace } from '../session/workspace.ts';
import { describeClaim } from '../state/claim-key.ts';
import type { TaskRecord } from '../state/types.ts';
import { INTERRUPT_SIGNALS, StartInterruptedError, interruptReason } from '../terminal/interrupts.ts';
import { readTaskText, STDIN_SOURCE } from '../terminal/task-text.ts';

/** The commands that open the workspace. */
export type SessionCommand = Extract<Command, { kind: 'run' | 'start' }>;

/** Runs `poli start` or a `run` form; returns the exit code. Throws PoliError for what cannot start. */
export async function runSession(io: AppIO, command: SessionCommand, settings: Settings): Promise<number> {
  warnIgnoredCommands(io, command, settings);
  checkApprovalInput(io, command, settings);
  checkSettingCombinations(settings);
  // Before tmux starts: a task file that cannot be read fails at once.
  const taskText = command.kind === 'run' && command.taskFile !== undefined ? await readTaskText(command.taskFile, io.stdin) : command.kind === 'run' ? command.task : undefined;
  // Refuse what cannot be resumed before starting tmux and both CLIs.
  const resumeSettings = command.kind === 'run' && command.resume !== undefined ? await settingsToResume(io, command, settings, command.resume) : settings;
  return openAndRun(io, command, resumeSettings, taskText);
}

/** --mock runs the bundled mock CLIs: a --planner-cmd or --executer-cmd given beside it is ignored, and said so. */
function warnIgnoredCommands(io: AppIO, command: SessionCommand, settings: Settings): void {
  if (!settings.mock) return;
  const ignored = (['plannerCmd', 'executerCmd'] as const).filter((k) => command.flags[k] !== undefined);
  for (const k of ignored) {
    io.stderr.write(`poli: --mock runs the bundled mock CLIs; --${k === 'plannerCmd' ? 'planner' : 'executer'}-cmd ${JSON.stringify(String(command.flags[k]))} is ignored.\n`);
  }
}

/**
 * --approve asks at the terminal: refused when no answer can come (stdin is /dev/null, or it carries the task). A queue
 * pair (POLI_WORKER_TASK) has no terminal and waits for the dashboard's answer instead (session/task-approval.ts).
 */
function checkApprovalInput(io: AppIO, command: SessionCommand, settings: Settings): void {
  if (command.kind === 'run' && settings.approve !== 'off' && approvalChannels(io.env).terminal && stdinIsNullDevice(io)) {
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
}

/** `--resume ID`: the settings with the task's own project, never the current one by accident (session/resume-project.ts). */
async function settingsToResume(io: AppIO, command: SessionCommand, settings: Settings, id: string): Promise<Settings> {
  const task = await checkResumable(io, settings, id);
  const where = resumeProjectDir(task, settings.projectDir, { explicit: command.flags.projectDir !== undefined, isDirectory });
  if (where.note) io.stderr.write(`${where.note}\n`);
  return { ...settings, projectDir: where.projectDir };
}

/**
 * Opens the workspace and runs the command in it. From here to the end, every interrupt takes the clean path: during
 * start-up it stops the start (the lock and, under --kill-on-exit, the server go), then it ends the one-shot task.
 * Interactive mode handles its own Ctrl+C (it stops the task, not the prompt), and leaves on the others.
 */
async function openAndRun(io: AppIO, command: SessionCommand, settings: Settings, taskText: string | undefined): Promise<number> {
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
      return await runInWorkspace(workspace, command, settings, taskText, interrupt.signal);
    } finally {
      await closeWorkspace(workspace, io, settings);
    }
  } finally {
    offSignals.forEach((off) => off());
  }
}

/** `poli start` says the CLIs are ready; a task runs once; else the prompt takes task after task. */
async function runInWorkspace(workspace: Workspace, command: SessionCommand, settings: Settings, taskText: string | undefined, interrupted: AbortSignal): Promise<number> {
  if (command.kind === 'start') {
    workspace.say(startedLine(describeClaim(settings.socket, settings.session), workspace.session.limitsMet()));
    return 0;
  }
  const { runOneTask } = await import('../session/tasks.ts');
  const budget = command.budget === undefined ? {} : { budget: command.budget };
  if (command.resume !== undefined) return await runOneTask(workspace, { resume: command.resume, ...budget }, interrupted);
  if (taskText !== undefined) return await runOneTask(workspace, { task: taskText, ...budget }, interrupted);
  const { runInteractive } = await import('./interactive.ts');
  // `poli --budget 5`: each task typed at the prompt gets it.
  return await runInteractive(workspace, command.budget);
}

/**
 * What `poli start` says once the CLIs run: ready, unless one answered its primer with its usage limit (or a logout);
 * that one is primed again when the first task starts, which waits while it is at its limit.
 */
function startedLine(where: string, limits: readonly { role: string; screen: { kind: string; line: string } }[]): string {
  if (limits.length === 0) return `poli: the PLANNER and EXECUTER are ready in tmux (${where}).`;
  const limited = limits.map(({ role, screen }) => `the ${role} is ${screen.kind === 'usage' ? 'at its usage limit' : 'logged out'} (${screen.line})`);
  return (
    `poli: the PLANNER and EXECUTER run in tmux (${where}), but ${limited.join(' and ')}: ` +
    'it is primed again when the first task starts, which waits while it is at its limit.'
  );
}

async function closeWorkspace(workspace: Workspace, io: AppIO, settings: Settings): Promise<void> {
  await workspace.close();
  if (settings.killOnExit) return;
  const { keepRunningNote } = await import('../session/workspace.ts');
  io.stderr.write(`${keepRunningNote(settings.socket, settings.session)}\n`);
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
  // A queued task starts through `poli work`, in its own worktree and session; only the pair it starts takes it.
  if (task.status === 'queued' && io.env.POLI_WORKER_TASK !== id) {
    throw new StateFileError(`task ${id} is queued: \`poli work\` runs it in its own worktree (see poli queue).`);
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
