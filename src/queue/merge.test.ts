import { describe, expect, it } from 'vitest';
import { createFakeGitOps } from '../../test/helpers/fake-git-ops.ts';
import { checkBody, commitMessage, mergeTask, type MergeOptions } from './merge.ts';
import type { QueuedTask } from './types.ts';

const TEXT = 'Create alpha.txt containing ALPHA';
const task: QueuedTask = {
  id: 'T7', num: 7, text: TEXT, priority: 'normal', state: 'merging', after: [], retries: 1, attempts: 1, mergeAttempts: 0,
  project: '/p', base: 'main', branch: 'poli/T7', worktree: '/s/worktrees/T7', addedAt: '2026-12-07T10:00:00.000Z',
};

function options(git: MergeOptions['git'], more: Partial<MergeOptions> = {}): MergeOptions {
  return { git, strategy: 'merge', checkTimeoutMs: 1000, ...more };
}

describe('mergeTask', () => {
  it('commits, brings the base in, runs the check, moves the base by compare-and-swap and removes the worktree', async () => {
    const fake = createFakeGitOps();
    const said: string[] = [];
    const outcome = await mergeTask(task, options(fake.git, { check: 'npm test', closing: 'Done: alpha.txt', say: (l) => said.push(l) }));
    expect(outcome).toEqual({ kind: 'merged', commit: 'merge1234567890', removed: true });
    expect(fake.steps()).toEqual(['taskRemoved', 'commitAll', 'integrate', 'runCheck', 'advanceBase', 'removeIfMerged']);
    expect(fake.calls[1]?.arg).toEqual({ worktree: '/s/worktrees/T7', message: commitMessage(task, 'Done: alpha.txt') });
    expect(commitMessage(task, 'Done: alpha.txt')).toBe(`T7: ${TEXT}\n\n${TEXT}\n\nDone: alpha.txt\n\nCommitted by poli for task T7.`);
    expect(fake.calls[4]?.arg).toMatchObject({ project: '/p', base: 'main', branch: 'poli/T7', strategy: 'merge', expected: 'base1', message: `Merge poli/T7: ${TEXT}` });
    expect(said).toEqual(['poli: T7: running the check (npm test) in its worktree']);
  });

  it('sends conflict markers left in files back as a revision', async () => {
    const fake = createFakeGitOps({ commitAll: [{ kind: 'markers', files: ['a.txt', 'b.txt'] }] });
    const outcome = await mergeTask(task, options(fake.git));
    expect(outcome).toMatchObject({ kind: 'revise', why: 'conflict markers are still in a.txt, b.txt' });
    expect(outcome.kind === 'revise' && outcome.body).toMatch(/still in: a\.txt, b\.txt\.[\s\S]*The task:\nCreate alpha\.txt containing ALPHA$/);
    expect(fake.steps()).toEqual(['taskRemoved', 'commitAll']);
  });

  it('sends a conflict bringing the base in back as a revision that names the files and ends with the task', async () => {
    const fake = createFakeGitOps({ integrate: [{ kind: 'conflict', files: ['alpha.txt'], output: 'CONFLICT' }] });
    const outcome = await mergeTask(task, options(fake.git, { check: 'npm test' }));
    expect(outcome).toMatchObject({ kind: 'revise', why: 'merging main into poli/T7 conflicts in alpha.txt' });
    expect(outcome.kind === 'revise' && outcome.body).toMatch(/^poli could not merge your branch poli\/T7 into main: .* conflicts in: alpha\.txt\.\n[\s\S]*\nThe task:\nCreate alpha\.txt containing ALPHA$/);
    expect(fake.steps()).toEqual(['taskRemoved', 'commitAll', 'integrate']);
  });

  it('sends a failing check back with its output, and does not move the base', async () => {
    const fake = createFakeGitOps({ runCheck: [{ ok: false, exitCode: 1, output: 'FAIL alpha.test.ts\n\n' }] });
    const outcome = await mergeTask(task, options(fake.git, { check: 'npm test' }));
    expect(outcome).toEqual({ kind: 'revise', why: 'the check failed (exit 1)', body: checkBody(task, 'npm test', 'FAIL alpha.test.ts\n\n') });
    expect(outcome.kind === 'revise' && outcome.body).toContain('Its output (the end):\nFAIL alpha.test.ts\nFix what it reports');
    expect(checkBody(task, 'x', ' \n')).toContain('(no output)');
    expect(fake.steps()).not.toContain('advanceBase');
  });

  it('brings the base in again when it moved, then merges', async () => {
    const fake = createFakeGitOps({
      integrate: [{ kind: 'ready', head: 'h1', baseCommit: 'b1' }, { kind: 'ready', head: 'h2', baseCommit: 'b2' }],
      advanceBase: [{ kind: 'base-moved' }, { kind: 'merged', commit: 'm2' }],
    });
    expect(await mergeTask(task, options(fake.git))).toEqual({ kind: 'merged', commit: 'm2', removed: true });
    expect(fake.steps()).toEqual(['taskRemoved', 'commitAll', 'integrate', 'advanceBase', 'integrate', 'advanceBase', 'removeIfMerged']);
    expect(fake.calls.filter((c) => c.step === 'advanceBase').map((c) => (c.arg as { expected: string }).expected)).toEqual(['b1', 'b2']);
  });

  it('gives up for now when the base keeps moving', async () => {
    const fake = createFakeGitOps({ advanceBase: [{ kind: 'base-moved' }] });
    expect(await mergeTask(task, options(fake.git))).toEqual({ kind: 'needs_person', reason: 'main kept moving while poli merged poli/T7 (5 times); poli merge T7 tries again' });
  });

  it('waits for the person when their checkout is in the way', async () => {
    const fake = createFakeGitOps({ advanceBase: [{ kind: 'checkout-dirty', reason: 'your checkout of main has uncommitted changes' }] });
    expect(await mergeTask(task, options(fake.git))).toEqual({ kind: 'needs_person', reason: 'your checkout of main has uncommitted changes' });
    expect(fake.steps()).not.toContain('removeIfMerged');
  });

  it('waits for the person when git throws, with its message', async () => {
    const fake = createFakeGitOps({ integrate: [new Error('fatal: not a git repository')] });
    expect(await mergeTask(task, options(fake.git))).toEqual({ kind: 'needs_person', reason: 'git failed while merging poli/T7: fatal: not a git repository' });
    const noBranch = await mergeTask({ ...task, branch: undefined }, options(createFakeGitOps().git));
    expect(noBranch).toEqual({ kind: 'needs_person', reason: 'T7 has no branch or worktree recorded' });
  });

  it('is merged with a note when the worktree is kept', async () => {
    const fake = createFakeGitOps({ removeIfMerged: [{ removed: false, reason: 'the worktree has uncommitted changes' }] });
    expect(await mergeTask(task, options(fake.git))).toEqual({ kind: 'merged', commit: 'merge1234567890', removed: false, note: 'the worktree has uncommitted changes' });
  });

  it('is merged with a note when removing the worktree fails after the base moved', async () => {
    const fake = createFakeGitOps({ removeIfMerged: [new Error('fatal: cannot remove worktree: Device or resource busy')] });
    expect(await mergeTask(task, options(fake.git))).toEqual({
      kind: 'merged', commit: 'merge1234567890', removed: false, note: 'could not remove its worktree and branch: fatal: cannot remove worktree: Device or resource busy',
    });
  });

  it('finds a merge that removed the branch and worktree before a kill: merged, nothing else run', async () => {
    const fake = createFakeGitOps({ taskRemoved: [true] });
    const outcome = await mergeTask(task, options(fake.git));
    expect(outcome).toEqual({ kind: 'merged', commit: '', removed: true, note: 'its branch and worktree were removed by a merge that finished before poli stopped' });
    expect(fake.steps()).toEqual(['taskRemoved']);
  });
});
