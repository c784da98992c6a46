import { BaseNotFoundError, GitCommandError, MergeUnfinishedError, WorktreeConflictError } from './errors.ts';
import { branchRef, identityArgs, isAncestor, resolveCommit } from './refs.ts';
import { gitOut, type GitDeps } from './runner.ts';
import { unmergedPaths } from './worktree.ts';

/**
 * What integrate found. `base` is the base commit that was merged in (or found already contained): the `expected`
 * value to pass to advanceBase, so that the base is moved only if nobody moved it since.
 */
export type IntegrateResult =
  | { kind: 'ready'; head: string; base: string }
  | { kind: 'conflict'; files: string[]; output: string; base: string };

/**
 * Brings the base branch into the task's branch, inside the task's worktree. Already contained → ready; otherwise
 * `git merge --no-edit` of the base commit: clean → ready; conflicts → the merge is LEFT in progress, markers in the
 * files, for the EXECUTER in that worktree to resolve (then commitAll concludes it and integrate is called again).
 *
 * Call commitAll first: a dirty worktree makes git refuse the merge (thrown, nothing lost), and a merge in progress
 * whose conflicts are all resolved throws {@link MergeUnfinishedError}.
 */
export async function integrate(
  deps: GitDeps,
  spec: { worktree: string; branch: string; base: string },
): Promise<IntegrateResult> {
  const { worktree, branch, base } = spec;
  const onBranch = await deps.run(['symbolic-ref', '--quiet', 'HEAD'], { cwd: worktree });
  if (onBranch.stdout.trim() !== branchRef(branch)) {
    throw new WorktreeConflictError(worktree, `it has ${onBranch.stdout.trim() || 'a detached HEAD'} checked out, not ${branch}`);
  }
  const baseSha = await resolveCommit(deps, worktree, branchRef(base));
  if (baseSha === undefined) throw new BaseNotFoundError(worktree, base);
  if ((await resolveCommit(deps, worktree, 'MERGE_HEAD')) !== undefined) {
    const files = await conflictedFiles(deps, worktree);
    if (files.length === 0) throw new MergeUnfinishedError(worktree);
    return { kind: 'conflict', files, output: 'a merge is still in progress with unresolved conflicts', base: baseSha };
  }
  if (await isAncestor(deps, worktree, baseSha, 'HEAD')) {
    return { kind: 'ready', head: await gitOut(deps, worktree, ['rev-parse', 'HEAD'], ''), base: baseSha };
  }
  // The commit rather than the name, so the base merged in is exactly the one reported even if the base moves now.
  const args = [
    ...(await identityArgs(deps, worktree)),
    'merge',
    '--no-edit',
    '-m',
    `Merge ${base} (${baseSha.slice(0, 12)}) into ${branch}`,
    baseSha,
  ];
  const merge = await deps.run(args, { cwd: worktree });
  const output = `${merge.stdout}${merge.stderr}`.trim();
  if (merge.exitCode === 0) {
    return { kind: 'ready', head: await gitOut(deps, worktree, ['rev-parse', 'HEAD'], ''), base: baseSha };
  }
  const files = await conflictedFiles(deps, worktree);
  if (files.length > 0) return { kind: 'conflict', files, output, base: baseSha };
  // No conflict yet a failure: git refused to start (uncommitted changes in the way, a hook): nothing changed.
  throw new GitCommandError(args, worktree, merge, `Commit or discard the changes in ${worktree} (commitAll), then integrate again.`);
}

async function conflictedFiles(deps: GitDeps, worktree: string): Promise<string[]> {
  const text = await gitOut(deps, worktree, ['ls-files', '--unmerged', '-z'], 'Is the index readable?');
  return unmergedPaths(text).sort();
}
