import { BaseNotFoundError, WorktreeConflictError } from './errors.ts';
import { branchRef, isAncestor, listWorktrees, resolveCommit } from './refs.ts';
import { gitOut, splitNul, type GitDeps } from './runner.ts';

/** What a task's worktree looks like now, for the caller's crash recovery. */
export interface WorktreeState {
  /** Whether `dir` is the top of a git worktree (not merely a directory inside some repository). */
  exists: boolean;
  /** The branch checked out (short name); undefined when detached or when the worktree does not exist. */
  branch?: string;
  head?: string;
  /** A merge stopped on conflicts or waiting for its commit (MERGE_HEAD exists). */
  mergeInProgress: boolean;
  /** Paths git still marks as unmerged. */
  unmerged: string[];
  /** Anything not committed: staged, changed or untracked (ignored files do not count). */
  dirty: boolean;
}

/** Reads the state of the worktree at `dir`; a missing directory is `{ exists: false }`, not an error. */
export async function worktreeState(deps: GitDeps, dir: string): Promise<WorktreeState> {
  const absent: WorktreeState = { exists: false, mergeInProgress: false, unmerged: [], dirty: false };
  const top = await deps.run(['rev-parse', '--show-toplevel'], { cwd: dir });
  if (top.exitCode !== 0) return absent;
  // A plain directory inside some other repository answers with that repository's top: not a worktree of its own.
  if ((await deps.canonical(top.stdout.trim())) !== (await deps.canonical(dir))) return absent;
  const symbolic = await deps.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: dir });
  const unmergedText = await gitOut(deps, dir, ['ls-files', '--unmerged', '-z'], 'Is the index readable?');
  const status = await gitOut(deps, dir, ['status', '--porcelain', '-z', '--untracked-files=all'], 'Is the index readable?');
  return {
    exists: true,
    ...(symbolic.exitCode === 0 ? { branch: symbolic.stdout.trim() } : {}),
    ...(await resolveHead(deps, dir)),
    mergeInProgress: (await resolveCommit(deps, dir, 'MERGE_HEAD')) !== undefined,
    unmerged: unmergedPaths(unmergedText),
    dirty: status !== '',
  };
}

async function resolveHead(deps: GitDeps, dir: string): Promise<{ head?: string }> {
  const head = await resolveCommit(deps, dir, 'HEAD');
  return head === undefined ? {} : { head };
}

/** The distinct paths of `git ls-files --unmerged -z` (one entry per stage: `MODE SHA STAGE\tPATH`). */
export function unmergedPaths(text: string): string[] {
  const paths = splitNul(text).map((entry) => entry.slice(entry.indexOf('\t') + 1));
  return [...new Set(paths)];
}

/** Where and on which branch a task works, and what that branch starts from. */
export interface TaskWorktreeSpec {
  /** Any directory of the person's repository. */
  project: string;
  /** The task's worktree directory (outside the project). */
  dir: string;
  /** The task's branch, e.g. `poli/T7`. */
  branch: string;
  /** The branch the task starts from and merges back into. */
  base: string;
}

/**
 * Makes (or finds again) the task's worktree: `git worktree add -b BRANCH DIR BASE`.
 *
 * Idempotent, for crash recovery: when DIR already is a worktree on BRANCH it is returned as it is; when BRANCH exists
 * but DIR does not, the worktree is added for the existing branch. An existing branch is never reset or recreated:
 * it may hold the only copy of a task's commits. `baseCommit` is the base commit the branch started from (for an
 * existing branch, where it forked from the base).
 */
export async function createTaskWorktree(
  deps: GitDeps,
  spec: TaskWorktreeSpec,
): Promise<{ baseCommit: string; created: boolean }> {
  const { project, dir, branch, base } = spec;
  const baseSha = await resolveCommit(deps, project, base);
  if (baseSha === undefined) throw new BaseNotFoundError(project, base);
  const wanted = await deps.canonical(dir);
  for (const entry of await listWorktrees(deps, project)) {
    if ((await deps.canonical(entry.path)) !== wanted) continue;
    if (entry.prunable) {
      // Registered but its directory is gone (a crash, or someone deleted it): prune drops git's bookkeeping only;
      // the branch and its commits stay, and are checked out again below.
      await gitOut(deps, project, ['worktree', 'prune'], 'Check the permissions of .git/worktrees.');
      break;
    }
    if (entry.branch === branchRef(branch)) {
      return { baseCommit: await forkPoint(deps, project, baseSha, branch), created: false };
    }
    throw new WorktreeConflictError(dir, `it is a worktree with ${entry.branch ?? 'a detached HEAD'} checked out, not ${branch}`);
  }
  const hint = `poli deleted nothing. If ${dir} exists and is not empty, move it away; if ${branch} is checked out elsewhere, switch that worktree to another branch.`;
  if ((await resolveCommit(deps, project, branchRef(branch))) !== undefined) {
    await gitOut(deps, project, ['worktree', 'add', dir, branch], hint);
    return { baseCommit: await forkPoint(deps, project, baseSha, branch), created: true };
  }
  // The commit, not the name: what the task starts from is exactly the commit reported, even if the base moves now.
  await gitOut(deps, project, ['worktree', 'add', '-b', branch, dir, baseSha], hint);
  return { baseCommit: baseSha, created: true };
}

async function forkPoint(deps: GitDeps, project: string, baseSha: string, branch: string): Promise<string> {
  return gitOut(deps, project, ['merge-base', baseSha, branchRef(branch)], `Does ${branch} share history with the base?`);
}

/** Where a finished task lives, to be removed once its commits are safe. */
export interface RemoveSpec {
  project: string;
  worktree: string;
  branch: string;
  base: string;
}

/**
 * Removes the task's worktree (`git worktree remove --force`) and deletes its branch, but only when nothing can be
 * lost: the branch head (and the worktree's HEAD) is an ancestor of the base, and the worktree has no uncommitted
 * change and no merge in progress. Otherwise nothing is touched and the reason is returned. Safe to call again after
 * a crash halfway (worktree gone, branch still there, or both gone).
 */
export async function removeIfMerged(
  deps: GitDeps,
  spec: RemoveSpec,
): Promise<{ removed: true } | { removed: false; reason: string }> {
  const { project, worktree, branch, base } = spec;
  const baseSha = await resolveCommit(deps, project, branchRef(base));
  if (baseSha === undefined) return { removed: false, reason: `the base branch ${base} does not exist` };
  const branchSha = await resolveCommit(deps, project, branchRef(branch));
  const state = await worktreeState(deps, worktree);
  if (state.exists && (state.dirty || state.mergeInProgress)) {
    return { removed: false, reason: `${worktree} has uncommitted changes${state.mergeInProgress ? ' (a merge in progress)' : ''}` };
  }
  if (branchSha !== undefined && !(await isAncestor(deps, project, branchSha, baseSha))) {
    return { removed: false, reason: `${branch} (${branchSha.slice(0, 12)}) is not merged into ${base}` };
  }
  // A worktree moved off its branch (detached, another branch) may hold commits the branch does not.
  if (state.head !== undefined && state.head !== branchSha && !(await isAncestor(deps, project, state.head, baseSha))) {
    return { removed: false, reason: `the worktree's HEAD ${state.head.slice(0, 12)} is not in ${base}` };
  }
  const hint = 'Its commits are in the base branch; remove it by hand when whatever holds it lets go.';
  if (state.exists) await gitOut(deps, project, ['worktree', 'remove', '--force', worktree], hint);
  // Compare-and-swap: the branch is deleted only if it still points where it was checked to be merged.
  if (branchSha !== undefined) await gitOut(deps, project, ['update-ref', '-d', branchRef(branch), branchSha], hint);
  return { removed: true };
}
