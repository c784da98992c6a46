import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AlreadyRunningError, StateFileError } from '../errors.ts';
import { claimKey, DEFAULT_SESSION } from './claim-key.ts';

export interface SocketLock {
  /** The lock file. */
  readonly file: string;
  /** Removes the lock file if it still holds our pid. Safe to call twice. */
  release(): Promise<void>;
  /** The same, for `process.on('exit')` handlers, where nothing async runs. */
  releaseSync(): void;
}

export interface AcquireSocketLockOptions {
  /** The state directory; locks live in `<dir>/locks/<key>.lock` (the key: state/claim-key.ts). */
  dir: string;
  socket: string;
  /** The tmux session this poli drives on the socket (default: the default session, keyed by the socket alone). */
  session?: string;
  pid: number;
  isPidAlive: (pid: number) => boolean;
}

/** A stale lock is replaced and the exclusive create retried; a few rounds cover a race with another starter. */
const MAX_ATTEMPTS = 5;

/**
 * Makes sure only one poli process drives a tmux socket's session (the default session: the socket):
 * creates `<dir>/locks/<key>.lock` holding our pid,
 * exclusively (it is never overwritten while it exists). A lock left by a dead process (or one that cannot be read)
 * is replaced silently.
 * @throws AlreadyRunningError when a live process holds the lock.
 */
export async function acquireSocketLock(options: AcquireSocketLockOptions): Promise<SocketLock> {
  const { dir, socket, pid, isPidAlive } = options;
  const session = options.session ?? DEFAULT_SESSION;
  const locksDir = path.join(dir, 'locks');
  const file = path.join(locksDir, `${claimKey(socket, session)}.lock`);
  await mkdir(locksDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createExclusive(file, pid)) return makeLock(file, pid);
    const holder = await readLockPid(file);
    if (holder !== undefined && isPidAlive(holder)) throw new AlreadyRunningError(socket, holder, session === DEFAULT_SESSION ? undefined : { session });
    // Stale. Should another starter replace it between our read and this unlink, we would remove its fresh lock;
    // that needs two starts on one socket within microseconds, and is accepted.
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  throw new StateFileError(
    `could not take the lock ${file} after ${MAX_ATTEMPTS} attempts; another poli keeps taking it`,
  );
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates `file` holding the pid, failing (false) if it exists. Like `open(file, 'wx')`, but the content is written
 * to a temp file first and hard-linked into place, so no reader ever sees an empty lock and takes it for stale.
 */
async function createExclusive(file: string, pid: number): Promise<boolean> {
  const tmp = `${file}.${pid}.tmp`;
  try {
    await writeFile(tmp, `${pid}\n`, 'utf8');
    await link(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StateFileError(`could not create lock file ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

function makeLock(file: string, pid: number): SocketLock {
  return {
    file,
    async release() {
      if ((await readLockPid(file)) !== pid) return;
      await unlink(file).catch(() => undefined);
    },
    releaseSync() {
      if (parsePid(readSyncOrEmpty(file)) !== pid) return;
      try {
        unlinkSync(file);
      } catch {
        // Already gone.
      }
    },
  };
}

async function readLockPid(file: string): Promise<number | undefined> {
  return parsePid(await readFile(file, 'utf8').catch(() => ''));
}

function readSyncOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function parsePid(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) && Number(trimmed) > 0 ? Number(trimmed) : undefined;
}
