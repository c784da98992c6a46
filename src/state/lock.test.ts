import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyRunningError } from '../errors.ts';
import { acquireSocketLock, isProcessAlive } from './lock.ts';

let dir: string;
let lockFile: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'poli-lock-'));
  lockFile = path.join(dir, 'locks', 'poli.lock');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeLock(content: string): Promise<void> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  await writeFile(lockFile, content);
}

describe('acquireSocketLock', () => {
  it('creates <dir>/locks/<socket>.lock holding the pid and removes it on release', async () => {
    const lock = await acquireSocketLock({ dir, socket: 'poli', pid: 100, isPidAlive: () => true });
    expect(lock.file).toBe(lockFile);
    expect(await readFile(lockFile, 'utf8')).toBe('100\n');
    expect(await readdir(path.dirname(lockFile))).toEqual(['poli.lock']);
    await lock.release();
    await lock.release();
    expect(await readdir(path.dirname(lockFile))).toEqual([]);
  });

  it('keys the lock by (socket, session): other sessions of the socket do not block, the same one does', async () => {
    const alive = () => true;
    const base = await acquireSocketLock({ dir, socket: 'poli', pid: 100, isPidAlive: alive });
    const a = await acquireSocketLock({ dir, socket: 'poli', session: 'A', pid: 101, isPidAlive: alive });
    const b = await acquireSocketLock({ dir, socket: 'poli', session: 'B', pid: 102, isPidAlive: alive });
    expect([base.file, a.file, b.file].map((f) => path.basename(f))).toEqual(['poli.lock', 'poli@A.lock', 'poli@B.lock']);
    expect((await acquireSocketLock({ dir, socket: 'poli', session: 'poli', pid: 103, isPidAlive: () => false })).file).toBe(base.file);
    const again = acquireSocketLock({ dir, socket: 'poli', session: 'A', pid: 104, isPidAlive: alive });
    await expect(again).rejects.toThrow(
      'another poli process (pid 101) is already driving the tmux session "A" on socket "poli". Wait for it to finish, stop it, or use a different --session.',
    );
  });

  it('throws AlreadyRunningError when a live process holds the lock', async () => {
    await writeLock('200\n');
    const seen: number[] = [];
    const attempt = acquireSocketLock({
      dir,
      socket: 'poli',
      pid: 100,
      isPidAlive: (pid) => {
        seen.push(pid);
        return true;
      },
    });
    await expect(attempt).rejects.toThrow(new AlreadyRunningError('poli', 200));
    await expect(attempt).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });
    expect(seen).toEqual([200]);
    expect(await readFile(lockFile, 'utf8')).toBe('200\n');
  });

  it.each([
    ['a dead pid', '200\n'],
    ['an empty file', ''],
    ['garbage', 'not a pid'],
  ])('replaces a stale lock holding %s', async (_name, content) => {
    await writeLock(content);
    const lock = await acquireSocketLock({ dir, socket: 'poli', pid: 100, isPidAlive: (pid) => pid === 100 });
    expect(await readFile(lockFile, 'utf8')).toBe('100\n');
    lock.releaseSync();
    expect(await readdir(path.dirname(lockFile))).toEqual([]);
  });

  it('keeps separate locks per socket', async () => {
    const a = await acquireSocketLock({ dir, socket: 'a', pid: 1, isPidAlive: () => true });
    const b = await acquireSocketLock({ dir, socket: 'b.2', pid: 1, isPidAlive: () => true });
    expect((await readdir(path.join(dir, 'locks'))).sort()).toEqual(['a.lock', 'b.2.lock']);
    await a.release();
    await b.release();
  });

  it('does not remove a lock another process has taken since', async () => {
    const lock = await acquireSocketLock({ dir, socket: 'poli', pid: 100, isPidAlive: () => true });
    await writeLock('300\n');
    await lock.release();
    lock.releaseSync();
    expect(await readFile(lockFile, 'utf8')).toBe('300\n');
  });
});

describe('isProcessAlive', () => {
  it('is true for this process and false for a pid that cannot exist', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(2 ** 22 + 1)).toBe(false);
  });
});
