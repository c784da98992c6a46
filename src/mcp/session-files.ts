/**
 * Makes (and removes) what a registration (register.ts) needs on disk before its CLI starts: session-local files,
 * written afresh at each start with mode 0600, and folders of symbolic links into the user's own configuration.
 */
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { McpRegistration } from './register.ts';

/** Writes the registration's files and links; returns the paths to remove when the session ends. */
export async function prepareSessionFiles(registration: McpRegistration): Promise<string[]> {
  const made: string[] = [];
  if (registration.sessionDir !== undefined) {
    // Start from an empty folder: links left by an earlier session may point at entries the user has since removed.
    await rm(registration.sessionDir, { recursive: true, force: true });
    await mkdir(registration.sessionDir, { recursive: true, mode: 0o700 });
    made.push(registration.sessionDir);
  }
  for (const links of registration.links ?? []) {
    await rm(links.dir, { recursive: true, force: true });
    await mkdir(links.dir, { recursive: true, mode: 0o700 });
    if (!inside(links.dir, registration.sessionDir)) made.push(links.dir);
    for (const name of links.always.dirs) await mkdir(path.join(links.target, name), { recursive: true, mode: 0o700 });
    const present = await readdir(links.target).catch(() => [] as string[]);
    const names = new Set([...present, ...links.always.files, ...links.always.dirs].filter((name) => !links.except.includes(name)));
    for (const name of names) await symlink(path.join(links.target, name), path.join(links.dir, name));
  }
  for (const file of registration.files ?? []) {
    await mkdir(path.dirname(file.path), { recursive: true, mode: 0o700 });
    await writeFile(file.path, file.text, { mode: 0o600 });
    if (!inside(file.path, registration.sessionDir)) made.push(file.path);
  }
  return made;
}

function inside(file: string, dir: string | undefined): boolean {
  return dir !== undefined && !path.relative(dir, file).startsWith('..');
}

/** Removes what prepareSessionFiles made (links only: never what they point at). */
export async function removeSessionFiles(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((file) => rm(file, { recursive: true, force: true })));
}
