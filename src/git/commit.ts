import { join } from 'node:path';
import { identityArgs, resolveCommit } from './refs.ts';
import { gitOut, gitTest, splitNul, type GitDeps } from './runner.ts';
import { unmergedPaths } from './worktree.ts';

/** The lines git writes around a conflict: `<<<<<<< ours`, `=======`, `>>>>>>> theirs`. */
const MARKER_LINE = /^(?:<{7} |={7}\r?$|>{7} )/;

/** How many lines of `text` look like conflict markers (pure). */
export function countMarkerLines(text: string): number {
  let count = 0;
  for (const line of text.split('\n')) if (MARKER_LINE.test(line)) count += 1;
  return count;
}

/**
 * Whether a merged file still holds conflict markers (pure): more marker-like lines than either side of the merge
 * had. Counting against both sides keeps a file that legitimately contains such lines (a Markdown heading underlined
 * with exactly seven `=`, a test fixture of a merge tool) from being refused forever.
 */
export function hasLeftoverMarkers(merged: string, ours: string | undefined, theirs: string | undefined): boolean {
  const found = countMarkerLines(merged);
  if (found === 0) return false;
  return found > Math.max(countMarkerLines(ours ?? ''), countMarkerLines(theirs ?? ''));
}

/** What commitAll did: committed (or found nothing to commit), or refused because of conflict markers. */
export type CommitResult =
  | { kind: 'committed'; committed: boolean; head: string }
  | { kind: 'markers'; files: string[] };

/**
 * Commits everything in the task's worktree: `git add -A`, then `git commit` when anything is staged. A merge in
 * progress (MERGE_HEAD) is concluded as a merge commit with git's own merge message, even when the resolution left the
 * tree as it was. Refuses, as a result and before staging anything, when a file of that merge still holds conflict
 * markers: staging it would mark the conflict resolved and the markers would end up committed.
 *
 * The person's hooks run as usual; a hook that rejects the commit throws GitCommandError (the changes stay staged).
 */
export async function commitAll(deps: GitDeps, spec: { worktree: string; message: string }): Promise<CommitResult> {
  const { worktree, message } = spec;
  const mergeHead = await resolveCommit(deps, worktree, 'MERGE_HEAD');
  if (mergeHead !== undefined) {
    const files = await filesWithMarkers(deps, worktree, mergeHead);
    if (files.length > 0) return { kind: 'markers', files };
  }
  await gitOut(deps, worktree, ['add', '-A'], 'Is a file unreadable, or is another git command running there?');
  const clean = await gitTest(deps, worktree, ['diff', '--cached', '--quiet'], 'Is the index readable?');
  if (clean && mergeHead === undefined) {
    return { kind: 'committed', committed: false, head: await gitOut(deps, worktree, ['rev-parse', 'HEAD'], '') };
  }
  const messageArgs = mergeHead === undefined ? ['-m', message] : ['--no-edit'];
  const identity = await identityArgs(deps, worktree);
  await gitOut(
    deps,
    worktree,
    [...identity, 'commit', '--quiet', ...messageArgs],
    `The changes stay staged in ${worktree}. If a hook refused the commit, fix what it reports and retry.`,
  );
  return { kind: 'committed', committed: true, head: await gitOut(deps, worktree, ['rev-parse', 'HEAD'], '') };
}

/**
 * The files of the merge in progress that still hold markers: those git marks unmerged, and those changed against
 * HEAD (a file someone `git add`-ed with its markers is no longer "unmerged" but is no less broken).
 */
async function filesWithMarkers(deps: GitDeps, worktree: string, mergeHead: string): Promise<string[]> {
  const unmerged = unmergedPaths(await gitOut(deps, worktree, ['ls-files', '--unmerged', '-z'], 'Is the index readable?'));
  const changed = splitNul(await gitOut(deps, worktree, ['diff', '--name-only', '-z', 'HEAD'], 'Is the index readable?'));
  const found: string[] = [];
  for (const path of new Set([...unmerged, ...changed])) {
    const merged = await deps.readText(join(worktree, path));
    if (merged === undefined || countMarkerLines(merged) === 0) continue;
    const ours = await showBlob(deps, worktree, `HEAD:${path}`);
    const theirs = await showBlob(deps, worktree, `${mergeHead}:${path}`);
    if (hasLeftoverMarkers(merged, ours, theirs)) found.push(path);
  }
  return found.sort();
}

async function showBlob(deps: GitDeps, cwd: string, spec: string): Promise<string | undefined> {
  const result = await deps.run(['show', spec], { cwd });
  return result.exitCode === 0 ? result.stdout : undefined;
}
