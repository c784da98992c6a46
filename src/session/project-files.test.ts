import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { excludePoliDirFromGit } from './project-files.ts';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe('excludePoliDirFromGit', () => {
  it('adds /.poli/ to .git/info/exclude once, and writes nothing in the work tree', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'poli-git-'));
    execFileSync('git', ['init', '-q', root]);
    const exclude = path.join(root, '.git', 'info', 'exclude');
    expect(await excludePoliDirFromGit(root)).toBe(exclude);
    expect(await excludePoliDirFromGit(root)).toBeUndefined();
    expect((await readFile(exclude, 'utf8')).endsWith("\n# poli's message and reply files\n/.poli/\n")).toBe(true);
    expect(await readdir(root)).toEqual(['.git']);
  });

  it('names the project folder when the project is a subfolder of the work tree', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'poli-git-'));
    execFileSync('git', ['init', '-q', root]);
    const project = path.join(root, 'apps', 'web');
    await mkdir(project, { recursive: true });
    await excludePoliDirFromGit(project);
    expect(await readFile(path.join(root, '.git', 'info', 'exclude'), 'utf8')).toContain('\n/apps/web/.poli/\n');
  });

  it('leaves a folder that is not in a git work tree alone', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'poli-git-'));
    expect(await excludePoliDirFromGit(root)).toBeUndefined();
    expect(await readdir(root)).toEqual([]);
  });
});
