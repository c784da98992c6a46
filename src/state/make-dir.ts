/**
 * `mkdir -p` that always ends. Node's own `mkdir(dir, { recursive: true })` loops forever (a core at 100 %) when the
 * file system answers ENOENT for a directory whose parent exists, as /proc and /sys do (`--state-dir /proc/nope`):
 * it creates the parent, sees EEXIST, and tries the child again. Here each missing level is created once, parent
 * first, and the first error is thrown as it is.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

export async function makeDirectory(dir: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  const target = path.resolve(dir);
  let current = target;
  for (;;) {
    const found = await stat(current).catch((error: NodeJS.ErrnoException) => {
      // ENOTDIR: a level above is a file; found and reported as such further up.
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (found !== undefined) {
      // Worded as Node's own mkdir words it, naming the directory asked for.
      if (!found.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${target}'`), { code: 'ENOTDIR', path: target });
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level, mode === undefined ? {} : { mode });
    } catch (error) {
      // Another process made it meanwhile: fine, if it is a directory.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(level)).isDirectory()) continue;
      throw error;
    }
  }
}
