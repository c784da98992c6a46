import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirectory } from './make-dir.ts';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe('makeDirectory', () => {
  it('creates every missing level, and is a no-op for an existing directory', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'poli-mkdir-'));
    const deep = path.join(root, 'a', 'b', 'c');
    await makeDirectory(deep);
    await makeDirectory(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
  });

  it('fails (does not spin) where the file system answers ENOENT under an existing parent: /proc', async () => {
    await expect(makeDirectory('/proc/poli-nope/deeper')).rejects.toMatchObject({ code: 'ENOENT' });
  }, 5_000);

  it('fails with ENOTDIR when a level is a file', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'poli-mkdir-'));
    await writeFile(path.join(root, 'file'), '');
    await expect(makeDirectory(path.join(root, 'file', 'x'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
