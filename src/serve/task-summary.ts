/**
 * A task as the dashboard lists it (`TaskSummary`, /work/dash-context.md): its entry of `poli --state --json` without
 * the messages, plus how long it ran, what it waits on, its tmux session, and how many approvals wait for the person.
 * Pure: records, the queue and the time in, plain objects out. Never a task's planner or executer command (they may
 * carry `KEY=value` secrets): those are not in the public view.
 */
import { statusOf, waitingText } from '../queue/queue-json.ts';
import type { QueuedTask } from '../queue/types.ts';
import { DEFAULT_SESSION } from '../state/claim-key.ts';
import { toPublicState } from '../state/store.ts';
import { taskDurationMs } from '../state/task-duration.ts';
import type { PublicQueue, PublicState, TaskRecord, TaskUsage } from '../state/types.ts';
import { currentTurn } from '../terminal/status-line.ts';

type PublicTask = PublicState['tasks'][number];

/** One task of `/api/tasks`. */
export type TaskSummary = Omit<PublicTask, 'messages'> & {
  elapsedMs: number;
  /** What `poli ps` shows under WAITING ON; "" when nothing. */
  waitingOn: string;
  /** The tmux session its panes are in. */
  session: string;
  pendingApprovals: number;
  /** While a running task is held: `paused` (poli pause) or `you` (it asks for an approval). */
  held?: 'paused' | 'you';
  panes?: { planner: boolean; executer: boolean };
  /** Tokens and cost (issue 22): the task's totals, per role and per message poli typed; absent while none is known. */
  usage?: TaskUsage;
};

/** One task of `/api/tasks/:id`: the summary and every message with its body, as in `--state --json`. */
export type TaskDetail = TaskSummary & { messages: PublicTask['messages'] };

/** What the summaries are made of. */
export interface SummaryInput {
  records: readonly TaskRecord[];
  queue: readonly QueuedTask[];
  /** Pending approvals per task id. */
  approvals: ReadonlyMap<string, number>;
  now: number;
}

/** The queue's view of a task, as `--state --json` gives it (tasks from before the queue, `done`, have none). */
export function publicQueueView(queue: readonly QueuedTask[]): Map<string, PublicQueue> {
  return new Map(
    queue
      .filter((t) => t.state !== 'done')
      .map((t): [string, PublicQueue] => [
        t.id,
        { state: t.state, priority: t.priority, after: t.after, type: t.type ?? null, branch: t.branch ?? null, base: t.base, mergedCommit: t.mergedCommit ?? null, reason: t.reason ?? null },
      ]),
  );
}

/** Every task, newest first, with its messages (`summarizeTasks` drops them). */
export function detailTasks(input: SummaryInput): TaskDetail[] {
  const view = publicQueueView(input.queue);
  const byId = new Map(input.records.map((r) => [r.id, r]));
  const queued = new Map(input.queue.map((t) => [t.id, t]));
  const records = new Map(input.records.map((r) => [r.id, r]));
  const pub = toPublicState(input.records, view).tasks;
  return pub
    .map((t): TaskDetail => {
      const record = byId.get(t.id) as TaskRecord;
      const q = queued.get(t.id);
      return {
        ...t,
        elapsedMs: Math.max(0, taskDurationMs(record, input.now)),
        waitingOn: q !== undefined && q.state !== 'done' ? waitingText(q, input.queue, record, statusOf(records)) : ownWaiting(record),
        session: taskSession(record, q),
        pendingApprovals: input.approvals.get(t.id) ?? 0,
        ...(record.held && record.endedAt === null ? { held: record.held.kind } : {}),
        ...(record.usage ? { usage: record.usage } : {}),
      };
    })
    .reverse();
}

/**
 * The tmux session a task's CLIs run in: the one its record names, or, for a task of the queue, the one named after
 * it (`poli work` starts each pair with --session T7, as `poli say T7` assumes), or the socket's default one.
 */
export function taskSession(record: TaskRecord, queued: QueuedTask | undefined): string {
  return record.session ?? (queued !== undefined && queued.state !== 'done' ? record.id : DEFAULT_SESSION);
}

/** `/api/tasks`: every task, newest first, without messages. */
export function summarizeTasks(input: SummaryInput): TaskSummary[] {
  return detailTasks(input).map(({ messages: _messages, ...summary }) => summary);
}

/** What a task run outside the queue (`poli --task`) waits on while it runs. */
function ownWaiting(record: TaskRecord): string {
  if (record.status !== 'running' && record.status !== 'waiting') return '';
  if (record.status === 'waiting' && record.waiting) return record.waiting.reason;
  if (record.held) return record.held.kind === 'paused' ? 'paused' : 'you';
  return currentTurn(record).waitingFor ?? '';
}
