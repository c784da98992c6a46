/**
 * Where the poli that drives a tmux socket keeps its state: a pointer file next to the socket's
 * lock in the runtime dir. Kept apart from workspace.ts so `poli status` and `poli watch` can read
 * it without loading the tmux layer.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isProcessAlive } from './lock.ts';
import { currentUid, ensurePrivateDir } from './private-dir.ts';

/** The file that holds the state directory of the poli holding `key` (the socket, or `socket@session`: claim-key.ts). */
export function stateDirPointer(runtime: string, key: string): string {
  return path.join(runtime, 'locks', `${key}.state-dir`);
}

/** The state directory of the poli that holds the lock of `key` (claim-key.ts), if one is running. */
export async function runningStateDir(io: { runtimeDir: string }, key: string): Promise<string | undefined> {
  // A pointer in a runtime dir another user could write to could send status and watch to their files.
  if (!(await ensurePrivateDir(path.join(io.runtimeDir, 'locks'), { uid: currentUid(), root: io.runtimeDir, create: false }))) return undefined;
  const pid = Number((await readFile(path.join(io.runtimeDir, 'locks', `${key}.lock`), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return undefined;
  const dir = (await readFile(stateDirPointer(io.runtimeDir, key), 'utf8').catch(() => '')).trim();
  return dir === '' ? undefined : dir;
}
