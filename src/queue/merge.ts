/**
 * One task through the merge queue (issue 20, item 4): commit what the executer left, bring the base in, run the
 * check, move the base. Each step is safe to run again after a kill (a commit already made, a base already merged, a
 * merge in progress are all found as they are), and nothing here deletes a commit: the worktree and branch go only once
 * git says every commit of the branch is reachable from the base (GitOps.removeIfMerged).
 */
import type { GitOps, MergeStrategy } from './git-ops.ts';
import type { QueuedTask } from './types.ts';

/** How a merge attempt ended. */
export type MergeOutcome =
  | { kind: 'merged'; commit: string; removed: boolean; note?: string }
  /** Back to the task's dialogue as a revision: conflicts, markers left, or a failing check. */
  | { kind: 'revise'; why: string; body: string }
  /** The person has to act (their checkout is in the way, git failed): `poli merge T7` tries again. */
  | { kind: 'needs_person'; reason: string };

export interface MergeOptions {
  git: GitOps;
  strategy: MergeStrategy;
  /** A command run in the worktree before the base moves (`--check "npm test"`). */
  check?: string;
  checkTimeoutMs: number;
  /** The planner's closing text, for the commit message. */
  closing?: string;
  /** Lines of progress for the person (`poli work`'s output). */
  say?(line: string): void;
}

/** How often the base may move under one attempt before the attempt gives up for now. */
const BASE_MOVES = 5;

/** Runs the merge of one task whose dialogue completed. */
export async function mergeTask(task: QueuedTask, options: MergeOptions): Promise<MergeOutcome> {
  const { git } = options;
  const { branch, worktree } = task;
  if (!branch || !worktree) return { kind: 'needs_person', reason: `${task.id} has no branch or worktree recorded` };
  try {
    // A kill after the merge removed the branch and worktree, before the queue recorded it: it is merged.
    if (await git.taskRemoved({ project: task.project, worktree, branch })) {
      return { kind: 'merged', commit: '', removed: true, note: `its branch and worktree were removed by a merge that finished before poli stopped` };
    }
    const committed = await git.commitAll({ worktree, message: commitMessage(task, options.closing) });
    if (committed.kind === 'markers') {
      return revise(task, `conflict markers are still in ${committed.files.join(', ')}`, markersBody(task, committed.files));
    }
    for (let move = 0; move < BASE_MOVES; move++) {
      const integrated = await git.integrate({ worktree, branch, base: task.base });
      if (integrated.kind === 'conflict') return revise(task, `merging ${task.base} into ${branch} conflicts in ${integrated.files.join(', ')}`, conflictBody(task, integrated.files));
      if (options.check !== undefined) {
        options.say?.(`poli: ${task.id}: running the check (${options.check}) in its worktree`);
        const checked = await git.runCheck({ worktree, command: options.check, timeoutMs: options.checkTimeoutMs });
        if (!checked.ok) return revise(task, `the check failed (exit ${String(checked.exitCode)})`, checkBody(task, options.check, checked.output));
      }
      const advanced = await git.advanceBase({ project: task.project, worktree, base: task.base, branch, strategy: options.strategy, expected: integrated.baseCommit, message: mergeMessage(task) });
      if (advanced.kind === 'base-moved') continue;
      if (advanced.kind === 'checkout-dirty') return { kind: 'needs_person', reason: advanced.reason };
      return await finish(task, advanced.commit, git);
    }
    return { kind: 'needs_person', reason: `${task.base} kept moving while poli merged ${branch} (${BASE_MOVES} times); poli merge ${task.id} tries again` };
  } catch (error) {
    return { kind: 'needs_person', reason: `git failed while merging ${branch}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Merged: the worktree and branch go, once git confirms the branch is in the base. */
async function finish(task: QueuedTask, commit: string, git: GitOps): Promise<MergeOutcome> {
  const where = { project: task.project, worktree: task.worktree ?? '', branch: task.branch ?? '', base: task.base };
  // The base has moved: whatever the clean-up meets, the task is merged (and not sent to the person as unmerged).
  const removed = await git.removeIfMerged(where).catch((error: unknown) => ({
    removed: false,
    reason: `could not remove its worktree and branch: ${error instanceof Error ? error.message : String(error)}`,
  }));
  return { kind: 'merged', commit, removed: removed.removed, ...(removed.reason ? { note: removed.reason } : {}) };
}

function revise(task: QueuedTask, why: string, body: string): MergeOutcome {
  return { kind: 'revise', why, body };
}

/** The commit of what the executer left uncommitted: the task's first line, then the planner's closing text. */
export function commitMessage(task: QueuedTask, closing?: string): string {
  const title = firstLine(task.text, 60);
  return [`${task.id}: ${title}`, '', task.text, ...(closing ? ['', closing] : []), '', `Committed by poli for task ${task.id}.`].join('\n');
}

export function mergeMessage(task: QueuedTask): string {
  return `Merge ${task.branch ?? ''}: ${firstLine(task.text, 60)}`;
}

/**
 * The revision for a conflict. The task's own text ends it, on lines of its own, so the executer (a mock too) can do
 * the work again where resolving means redoing it.
 */
export function conflictBody(task: QueuedTask, files: readonly string[]): string {
  return [
    `poli could not merge your branch ${task.branch ?? ''} into ${task.base}: bringing ${task.base} into it conflicts in: ${files.join(', ')}.`,
    'The merge is in progress in your working directory, with conflict markers in those files.',
    'Resolve the conflicts so that the files do what the task asks and keep what the other change did where it can, then report your result as usual; poli commits the merge.',
    'The task:',
    task.text,
  ].join('\n');
}

export function markersBody(task: QueuedTask, files: readonly string[]): string {
  return [
    `poli could not commit the merge of ${task.base} into ${task.branch ?? ''}: conflict markers (<<<<<<<, =======, >>>>>>>) are still in: ${files.join(', ')}.`,
    'Resolve them so that the files do what the task asks, then report your result as usual.',
    'The task:',
    task.text,
  ].join('\n');
}

export function checkBody(task: QueuedTask, command: string, output: string): string {
  return [
    `poli's check before merging into ${task.base} failed: \`${command}\` in your working directory.`,
    'Its output (the end):',
    output.trimEnd() === '' ? '(no output)' : output.trimEnd(),
    'Fix what it reports, then report your result as usual; poli runs the check again.',
    'The task:',
    task.text,
  ].join('\n');
}

function firstLine(text: string, max: number): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
