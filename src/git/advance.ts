import { BaseNotFoundError, GitCommandError } from './errors.ts';
import { branchRef, identityArgs, isAncestor, listWorktrees, resolveCommit, type WorktreeEntry } from './refs.ts';
import { gitOut, type GitDeps } from './runner.ts';

/** How a task's branch is brought into the base branch. */
export type MergeStrategy = 'merge' | 'rebase';

/** What advanceBase needs: which branches, how, and the base commit integrate and the check saw. */
export interface AdvanceSpec {
  project: string;
  base: string;
  branch: string;
  strategy: MergeStrategy;
  /** The base commit the branch was integrated with and checked against: the base moves only from exactly here. */
  expected: string;
  /** The merge commit's message, e.g. "Merge poli/T7: add a queue". */
  message: string;
}

/** What advanceBase did. Nothing is lost in any case: a refusal leaves every branch and working tree as it was. */
export type AdvanceResult =
  | { kind: 'merged'; commit: string; how: 'already-merged' | 'fast-forward' | 'merge-commit' | 'rebase' }
  /** The base is no longer at `expected`: integrate again (and check again), then advance with the new base. */
  | { kind: 'base-moved'; current: string }
  /** The base is checked out in a worktree whose uncommitted changes git would not overwrite: retry later. */
  | { kind: 'checkout-dirty'; worktree: string; reason: string }
  /** The branch does not contain the base (integrate was skipped, or a rebase met conflicts and was aborted). */
  | { kind: 'not-integrated'; reason: string };

/**
 * Makes the base branch include the task's branch, as a compare-and-swap on the base commit `expected`.
 *
 * - 'merge': a merge commit with parents (base, branch head) and the branch's tree (`git commit-tree`). The branch
 *   already contains the base (integrate), so its tree is the merge result: nothing is merged a second time.
 * - 'rebase': when the branch has no merge commit since the base, it is rebased onto the base in its worktree (a
 *   no-op when the base is already its ancestor) and the base fast-forwards to it; otherwise a merge commit as above.
 *   A rebase that rewrites commits first keeps the old head under `refs/poli/pre-rebase/BRANCH/SHA`.
 *
 * The base then moves: in the worktree that has it checked out (`git merge --ff-only`, so the person's files follow
 * and git refuses rather than overwrite their uncommitted changes), or with `git update-ref NEW EXPECTED` when it is
 * checked out nowhere.
 */
export async function advanceBase(deps: GitDeps, spec: AdvanceSpec): Promise<AdvanceResult> {
  const { project, base, branch, expected } = spec;
  const current = await resolveCommit(deps, project, branchRef(base));
  if (current === undefined) throw new BaseNotFoundError(project, base);
  if (current !== expected) return { kind: 'base-moved', current };
  const head = await resolveCommit(deps, project, branchRef(branch));
  if (head === undefined) return { kind: 'not-integrated', reason: `the branch ${branch} does not exist` };
  if (await isAncestor(deps, project, head, expected)) return { kind: 'merged', commit: expected, how: 'already-merged' };
  const planned = await planCommit(deps, spec, head);
  if ('kind' in planned) return planned;
  const moved = await moveBase(deps, project, base, expected, planned.commit);
  return moved.kind === 'moved' ? { kind: 'merged', commit: planned.commit, how: planned.how } : moved;
}

type Planned = { commit: string; how: 'fast-forward' | 'merge-commit' | 'rebase' } | AdvanceResult;

/** The commit the base should move to, made but not yet on any branch the person sees. */
async function planCommit(deps: GitDeps, spec: AdvanceSpec, head: string): Promise<Planned> {
  const { project, branch, expected } = spec;
  const contained = await isAncestor(deps, project, expected, head);
  const merges = await gitOut(deps, project, ['rev-list', '--merges', `${expected}..${head}`], '');
  if (spec.strategy === 'rebase' && merges === '') {
    if (contained) return { commit: head, how: 'fast-forward' };
    return rebaseBranch(deps, spec, head);
  }
  if (!contained) {
    return { kind: 'not-integrated', reason: `${branch} does not contain ${spec.base} (${expected.slice(0, 12)}): integrate first` };
  }
  const tree = await gitOut(deps, project, ['rev-parse', `${head}^{tree}`], '');
  const args = [...(await identityArgs(deps, project)), 'commit-tree', tree, '-p', expected, '-p', head, '-m', spec.message];
  return { commit: await gitOut(deps, project, args, 'Is the repository writable?'), how: 'merge-commit' };
}

/** Rebases the branch onto `expected` in its worktree; on conflicts the rebase is aborted and the branch is as before. */
async function rebaseBranch(deps: GitDeps, spec: AdvanceSpec, head: string): Promise<Planned> {
  const { project, branch, expected } = spec;
  const entry = (await listWorktrees(deps, project)).find((item) => item.branch === branchRef(branch) && !item.prunable);
  if (entry === undefined) return { kind: 'not-integrated', reason: `${branch} is checked out in no worktree to rebase it in` };
  // The old commits stay reachable: a rebase makes copies, and the originals must not become garbage.
  await gitOut(deps, project, ['update-ref', `refs/poli/pre-rebase/${branch}/${head}`, head], 'Is the repository writable?');
  const rebase = await deps.run([...(await identityArgs(deps, entry.path)), 'rebase', expected], { cwd: entry.path });
  if (rebase.exitCode !== 0) {
    await deps.run(['rebase', '--abort'], { cwd: entry.path });
    return { kind: 'not-integrated', reason: `rebasing ${branch} onto ${spec.base} failed:\n${`${rebase.stdout}${rebase.stderr}`.trim()}` };
  }
  return { commit: await gitOut(deps, entry.path, ['rev-parse', 'HEAD'], ''), how: 'rebase' };
}

type Moved = { kind: 'moved' } | Extract<AdvanceResult, { kind: 'base-moved' | 'checkout-dirty' }>;

/** Moves the base from `expected` to `next` (a descendant of it), or reports why it did not. */
async function moveBase(deps: GitDeps, project: string, base: string, expected: string, next: string): Promise<Moved> {
  const worktrees = (await listWorktrees(deps, project)).filter((item) => !item.prunable);
  const rebasing = await findRebaseOf(deps, worktrees, branchRef(base));
  if (rebasing !== undefined) {
    // Moving the branch under someone's rebase would make its end fail ("cannot lock ref"): wait for it instead.
    return { kind: 'checkout-dirty', worktree: rebasing, reason: `a rebase of ${base} is in progress in ${rebasing}` };
  }
  const checkout = worktrees.find((item) => item.branch === branchRef(base));
  if (checkout !== undefined) {
    // --ff-only can only add commits: if the person committed on the base meanwhile, git refuses, and we say so.
    const merge = await deps.run(['merge', '--ff-only', '--quiet', next], { cwd: checkout.path });
    if (merge.exitCode === 0) return { kind: 'moved' };
    const now = await resolveCommit(deps, project, branchRef(base));
    if (now !== undefined && now !== expected) return { kind: 'base-moved', current: now };
    return { kind: 'checkout-dirty', worktree: checkout.path, reason: `${merge.stdout}${merge.stderr}`.trim() };
  }
  const args = ['update-ref', '-m', `poli: advance ${base}`, branchRef(base), next, expected];
  const update = await deps.run(args, { cwd: project });
  if (update.exitCode === 0) return { kind: 'moved' };
  const now = await resolveCommit(deps, project, branchRef(base));
  if (now !== undefined && now !== expected) return { kind: 'base-moved', current: now };
  throw new GitCommandError(args, project, update, 'Nothing moved; is the repository writable?');
}

/** The worktree in which `ref` is being rebased (its HEAD is detached meanwhile, so the worktree list does not say). */
async function findRebaseOf(deps: GitDeps, worktrees: WorktreeEntry[], ref: string): Promise<string | undefined> {
  for (const entry of worktrees) {
    if (entry.branch !== undefined || entry.head === undefined) continue;
    for (const state of ['rebase-merge', 'rebase-apply']) {
      const path = await gitOut(deps, entry.path, ['rev-parse', '--path-format=absolute', '--git-path', `${state}/head-name`], '');
      if ((await deps.readText(path))?.trim() === ref) return entry.path;
    }
  }
  return undefined;
}
