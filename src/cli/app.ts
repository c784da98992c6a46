/**
 * The composition root: parses the command line, resolves settings and wires the real effects
 * (tmux, files, clock, logs, signals) into the dialogue. Only this module and main.ts see the
 * process; everything is passed in through AppIO so end-to-end tests can drive it in-process.
 */
import path from 'node:path';
import { parseArgs, type Command } from './args.ts';
import { attachSession, sendControlCommand, showState, showStatus, watchEvents } from './read-commands.ts';
// run-session.ts loads tmux (and execa, winston, the dialogue) only when a command opens the workspace, so that
// `poli --state`, `poli status --short` and `poli --help` start in a blink.
import { runSession } from './run-session.ts';
import { loadSettings, resolveUserCwd, type Settings } from '../config.ts';
import { PoliError } from '../errors.ts';
import { PACKAGE_ROOT, type AppIO } from '../host.ts';
import { claimKey } from '../state/claim-key.ts';
import { runningStateDir } from '../state/running.ts';
import { asInvoked, invokedAs } from '../terminal/invocation.ts';

const READ_ONLY_KINDS = new Set(['state', 'status', 'watch', 'attach', 'control', 'queue-budget']);

/** The commands that need no settings: they print, or serve a CLI from inside its pane. */
type SettingsFreeCommand = Extract<Command, { kind: 'help' | 'version' | 'mcp' | 'reply' }>;

/** Runs poli and returns the exit code: 0 success, 1 a task did not complete or an error, 2 bad usage. */
export async function runApp(io: AppIO): Promise<number> {
  let socket: string | undefined;
  try {
    const command = await parseArgs(io.argv);
    if (command.kind === 'help' || command.kind === 'version' || command.kind === 'mcp' || command.kind === 'reply') {
      return await runWithoutSettings(io, command);
    }
    const settings = await loadSettings({
      flags: command.flags,
      env: io.env,
      userCwd: resolveUserCwd(io.env, io.cwd),
      packageRoot: PACKAGE_ROOT,
      // Commands that only read state or talk to a running poli need only these settings valid.
      ...(READ_ONLY_KINDS.has(command.kind)
        ? { needed: ['stateDir', 'socket', 'session'] as const, onInvalid: (e: PoliError) => io.stderr.write(`poli: ignoring ${e.message} (not needed here)\n`) }
        : {}),
    });
    socket = settings.socket;
    return await runWithSettings(io, command, settings);
  } catch (error) {
    return reportError(io, error, socket);
  }
}

async function runWithoutSettings(io: AppIO, command: SettingsFreeCommand): Promise<number> {
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
  const { runReplyCommand } = await import('../mcp/reply-command.ts');
  return await runReplyCommand(io, command);
}

async function runWithSettings(io: AppIO, command: Exclude<Command, SettingsFreeCommand>, settings: Settings): Promise<number> {
  if (command.kind === 'state') return await showState(io, settings, command.id, command.format);
  if (command.kind === 'control') return await sendControlCommand(io, settings, command.command);
  if (command.kind === 'queue-budget') {
    const { raiseQueueBudget } = await import('../queue/queue-budget.ts');
    const { isProcessAlive } = await import('../state/lock.ts');
    io.stdout.write(`${await raiseQueueBudget(settings.stateDir, command.limit, isProcessAlive)}\n`);
    return 0;
  }
  if (command.kind === 'serve') {
    const { runServe } = await import('./serve-command.ts');
    return await runServe(io, settings, command.address);
  }
  if (command.kind === 'queue') {
    const { runQueueCommand } = await import('./queue-commands.ts');
    return await runQueueCommand(io, command.action, command.flags, settings);
  }
  // Without an explicit --state-dir, status and watch follow the poli running on the socket.
  const explicitStateDir = command.flags.stateDir !== undefined || io.env.POLI_STATE_DIR !== undefined;
  const runningDir = await runningStateDir(io, claimKey(settings.socket, settings.session));
  const liveSettings = explicitStateDir ? settings : { ...settings, stateDir: runningDir ?? settings.stateDir };
  if (command.kind === 'status') return await showStatus(io, liveSettings, command.short);
  if (command.kind === 'attach') return await attachSession(io, settings);
  if (command.kind === 'watch') return await watchEvents(io, liveSettings, command.all, runningDir !== undefined);
  return await runSession(io, command, settings);
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
