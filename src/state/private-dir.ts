/**
 * poli's per-user runtime directory (`$TMUX_TMPDIR/poli-<uid>` or `/tmp/poli-<uid>`) holds what other processes act
 * on: the reply socket the CLIs deliver to, the control inbox whose notes poli types into the PLANNER as the
 * person's, the socket locks. Its path is predictable, so another local user can make it first. Like tmux with its own
 * socket directory, poli uses such a directory (and each sub-directory it uses) only when it is a real directory,
 * owned by this user and closed to group and others; otherwise it refuses and says what to do. It never "fixes" the
 * mode of a directory another user could have written to: it may already hold their files. (The one mode it closes
 * itself: a sub-directory only readable by others, inside a parent just found private — what older polis made.)
 */
import { chmod, lstat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PoliError } from '../errors.ts';

/** The file operations the check needs (node:fs/promises by default; tests inject stat results). */
export interface PrivateDirFs {
  mkdir(dir: string, options: { recursive: true; mode: number }): Promise<unknown>;
  lstat(file: string): Promise<{ uid: number; mode: number; isDirectory(): boolean; isSymbolicLink(): boolean }>;
  chmod(file: string, mode: number): Promise<void>;
}

/** A directory poli would trust is not private to this user. */
export class UnsafeDirError extends PoliError {
  constructor(dir: string, why: string, todo: string) {
    super(
      'UNSAFE_RUNTIME_DIR',
      `poli will not use ${dir}: ${why}. Another local user could then drop control commands that poli types into your ` +
        `PLANNER as your notes, or replace the socket your CLIs reply to. Expected a directory owned by you with mode 0700 ` +
        `(as tmux requires of its own). ${todo}`,
    );
  }
}

export interface PrivateDirOptions {
  /** This process's uid; undefined (no uids on this platform): nothing to check. */
  uid: number | undefined;
  /** Check every directory from `root` down to `dir` (each one made when missing); by default `dir` alone. */
  /** false: make nothing; a missing directory is no error (the answer is then false: nothing there to read). */
  create?: boolean;
  root?: string;
  fs?: PrivateDirFs;
}

/**
 * Makes `dir` (mode 0700) when it is missing, and checks it, and each directory from `options.root` down to it: a
 * directory, not a symbolic link, owned by `uid`, with no permission for group or others. True once all are checked.
 * @throws UnsafeDirError naming the first directory that fails, why, and what to do.
 */
export async function ensurePrivateDir(dir: string, options: PrivateDirOptions): Promise<boolean> {
  const fs = options.fs ?? { mkdir, lstat, chmod };
  const levels = [dir];
  if (options.root !== undefined) {
    const relative = path.relative(options.root, dir);
    if (relative.startsWith('..') || path.isAbsolute(relative)) throw new Error(`bug: ${dir} is not inside ${options.root}`);
    levels.splice(0, 1, options.root);
    let current = options.root;
    for (const part of relative.split(path.sep).filter((p) => p !== '')) levels.push((current = path.join(current, part)));
  }
  for (const level of levels) {
    // Made 0700 whatever the umask; an existing one is left as it is and checked below.
    if (options.create !== false) await fs.mkdir(level, { recursive: true, mode: 0o700 });
    else if (!(await exists(fs, level))) return false;
    if (options.uid === undefined) continue;
    const info = await fs.lstat(level);
    const mode = `0${(info.mode & 0o777).toString(8).padStart(3, '0')}`;
    if (info.isSymbolicLink() || !info.isDirectory()) {
      throw new UnsafeDirError(level, `it is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}`, `Remove it (after checking what it is) and run poli again: poli makes it afresh.`);
    }
    if (info.uid !== options.uid) {
      throw new UnsafeDirError(
        level,
        `it is owned by uid ${info.uid}, not by you (uid ${options.uid})`,
        `Have it removed (by its owner or root, after checking its contents), or point TMUX_TMPDIR at a directory of your own, then run poli again.`,
      );
    }
    if (level !== levels[0] && (info.mode & 0o022) === 0 && (info.mode & 0o077) !== 0) {
      // A sub-directory inside a directory just found private, open only to reading (older polis made `locks` and
      // `control` 0755): no one else could reach it through its parent, let alone write to it. Closed, not refused; a
      // chmod that fails is an error, never swallowed.
      await fs.chmod(level, 0o700);
      continue;
    }
    if ((info.mode & 0o077) !== 0) {
      throw new UnsafeDirError(
        level,
        `it is open to ${(info.mode & 0o070) !== 0 && (info.mode & 0o007) !== 0 ? 'group and others' : (info.mode & 0o070) !== 0 ? 'its group' : 'others'} (mode ${mode})`,
        `Check that nothing in it is someone else's, then \`chmod 700 ${level}\` (or remove it), and run poli again.`,
      );
    }
  }
  return true;
}

async function exists(fs: PrivateDirFs, file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** This process's uid, or undefined where the platform has none. */
export function currentUid(): number | undefined {
  return process.getuid?.();
}
