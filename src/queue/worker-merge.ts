/**
 * The merge queue's turn in the worker: the first task waiting to be merged (first completed, first merged) goes
 * through mergeTask while no other merge runs anywhere (the store's merge lock). A conflict or a failing check sends it
 * back to its own dialogue as a revision — the pair is resumed on the same record, its CLIs kept — until the limit;
 * then it waits for the person as `needs_merge`.
 */
import { messageId } from '../session/task-report.ts';
import type { TaskRecord } from '../state/types.ts';
import { launchOrFail } from './launch.ts';
import { mergeTask } from './merge.ts';
import type { WorkerDeps, WorkerOptions } from './worker-deps.ts';
import type { QueuedTask } from './types.ts';

/**
 * Starts the next merge, if a task waits and no other merge runs; undefined when there is none to start.
 * `interrupted` says whether the worker was asked to stop (Ctrl+C, SIGTERM) meanwhile.
 */
export function mergeNext(deps: WorkerDeps, options: WorkerOptions, onMerged: (id: string) => void, interrupted: () => boolean = () => false): Promise<void> | undefined {
  const waiting = deps.queue
    .list()
    .filter((t) => t.state === 'merging')
    .sort((a, b) => (a.mergeSeq ?? 0) - (b.mergeSeq ?? 0));
  const next = waiting[0];
  if (next === undefined) return undefined;
  if (!deps.queue.lockMerges(deps.pid, deps.isAlive)) return undefined;
  return mergeOne(deps, options, next, onMerged, interrupted).finally(() => deps.queue.unlockMerges(deps.pid));
}

async function mergeOne(deps: WorkerDeps, options: WorkerOptions, task: QueuedTask, onMerged: (id: string) => void, interrupted: () => boolean): Promise<void> {
  const record = await deps.records.get(task.id);
  deps.say(`poli: ${task.id}: merging ${task.branch ?? ''} into ${task.base}`);
  const outcome = await mergeTask(task, {
    git: deps.git,
    strategy: options.strategy,
    ...(options.check !== undefined ? { check: options.check } : {}),
    checkTimeoutMs: options.checkTimeoutMs,
    ...(record ? { closing: closingText(record) } : {}),
    say: deps.say,
  });
  const endedAt = new Date(deps.now()).toISOString();
  if (outcome.kind === 'merged') {
    deps.queue.update(task.id, { state: 'merged', mergedCommit: outcome.commit === '' ? undefined : outcome.commit, endedAt, reason: outcome.note }, ['merging']);
    await deps.killSession(task.id);
    onMerged(task.id);
    deps.say(`poli: ${task.id} merged into ${task.base} (${outcome.commit.slice(0, 10)})${outcome.removed ? '' : `; its worktree is kept: ${outcome.note ?? ''}`}`);
    return;
  }
  // Ctrl+C in a terminal reaches git and the check too (one foreground process group): a git that died of it or a
  // check cut short says nothing about the task. It stays `merging`; the next `poli work` runs the merge again from
  // its first step (each step is safe to run again), instead of a needs_merge or a revision the task never earned.
  if (interrupted()) {
    deps.warn(`poli: ${task.id}: its merge was interrupted; it stays queued for merging and the next poli work runs it again`);
    return;
  }
  if (outcome.kind === 'revise' && task.mergeAttempts < options.mergeRetries && record !== undefined) {
    await sendBack(deps, task, record, { why: outcome.why, body: outcome.body, limit: options.mergeRetries });
    return;
  }
  const reason = outcome.kind === 'revise' ? `${outcome.why}, after ${task.mergeAttempts} revision(s)` : outcome.reason;
  deps.queue.update(task.id, { state: 'needs_merge', reason, endedAt }, ['merging']);
  deps.warn(`poli: ${task.id} needs you to merge it: ${reason}. Its branch ${task.branch ?? ''} is kept; fix it there, then: poli merge ${task.id}`);
}

/**
 * Back to the task's dialogue: the revision is recorded as poli's message to the EXECUTER and the task resumed, which
 * sends it (same id, receipts as for any message); the pair's CLIs, still running in its session, keep their context.
 */
async function sendBack(deps: WorkerDeps, task: QueuedTask, record: TaskRecord, back: { why: string; body: string; limit: number }): Promise<void> {
  const { why, body } = back;
  const round = record.rounds + 1;
  const id = messageId(Number(task.id.slice(1)), round, Math.floor(deps.random() * 0xffffffff));
  const at = new Date(deps.now()).toISOString();
  await deps.records.appendMessage(task.id, { from: 'ORCHESTRATOR', to: 'EXECUTER', type: 'revision', id, body, at });
  // The revision is a round of the executer's work like any other (it counts against --max-rounds).
  await deps.records.update(task.id, { status: 'interrupted', error: `sent back by the merge queue: ${why}`, rounds: round });
  if (!deps.queue.update(task.id, { state: 'running', mergeAttempts: task.mergeAttempts + 1, workerPid: deps.pid, childPid: undefined }, ['merging'])) return;
  deps.warn(`poli: ${task.id} goes back to its dialogue (revision ${task.mergeAttempts + 1} of at most ${back.limit}): ${why}`);
  launchOrFail(deps, task, 'resumed with the merge queue\'s revision');
}

/** The planner's closing text (its `complete`), for the commit message. */
function closingText(record: TaskRecord): string | undefined {
  const complete = [...record.messages].reverse().find((m) => m.from === 'PLANNER' && m.type === 'complete');
  return complete?.body.trim() || undefined;
}
