/**
 * A pair's process is gone: what its task's record says decides what comes next. Completed → the merge queue.
 * Interrupted because a process died (the pair's, or the worker's before it) → resumed, the same attempt: receipts
 * keep a submitted message from being typed twice. Stopped by the person → stopped. Failed or timed out → retried with
 * fresh CLIs and a summary of the dialogue so far (poli's resume context), up to the task's retries; then failed.
 */
import type { TaskRecord } from '../state/types.ts';
import type { WorkerDeps } from './worker-deps.ts';
import type { QueuedTask } from './types.ts';
import { launchOrFail, prepareWorktree } from './launch.ts';

/** How often a task's pair is started again in a row without its dialogue moving before the task fails. */
const MAX_RELAUNCHES = 5;

/**
 * Relaunches per task since its dialogue last moved. Each worker keeps its own (a fresh worker starts again at 0), so
 * it is the worker's to hold and give: a module-level map would leak counts between workers in one process (tests).
 */
export type Relaunches = Map<string, { count: number; messages: number }>;

export async function pairEnded(deps: WorkerDeps, task: QueuedTask, how: { adopted: boolean; relaunches: Relaunches; worktreeRoot: string }): Promise<void> {
  const { relaunches } = how;
  const record = await deps.records.get(task.id);
  if (record === undefined) return fail(deps, task, `its record tasks/${task.id}.json is gone`);
  // Another process runs the dialogue (a pair started just before a kill, or the person's --resume): follow it.
  if ((record.status === 'running' || record.status === 'waiting') && deps.isAlive(record.pid)) {
    deps.queue.update(task.id, { childPid: record.pid }, ['running']);
    return;
  }
  switch (record.status) {
    case 'completed':
      if (deps.queue.enqueueMerge(task.id, ['running'])) deps.say(`poli: ${task.id} completed in ${record.rounds} round(s); queued for merging into ${task.base}`);
      relaunches.delete(task.id);
      return;
    case 'interrupted':
      // The person's poli stop holds, whichever worker sees it end (a worker that died meanwhile included).
      if (/\(poli stop\)/.test(record.error ?? '')) return stopped(deps, task);
      return relaunch(deps, relaunches, task, record, `resumed after ${record.error ?? 'an interruption'}`);
    case 'queued': {
      // The dialogue never started: the worker may have died between claiming the task and starting its pair, before
      // its worktree was made or its record pointed there (a pair would then refuse to resume it in the worktree).
      const prepared = await prepareWorktree(deps, how.worktreeRoot, task);
      if (prepared === undefined) return;
      return relaunch(deps, relaunches, prepared, record, 'started again: its pair ended before its dialogue did', await deps.logTail(task.id));
    }
    case 'running':
    case 'waiting':
      return relaunch(deps, relaunches, task, record, 'started again: its pair ended before its dialogue did', await deps.logTail(task.id));
    default:
      return retryOrFail(deps, task, record);
  }
}

/** The pair again on the same dialogue (same attempt), unless it keeps dying without the dialogue moving. */
async function relaunch(deps: WorkerDeps, relaunches: Relaunches, task: QueuedTask, record: TaskRecord, what: string, log = ''): Promise<void> {
  const seen = relaunches.get(task.id);
  const count = seen !== undefined && seen.messages === record.messages.length ? seen.count + 1 : 1;
  relaunches.set(task.id, { count, messages: record.messages.length });
  if (count > MAX_RELAUNCHES) {
    relaunches.delete(task.id);
    const tail = log.trim().split('\n').slice(-3).join(' / ');
    return fail(deps, task, `its pair ended ${MAX_RELAUNCHES} times in a row without the dialogue moving${tail ? ` (its log ends: ${tail})` : ''}; see poli logs ${task.id}`);
  }
  // A pair killed while it made its tmux session leaves half a session (one pane) that a new pair cannot start in
  // ("duplicate session"). Before its dialogue's first message its CLIs hold no context: start them afresh.
  if (record.messages.length === 0) await deps.killSession(task.id);
  launchOrFail(deps, task, what);
}

/** A failed or timed-out dialogue: again with fresh CLIs while retries are left. */
async function retryOrFail(deps: WorkerDeps, task: QueuedTask, record: TaskRecord): Promise<void> {
  const why = `its dialogue ended ${record.status}${record.error ? `: ${record.error}` : ''}`;
  // max_rounds resumes only with a higher --max-rounds: the person's call, not a retry's.
  if (record.status !== 'max_rounds' && task.attempts <= task.retries) {
    await deps.killSession(task.id);
    if (!deps.queue.update(task.id, { attempts: task.attempts + 1 }, ['running'])) return;
    launchOrFail(deps, { ...task, attempts: task.attempts + 1 }, `retried (attempt ${task.attempts + 1} of ${task.retries + 1}) after ${why}`);
    return;
  }
  await deps.killSession(task.id);
  fail(deps, task, why);
}

function fail(deps: WorkerDeps, task: QueuedTask, reason: string): void {
  if (deps.queue.update(task.id, { state: 'failed', reason, endedAt: new Date(deps.now()).toISOString() }, ['running'])) {
    deps.warn(`poli: ${task.id} failed: ${reason}. Its branch ${task.branch ?? ''} and worktree are kept; poli retry ${task.id} runs it again.`);
  }
}

function stopped(deps: WorkerDeps, task: QueuedTask): void {
  if (deps.queue.update(task.id, { state: 'stopped', reason: 'stopped by the person (poli stop)', endedAt: new Date(deps.now()).toISOString() }, ['running'])) {
    deps.say(`poli: ${task.id} stopped; its branch and worktree are kept (poli retry ${task.id} continues it)`);
  }
}
