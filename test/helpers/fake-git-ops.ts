import type { GitOps } from '../../src/queue/git-ops.ts';

type Answer<K extends keyof GitOps> = Awaited<ReturnType<GitOps[K]>>;

/**
 * A GitOps for the queue's unit tests: each step answers from a script (a list consumed in order, its last answer
 * kept), or throws when the scripted answer is an Error; every call is recorded as `step` plus its argument.
 */
export function createFakeGitOps(script: { [K in keyof GitOps]?: (Answer<K> | Error)[] } = {}) {
  const calls: { step: keyof GitOps; arg: unknown }[] = [];
  const defaults: { [K in keyof GitOps]: Answer<K> } = {
    currentBranch: 'main',
    createTaskWorktree: { baseCommit: 'base0' },
    commitAll: { kind: 'clean', head: 'head1' },
    integrate: { kind: 'ready', head: 'head1', baseCommit: 'base1' },
    runCheck: { ok: true, exitCode: 0, output: '' },
    advanceBase: { kind: 'merged', commit: 'merge1234567890' },
    taskRemoved: false,
    removeIfMerged: { removed: true },
  };
  const answer = async <K extends keyof GitOps>(step: K, arg: unknown): Promise<Answer<K>> => {
    calls.push({ step, arg });
    const list = script[step] as (Answer<K> | Error)[] | undefined;
    const next = list === undefined || list.length === 0 ? defaults[step] : list.length > 1 ? list.shift() : list[0];
    if (next instanceof Error) throw next;
    return next as Answer<K>;
  };
  const git: GitOps = {
    currentBranch: (project) => answer('currentBranch', project),
    createTaskWorktree: (o) => answer('createTaskWorktree', o),
    commitAll: (o) => answer('commitAll', o),
    integrate: (o) => answer('integrate', o),
    runCheck: (o) => answer('runCheck', o),
    advanceBase: (o) => answer('advanceBase', o),
    taskRemoved: (o) => answer('taskRemoved', o),
    removeIfMerged: (o) => answer('removeIfMerged', o),
  };
  return { git, calls, steps: () => calls.map((c) => c.step), script };
}
