/**
 * Looks at the tmux server on poli's socket before and after the session starts: is poli's session there, does it work
 * in another project, the status bar poli shows its tasks in; and the state directory poli must be able to write.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StateFileError } from '../errors.ts';
import type { Logger } from '../records/logger.ts';
import type { Settings } from '../settings.ts';
import { makeDirectory } from '../state/make-dir.ts';
import { STATUS_RIGHT_LENGTH } from '../terminal/status-line.ts';
import { readPaneOptions } from '../tmux/pane-options.ts';
import { TmuxServer } from '../tmux/server.ts';
import type { TmuxRunner } from '../tmux/types.ts';
import { DEFAULT_SESSION } from '../state/claim-key.ts';

/**
 * Where poli's status line goes: the whole server (`-g`) for the default session, as ever; that session alone for a
 * named one, whose server other polis' sessions share (`=` and `:`: exactly that session, whatever its name looks like).
 */
export function statusScope(session: string): string[] {
  return session === DEFAULT_SESSION ? ['-g'] : ['-t', `=${session}:`];
}

/** The tmux command that sets poli's status line (`#` doubled: it starts a tmux format, and task text shows as typed). */
export function statusRightArgs(session: string, line: string): string[] {
  return ['set-option', ...statusScope(session), 'status-right', line.replace(/#/g, '##')];
}

/**
 * Turns on the status bar of poli's own tmux session (of the server, for the default session), where poli shows
 * `poli T3 r2 EXECUTER 01:12` (set by poli itself as the task moves: no process is spawned per refresh). Best effort.
 */
export async function showStatusLine(run: TmuxRunner, logger: Logger, line: string, session: string = DEFAULT_SESSION): Promise<void> {
  const scope = statusScope(session);
  const args = ['set-option', ...scope, 'status', 'on', ';', 'set-option', ...scope, 'status-right-length', String(STATUS_RIGHT_LENGTH), ';', ...statusRightArgs(session, line)];
  const result = await run(args);
  if (result.exitCode !== 0) logger.debug(`could not set the tmux status line: ${result.stderr.trim()}`);
}

/** poli's tmux session `session` runs on the socket already (PoliSession.open reuses it). */
export async function sessionRunning(run: TmuxRunner, socket: string, session: string = DEFAULT_SESSION): Promise<boolean> {
  const server = new TmuxServer({ socket, run });
  return (await server.isRunning().catch(() => false)) && (await server.findPanes(session).catch(() => undefined)) !== undefined;
}

/**
 * A running session works in another project: the CLIs are restarted there and lose their context.
 * Say so plainly (with the way to keep both) rather than as a routine restart.
 */
export async function warnIfProjectChanged(run: TmuxRunner, settings: Settings, logger: Logger): Promise<void> {
  const server = new TmuxServer({ socket: settings.socket, run });
  const panes = (await server.isRunning().catch(() => false)) ? await server.findPanes(settings.session).catch(() => undefined) : undefined;
  if (!panes) return;
  const { '@poli_project': was } = await readPaneOptions(run, panes.PLANNER, ['@poli_project']).catch(() => ({}) as Record<string, string>);
  if (!was || was === settings.projectDir) return;
  logger.warn(
    `the ${settings.session === DEFAULT_SESSION ? 'session' : `session "${settings.session}"`} on socket "${settings.socket}" works in ${was}; ` +
      `restarting both CLIs in ${settings.projectDir}, so they lose their context. To keep that session, use another ` +
      `${settings.session === DEFAULT_SESSION ? 'socket (--socket NAME)' : 'session (--session NAME)'}.`,
    { event: 'start' },
  );
}

/** The line poli prints when it leaves the CLIs running. */
export function keepRunningNote(socket: string, session: string = DEFAULT_SESSION): string {
  if (session !== DEFAULT_SESSION) {
    return (
      `poli: the CLIs keep running in tmux (session ${session}, socket ${socket}). Watch or step in: tmux -L ${socket} attach -t ${session} · ` +
      `stop them: tmux -L ${socket} kill-session -t ${session}`
    );
  }
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
