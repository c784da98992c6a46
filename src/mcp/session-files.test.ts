import { mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareSessionFiles, removeSessionFiles } from './session-files.ts';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe('session files of a registration', () => {
  it('writes the files 0600, links every entry of the user\'s folder and the names it must have, and removes only its own', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'poli-session-files-'));
    const user = path.join(root, 'home', '.gemini');
    await mkdir(path.join(user, 'extensions'), { recursive: true });
    await writeFile(path.join(user, 'oauth_creds.json'), 'secret');
    await writeFile(path.join(user, 'settings.json'), '{"user": true}');
    const session = path.join(root, 'session');
    const dir = path.join(session, '.gemini');
    await mkdir(session);
    await writeFile(path.join(session, 'left-over'), 'from an earlier session');
    const made = await prepareSessionFiles({
      args: [],
      env: {},
      sessionDir: session,
      files: [{ path: path.join(dir, 'settings.json'), text: '{"poli": true}\n' }],
      links: [{ dir, target: user, except: ['settings.json'], always: { files: ['projects.json'], dirs: ['tmp'] } }],
    });
    expect(made).toEqual([session]);
    expect(await readdir(session)).toEqual(['.gemini']);
    expect((await readdir(dir)).sort()).toEqual(['extensions', 'oauth_creds.json', 'projects.json', 'settings.json', 'tmp']);
    expect(await readlink(path.join(dir, 'oauth_creds.json'))).toBe(path.join(user, 'oauth_creds.json'));
    expect(await readFile(path.join(dir, 'settings.json'), 'utf8')).toBe('{"poli": true}\n');
    expect((await stat(path.join(dir, 'settings.json'))).mode & 0o777).toBe(0o600);
    // A file the CLI creates through a link lands in the user's folder.
    await writeFile(path.join(dir, 'projects.json'), '{}');
    expect(await readFile(path.join(user, 'projects.json'), 'utf8')).toBe('{}');
    expect((await stat(path.join(user, 'tmp'))).isDirectory()).toBe(true);

    await removeSessionFiles(made);
    await expect(stat(session)).rejects.toThrow();
    expect((await readdir(user)).sort()).toEqual(['extensions', 'oauth_creds.json', 'projects.json', 'settings.json', 'tmp']);
    expect(await readFile(path.join(user, 'settings.json'), 'utf8')).toBe('{"user": true}');
  });
});
