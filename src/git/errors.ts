import { PoliError } from '../errors.ts';

/** What one git call returned: the runner never throws for a non-zero exit, it reports it. */
export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** git is not installed or not on PATH. */
export class GitNotFoundError extends PoliError {
  constructor(options?: { cause?: unknown }) {
    super(
      'GIT_NOT_FOUND',
      'git not found on PATH: poli needs git >= 2.39 to run tasks in worktrees. Install it (e.g. `apt-get install git`) and run poli again.',
      options,
    );
  }
}

/** A git command failed where poli has no safe way to go on; nothing was reset or deleted. */
export class GitCommandError extends PoliError {
  readonly result: GitResult;
  constructor(args: readonly string[], cwd: string, result: GitResult, hint: string) {
    const said = (result.stderr.trim() || result.stdout.trim() || '(no output)').slice(-1500);
    super(
      'GIT_COMMAND_FAILED',
      `git ${args.join(' ').slice(0, 200)} (in ${cwd}) failed with exit code ${result.exitCode}. git said:\n${said}\n${hint}`,
    );
    this.result = result;
  }
}

/** The project's HEAD is detached, so there is no branch to use as the base of a task. */
export class DetachedHeadError extends PoliError {
  constructor(project: string) {
    super(
      'GIT_DETACHED_HEAD',
      `the project ${project} has a detached HEAD, so poli cannot tell which branch to merge tasks into. ` +
        'Check out a branch (`git switch main`), or name the base branch with poli add --base BRANCH.',
    );
  }
}

/** The project is not in a git repository: the queue works in worktrees of the project's repository. */
export class NotARepositoryError extends PoliError {
  constructor(project: string, said: string) {
    super(
      'GIT_NOT_A_REPOSITORY',
      `the project ${project} is not a git repository (git said: ${said}). The queue runs each task on a branch in a ` +
        'git worktree of the project and merges it back, so it needs one: run `git init` and make a first commit there, ' +
        'or run the task on its own with poli --task "TEXT".',
    );
  }
}

/**
 * A task's worktree directory is in a state poli did not make: another branch is checked out in it, or it is a
 * non-empty directory that is no worktree. poli never deletes it: it may hold someone's work.
 */
export class WorktreeConflictError extends PoliError {
  constructor(dir: string, detail: string) {
    super(
      'GIT_WORKTREE_CONFLICT',
      `the task worktree ${dir} cannot be used: ${detail}. poli changes nothing there; look at it, move it away ` +
        '(or remove it with `git worktree remove` once its commits are safe) and start the task again.',
    );
  }
}

/** A merge in the task's worktree is still open with every conflict resolved: it must be committed first. */
export class MergeUnfinishedError extends PoliError {
  constructor(worktree: string) {
    super(
      'GIT_MERGE_UNFINISHED',
      `a merge is still in progress in ${worktree} (MERGE_HEAD exists, no file is unmerged). ` +
        'Conclude it with commitAll before integrating again (poli does this itself; a caller that skipped it has a bug).',
    );
  }
}

/** The base branch (or commit) a task should start from or merge into does not exist. */
export class BaseNotFoundError extends PoliError {
  constructor(project: string, base: string) {
    super(
      'GIT_BASE_NOT_FOUND',
      `the base branch "${base}" does not exist in ${project}. Pass an existing branch with --base ` +
        '(`git branch` lists them), or create it first.',
    );
  }
}
