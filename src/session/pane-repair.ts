/**
 * A session that lost one of its panes (`tmux kill-pane`, a pane closed by hand): poli's window still holds the other
 * CLI, with its context. Rather than fail (`new-session` says "duplicate session") or kill the server (and lose that
 * context), the missing pane is created again beside the living one, tagged with its role; only its CLI starts anew.
 */
import { TmuxCommandError, TmuxServerGoneError } from '../errors.ts';
import type { Role } from '../protocol/types.ts';
import { ROLE_OPTION, type PaneIds, type PaneSpec } from '../tmux/server.ts';
import type { TmuxRunner } from '../tmux/types.ts';

/** What {@link findRolePanes} saw: the tagged panes of the session, by role (either may be missing). */
export type FoundPanes = Partial<PaneIds>;

/** The session's panes tagged with a role; undefined when the session (or the server) does not exist. */
export async function findRolePanes(run: TmuxRunner, session: string): Promise<FoundPanes | undefined> {
  // A server killed just now may still answer through the control client, which then throws when it sees %exit:
  // that is a session that is gone too, not a failure to start it again.
  const result = await run(['list-panes', '-s', '-t', `=${session}`, '-F', `#{pane_id} #{${ROLE_OPTION}}`]).catch((error: unknown) => {
    if (error instanceof TmuxServerGoneError) return undefined;
    throw error;
  });
  if (result === undefined || result.exitCode !== 0) return undefined;
  const found: FoundPanes = {};
  for (const line of result.stdout.split('\n')) {
    const [paneId, role] = line.trim().split(' ');
    if (paneId !== undefined && (role === 'PLANNER' || role === 'EXECUTER')) found[role] = paneId;
  }
  return found;
}

/** The role whose pane is missing when exactly one of the two is (the case this module repairs). */
export function missingRole(found: FoundPanes): Role | undefined {
  if (found.PLANNER !== undefined && found.EXECUTER === undefined) return 'EXECUTER';
  if (found.EXECUTER !== undefined && found.PLANNER === undefined) return 'PLANNER';
  return undefined;
}

/**
 * Splits the living pane's window to start `role`'s CLI again (PLANNER on the left, EXECUTER on the right, as
 * `TmuxServer.start` lays them out) and tags the new pane. Returns both pane ids.
 */
export async function restorePane(
  run: TmuxRunner,
  living: { role: Role; paneId: string },
  role: Role,
  spec: PaneSpec & { cwd: string },
): Promise<PaneIds> {
  const env = Object.entries(spec.env ?? {}).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  const before = role === 'PLANNER' ? ['-b'] : [];
  const splitArgs = ['split-window', '-h', ...before, '-d', '-t', living.paneId, '-c', spec.cwd, ...env, '-P', '-F', '#{pane_id}', '--', spec.command];
  const split = await run(splitArgs);
  const paneId = split.stdout.trim();
  if (split.exitCode !== 0 || !/^%\d+$/.test(paneId)) throw new TmuxCommandError(splitArgs, split.exitCode, split.stderr);
  const tagArgs = ['set-option', '-p', '-t', paneId, ROLE_OPTION, role, ';', 'select-pane', '-t', paneId, '-T', role];
  const tagged = await run(tagArgs);
  if (tagged.exitCode !== 0) throw new TmuxCommandError(tagArgs, tagged.exitCode, tagged.stderr);
  return { [living.role]: living.paneId, [role]: paneId } as PaneIds;
}

/** How poli's session stands before a task: whole, one pane gone, or no session at all (the server was killed). */
export type SessionHealth = { kind: 'ok' } | { kind: 'pane-missing'; role: Role } | { kind: 'gone' };

/** Compares the session's tagged panes with the ones poli drives (`paneIds`). */
export async function checkSession(run: TmuxRunner, session: string, paneIds: Readonly<PaneIds>): Promise<SessionHealth> {
  const found = await findRolePanes(run, session);
  if (!found || (found.PLANNER === undefined && found.EXECUTER === undefined)) return { kind: 'gone' };
  for (const role of ['PLANNER', 'EXECUTER'] as const) {
    if (found[role] !== paneIds[role]) return { kind: 'pane-missing', role };
  }
  return { kind: 'ok' };
}
