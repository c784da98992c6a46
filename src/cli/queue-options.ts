/**
 * The queue's commands and options (issue 20): `poli add`, `queue`, `work`, `ps`, `logs`, `merge`, `retry`. Kept
 * apart from options.ts, which lists them with the others.
 */
import type { CommandSpec, OptionSpec } from './option-types.ts';

export const QUEUE_SUBCOMMANDS = ['add', 'queue', 'work', 'ps', 'logs', 'merge', 'retry'] as const;
export type QueueSubcommand = (typeof QUEUE_SUBCOMMANDS)[number];

export const QUEUE_OPTIONS: readonly OptionSpec[] = [
  { flag: 'priority', type: 'string', choices: ['high', 'normal', 'low'], describe: 'With add: the task\'s priority (default: normal)' },
  { flag: 'after', type: 'string', describe: 'With add: ids of tasks that must be merged first, e.g. T3,T4' },
  { flag: 'base', type: 'string', describe: 'With add: the branch the task starts from and is merged into (default: the project\'s current branch)' },
  { flag: 'retries', type: 'string', describe: 'With add: how often a failed or timed-out dialogue runs again (default: 1)' },
  { flag: 'parallel', type: 'string', describe: 'With work: pairs at once, a number or auto (default: 2)' },
  { flag: 'check', type: 'string', describe: 'With work: a command run in a task\'s worktree before it is merged, e.g. "npm test"' },
  { flag: 'strategy', type: 'string', choices: ['merge', 'rebase'], describe: 'With work: a merge commit, or rebase and fast-forward (default: merge)' },
  { flag: 'merge-retries', type: 'string', describe: 'With work: revisions after a conflict or failed check before a task waits for you (default: 2)' },
  { flag: 'watch', type: 'boolean', describe: 'With work: keep waiting for new tasks once the queue is empty (--serve does too)' },
  { flag: 'follow', short: 'f', type: 'boolean', describe: 'With logs: keep printing as the log grows' },
];

export const QUEUE_OPTION_OWNER: Record<string, QueueSubcommand> = {
  priority: 'add',
  after: 'add',
  base: 'add',
  retries: 'add',
  parallel: 'work',
  check: 'work',
  strategy: 'work',
  'merge-retries': 'work',
  watch: 'work',
  follow: 'logs',
};

export const QUEUE_COMMANDS: Record<QueueSubcommand, CommandSpec> = {
  add: {
    usage: 'poli add "TEXT" [--priority high|normal|low] [--after T3,T4] [--base BRANCH] [--type TYPE] [--planner-cmd CMD] [--executer-cmd CMD] [--retries N] [--budget USD] (or --task-file FILE, - for stdin)',
    describe: 'queue a task for `poli work`: it runs in its own git worktree on a branch poli/ID and is merged back when done',
    settings: ['state-dir', 'project-dir', 'planner-cmd', 'executer-cmd'],
  },
  queue: { usage: 'poli queue [--all] [--json]', describe: 'list the queue: id, priority, state, what each task waits on, type (--all: merged ones too)', settings: ['state-dir'] },
  work: {
    usage: 'poli work [--parallel N|auto] [--check CMD] [--strategy merge|rebase] [--merge-retries N] [--watch] [--approve plans|all] [--budget USD] [--queue-budget USD]',
    describe: 'run the queued tasks, up to N pairs at once, each in its own worktree, and merge each one back into its base branch',
    settings: 'all',
  },
  ps: { usage: 'poli ps [--json]', describe: 'the queue and the running pairs: id, state, round, elapsed, branch, waiting on what', settings: ['state-dir'] },
  logs: { usage: 'poli logs ID [-f]', describe: "print a queued task's log (its pair's poli output), -f to follow it", settings: ['state-dir'] },
  merge: { usage: 'poli merge ID', describe: 'merge a task that waits for you (needs_merge) again, once you fixed its branch', settings: ['state-dir', 'socket'] },
  retry: { usage: 'poli retry ID', describe: 'queue a failed, stopped or blocked task again (its branch and dialogue are kept)', settings: ['state-dir'] },
};
