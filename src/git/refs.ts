import { DetachedHeadError, NotARepositoryError } from './errors.ts';
import { gitOut, gitTest, type GitDeps } from './runner.ts';

/** One entry of `git worktree list --porcelain`. */
export interface WorktreeEntry {
  path: string;
  /** The commit checked out; undefined in a bare repository. */
  head?: string;
  /** The full ref checked out (`refs/heads/main`); undefined when HEAD is detached. */
  branch?: string;
  /** git marks an entry prunable when its directory is gone. */
  prunable: boolean;
}

/** Parses `git worktree list --porcelain` (pure): blocks of `key value` lines, separated by blank lines. */
export function parseWorktreeList(text: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  for (const block of text.split(/\n\n+/)) {
    const entry: WorktreeEntry = { path: '', prunable: false };
    for (const line of block.split('\n')) {
      const space = line.indexOf(' ');
      const key = space === -1 ? line : line.slice(0, space);
      const value = space === -1 ? '' : line.slice(space + 1);
      if (key === 'worktree') entry.path = value;
      else if (key === 'HEAD') entry.head = value;
      else if (key === 'branch') entry.branch = value;
      else if (key === 'prunable') entry.prunable = true;
    }
    if (entry.path !== '') entries.push(entry);
  }
  return entries;
}

/** Every worktree of the repository `repo` belongs to (the main one first). */
export async function listWorktrees(deps: GitDeps, repo: string): Promise<WorktreeEntry[]> {
  const text = await gitOut(deps, repo, ['worktree', 'list', '--porcelain'], 'Is this a git repository?');
  return parseWorktreeList(text);
}

/** The commit `rev` names, or undefined when it names none. */
export async function resolveCommit(deps: GitDeps, cwd: string, rev: string): Promise<string | undefined> {
  const result = await deps.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Whether commit `ancestor` is reachable from `descendant` (a commit is its own ancestor). */
export async function isAncestor(deps: GitDeps, cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  return gitTest(deps, cwd, ['merge-base', '--is-ancestor', ancestor, descendant], 'Do both commits exist?');
}

/** `refs/heads/NAME` for a branch name. */
export function branchRef(branch: string): string {
  return branch.startsWith('refs/') ? branch : `refs/heads/${branch}`;
}

/**
 * The branch checked out in `project`: the default base of a task. A detached HEAD throws {@link DetachedHeadError},
 * since merging into "whatever commit is checked out" would move no branch and so lose the merge.
 */
export async function currentBranch(deps: GitDeps, project: string): Promise<string> {
  const inside = await deps.run(['rev-parse', '--git-dir'], { cwd: project });
  if (inside.exitCode !== 0) throw new NotARepositoryError(project, inside.stderr.trim().split('\n')[0] ?? '');
  const result = await deps.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: project });
  if (result.exitCode !== 0 || result.stdout.trim() === '') throw new DetachedHeadError(project);
  return result.stdout.trim();
}

/** The identity of the person, when git has one; poli's own one for the commits it makes otherwise. */
export const POLI_IDENTITY_ARGS: readonly string[] = ['-c', 'user.name=poli', '-c', 'user.email=poli@localhost'];

/**
 * The `-c` arguments that let git make a commit in `cwd`: none when the person configured user.email (their name is
 * on poli's commits, as on their own), poli's identity otherwise, so that a fresh machine or CI never fails with
 * "Please tell me who you are".
 */
export async function identityArgs(deps: GitDeps, cwd: string): Promise<readonly string[]> {
  const result = await deps.run(['config', 'user.email'], { cwd });
  return result.exitCode === 0 && result.stdout.trim() !== '' ? [] : POLI_IDENTITY_ARGS;
}
