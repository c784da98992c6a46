/**
 * What a workspace holds on its socket before the session starts: the state store, the socket's lock, the pointer to
 * the state dir, and the inbox of commands from other terminals.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppIO } from '../host.ts';
import { ControlInbox, controlDir } from '../human/control.ts';
import type { Logger } from '../records/logger.ts';
import type { Settings } from '../settings.ts';
import { acquireSocketLock, isProcessAlive, type SocketLock } from '../state/lock.ts';
import { currentUid, ensurePrivateDir } from '../state/private-dir.ts';
import { claimKey } from '../state/claim-key.ts';
import { stateDirPointer } from '../state/running.ts';
import { StateStore } from '../state/store.ts';
import type { TaskRecord } from '../state/types.ts';
import { realClock } from '../host.ts';
import { excludePoliDirFromGit } from './project-files.ts';

/** The socket as this poli holds it. */
export interface SocketClaim {
  store: StateStore;
  /** The tasks known at the start (those of dead poli processes marked interrupted). */
  known: TaskRecord[];
  lock: SocketLock;
  control: ControlInbox;
}

/** Keeps .poli/ out of git, opens the store, takes the socket's lock and opens the control inbox. */
export async function claimSocket(io: AppIO, settings: Settings, logger: Logger): Promise<SocketClaim> {
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
  // Keyed by (socket, session): polis driving other sessions of the same server hold their own (state/claim-key.ts).
  const key = claimKey(settings.socket, settings.session);
  for (const dir of [path.join(io.runtimeDir, 'locks'), controlDir(io.runtimeDir, key)]) {
    await ensurePrivateDir(dir, { uid: currentUid(), root: io.runtimeDir });
  }
  const lock = await acquireSocketLock({ dir: io.runtimeDir, socket: settings.socket, session: settings.session, pid: io.pid, isPidAlive: isProcessAlive });
  await writeFile(stateDirPointer(io.runtimeDir, key), settings.stateDir);
  const control = new ControlInbox({ dir: controlDir(io.runtimeDir, key), warn: (m) => logger.warn(m) });
  // Commands left from before this process held the lock belong to no task: drop them, say so. Those sent from now
  // on (while the CLIs start) are for this poli's first task, and wait in the inbox for it.
  const stale = await control.poll();
  if (stale.length > 0) logger.warn(`ignored ${stale.length} control command(s) left by an earlier poli on this socket`);
  return { store, known, lock, control };
}
