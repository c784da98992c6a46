import { chmod, chown, mkdir, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePrivateDir, type PrivateDirFs } from './private-dir.ts';

/** A file system of stat results: each directory as given, every mkdir recorded. */
function fakeFs(dirs: Record<string, { uid: number; mode: number; link?: boolean; file?: boolean }>): PrivateDirFs & { made: string[]; chmods: string[] } {
  const made: string[] = [];
  const chmods: string[] = [];
  return {
    made,
    chmods,
    chmod: async (file, mode) => {
      chmods.push(`${file} ${mode.toString(8)}`);
    },
    mkdir: async (dir) => {
      made.push(dir);
      dirs[dir] ??= { uid: 1000, mode: 0o40700 };
    },
    lstat: async (file) => {
      const entry = dirs[file];
      if (!entry) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      return { uid: entry.uid, mode: entry.mode, isDirectory: () => !entry.link && !entry.file, isSymbolicLink: () => entry.link === true };
    },
  };
}

describe('ensurePrivateDir: the runtime directory and its sub-directories must be private', () => {
  it('makes missing directories and accepts ones owned by the user with mode 0700, checking every level', async () => {
    const fs = fakeFs({ '/run/poli-1000': { uid: 1000, mode: 0o40700 } });
    await ensurePrivateDir('/run/poli-1000/control/poli', { uid: 1000, root: '/run/poli-1000', fs });
    expect(fs.made).toEqual(['/run/poli-1000', '/run/poli-1000/control', '/run/poli-1000/control/poli']);
  });

  it('refuses a directory another user owns: what, why, what to do', async () => {
    const fs = fakeFs({ '/tmp/poli-1000': { uid: 1001, mode: 0o40700 } });
    await expect(ensurePrivateDir('/tmp/poli-1000', { uid: 1000, fs })).rejects.toThrow(
      /^poli will not use \/tmp\/poli-1000: it is owned by uid 1001, not by you \(uid 1000\)\. Another local user could then drop control commands .* Expected a directory owned by you with mode 0700 .*Have it removed/,
    );
  });

  it('refuses a directory open to group or others (0777, 0750, 0701), and a sub-directory that is', async () => {
    for (const [mode, who] of [[0o777, 'group and others'], [0o750, 'its group'], [0o701, 'others']] as const) {
      const fs = fakeFs({ '/tmp/poli-1000': { uid: 1000, mode: 0o40000 | mode } });
      await expect(ensurePrivateDir('/tmp/poli-1000', { uid: 1000, fs })).rejects.toThrow(
        `poli will not use /tmp/poli-1000: it is open to ${who} (mode 0${mode.toString(8)})`,
      );
    }
    const fs = fakeFs({ '/tmp/poli-1000': { uid: 1000, mode: 0o40700 }, '/tmp/poli-1000/locks': { uid: 1000, mode: 0o40777 } });
    await expect(ensurePrivateDir('/tmp/poli-1000/locks', { uid: 1000, root: '/tmp/poli-1000', fs })).rejects.toThrow(/^poli will not use \/tmp\/poli-1000\/locks: it is open to group and others .*chmod 700 \/tmp\/poli-1000\/locks/);
  });

  it('closes a sub-directory only readable by others (0755, as older polis made them) inside a private one; refuses the root at 0755', async () => {
    const fs = fakeFs({ '/tmp/poli-1000': { uid: 1000, mode: 0o40700 }, '/tmp/poli-1000/control': { uid: 1000, mode: 0o40755 } });
    await ensurePrivateDir('/tmp/poli-1000/control/poli', { uid: 1000, root: '/tmp/poli-1000', fs });
    expect(fs.chmods).toEqual(['/tmp/poli-1000/control 700']);
    const failing = { ...fakeFs({ '/tmp/poli-1000': { uid: 1000, mode: 0o40700 }, '/tmp/poli-1000/control': { uid: 1000, mode: 0o40755 } }), chmod: async () => Promise.reject(new Error('EPERM: operation not permitted')) };
    await expect(ensurePrivateDir('/tmp/poli-1000/control', { uid: 1000, root: '/tmp/poli-1000', fs: failing })).rejects.toThrow(/EPERM/);
    await expect(ensurePrivateDir('/tmp/poli-1000', { uid: 1000, fs: fakeFs({ '/tmp/poli-1000': { uid: 1000, mode: 0o40755 } }) })).rejects.toThrow(/open to group and others \(mode 0755\)/);
  });

  it('create: false makes nothing: a missing directory answers false, an open one is still refused', async () => {
    const fs = fakeFs({});
    expect(await ensurePrivateDir('/tmp/poli-1000/locks', { uid: 1000, root: '/tmp/poli-1000', create: false, fs })).toBe(false);
    expect(fs.made).toEqual([]);
    const open = fakeFs({ '/tmp/poli-1000': { uid: 1000, mode: 0o40777 } });
    await expect(ensurePrivateDir('/tmp/poli-1000/locks', { uid: 1000, root: '/tmp/poli-1000', create: false, fs: open })).rejects.toThrow(/open to group and others/);
  });

  it('refuses a symbolic link or a file in its place', async () => {
    await expect(ensurePrivateDir('/tmp/poli-1000', { uid: 1000, fs: fakeFs({ '/tmp/poli-1000': { uid: 1000, mode: 0o120777, link: true } }) })).rejects.toThrow(
      /^poli will not use \/tmp\/poli-1000: it is a symbolic link/,
    );
    await expect(ensurePrivateDir('/tmp/poli-1000', { uid: 1000, fs: fakeFs({ '/tmp/poli-1000': { uid: 1000, mode: 0o100600, file: true } }) })).rejects.toThrow(
      /it is not a directory/,
    );
  });

  it('on the real file system: a new directory is 0700; one made 0777 or given to another uid (as root) is refused', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'poli-private-'));
    const uid = process.getuid?.();
    const fresh = path.join(root, 'fresh', 'sub');
    await ensurePrivateDir(fresh, { uid, root: path.join(root, 'fresh') });
    expect((await stat(fresh)).mode & 0o777).toBe(0o700);
    const open = path.join(root, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    await expect(ensurePrivateDir(open, { uid })).rejects.toThrow(/open to group and others \(mode 0777\)/);
    if (uid === 0) {
      const foreign = path.join(root, 'foreign');
      await mkdir(foreign, { mode: 0o700 });
      await chown(foreign, 4321, 4321);
      await expect(ensurePrivateDir(foreign, { uid })).rejects.toThrow(/owned by uid 4321, not by you \(uid 0\)/);
    }
  });
});
