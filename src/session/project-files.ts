/**
 * What poli leaves in the user's project: only `.poli/` (message and reply files, see handoff.ts).
 * In a git work tree it is kept out of git through `.git/info/exclude` — the repository's own,
 * private ignore list — never through a file the user would commit.
 */
import { execFile } from 'node:child_process';
import { appendFile, mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { MESSAGES_DIR, POLI_DIR, REPLIES_DIR } from '../reading/handoff.ts';
import { ProjectDirError } from '../errors.ts';
import { makeDirectory } from '../state/make-dir.ts';

const exec = promisify(execFile);

/**
 * Adds `/<prefix>.poli/` to the work tree's `info/exclude` unless it is there; a project that is
 * not in a git work tree (or no git) is left alone. Returns the file changed, if any.
 */
export async function excludePoliDirFromGit(projectDir: string): Promise<string | undefined> {
  const git = (...args: string[]) => exec('git', ['-C', projectDir, ...args], { encoding: 'utf8' }).then((r) => r.stdout.trim());
  let prefix: string;
  let exclude: string;
  try {
    if ((await git('rev-parse', '--is-inside-work-tree')) !== 'true') return undefined;
    prefix = await git('rev-parse', '--show-prefix');
    exclude = path.resolve(projectDir, await git('rev-parse', '--git-path', 'info/exclude'));
  } catch {
    return undefined;
  }
  const pattern = `/${prefix}${POLI_DIR}/`;
  const current = await readFile(exclude, 'utf8').catch(() => '');
  if (current.split('\n').some((line) => line.trim() === pattern)) return undefined;
  await mkdir(path.dirname(exclude), { recursive: true });
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  await appendFile(exclude, `${separator}# poli's message and reply files\n${pattern}\n`);
  return exclude;
}

/**
 * Makes `.poli/messages/` and `.poli/replies/` and writes a file there, before tmux starts: a project poli cannot
 * write would otherwise fail at the first long message, mid-task, with the CLIs running.
 * @throws ProjectDirError naming the directory, what failed, and what to do.
 */
export async function ensureWritableProjectDir(projectDir: string): Promise<void> {
  const messages = path.join(projectDir, MESSAGES_DIR);
  let step = `create the directory ${messages}`;
  try {
    await makeDirectory(messages);
    step = `create the directory ${path.join(projectDir, REPLIES_DIR)}`;
    await makeDirectory(path.join(projectDir, REPLIES_DIR));
    const probe = path.join(messages, `.poli-write-check-${process.pid}`);
    step = `write a file in ${messages}`;
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new ProjectDirError(
      `cannot write in the project directory ${projectDir}: could not ${step} (${e.code ?? 'error'}: ${e.message.replace(/^[A-Z]+: /, '')}). ` +
        'poli hands long messages to the CLIs as files in .poli/ there. ' +
        'Make the project directory writable (and .poli in it a folder), or choose another with --project-dir DIR.',
      { cause: error },
    );
  }
}

/** At the end: `.poli/messages/`, `.poli/replies/` and `.poli/` itself go when nothing is left in them. */
export async function removeEmptyPoliDirs(projectDir: string): Promise<void> {
  // rmdir removes only an empty directory: one with a file a CLI or the person put there stays, as does its parent.
  for (const dir of [MESSAGES_DIR, REPLIES_DIR, POLI_DIR]) await rmdir(path.join(projectDir, dir)).catch(() => undefined);
}
