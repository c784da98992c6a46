/**
 * What poli leaves in the user's project: only `.poli/` (message and reply files, see handoff.ts).
 * In a git work tree it is kept out of git through `.git/info/exclude` — the repository's own,
 * private ignore list — never through a file the user would commit.
 */
import { execFile } from 'node:child_process';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { POLI_DIR } from '../reading/handoff.ts';

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
