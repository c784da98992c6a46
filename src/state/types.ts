import type { Addressee, MessageType, Role, Sender } from '../protocol/types.ts';
import type { UsageTotals } from '../usage/types.ts';

/**
 * Where a task ended up; `queued` while it waits in the queue for a worker (`poli add`, src/queue/); `running` until the dialogue loop (or the next start, for a dead process) says otherwise.
 * `waiting`: still driven, but a CLI cannot answer until a usage limit resets or a person logs in (`waiting` below).
 */
export type TaskStatus = 'queued' | 'running' | 'waiting' | 'completed' | 'failed' | 'timeout' | 'max_rounds' | 'interrupted';

/** The statuses of a task that is over. */
export type EndStatus = Exclude<TaskStatus, 'queued' | 'running' | 'waiting'>;

/** What a `waiting` task waits for. */
export interface WaitRecord {
  /** `usage` (a usage limit), `auth` (a login) or `budget` (the task's or the queue's cost budget is spent). */
  kind: 'usage' | 'auth' | 'budget';
  role: Role;
  /** In words, e.g. "the EXECUTER hit its usage limit (resets 7:30am (UTC)); poli checks it again at 07:32 UTC". */
  reason: string;
  /** ISO 8601: when the wait began. */
  since: string;
  /** ISO 8601: when poli looks at the CLI again; null: once the pane is idle again (a login). */
  until: string | null;
  /** ISO 8601: the reset time the CLI showed, when it showed one. */
  resetAt?: string;
}

export const TASK_STATUSES: readonly TaskStatus[] = [
  'queued',
  'running',
  'waiting',
  'completed',
  'failed',
  'timeout',
  'max_rounds',
  'interrupted',
];

/** One message of the dialogue, as routed. */
export interface MessageRecord {
  from: Sender;
  to: Addressee;
  type: MessageType;
  id: string;
  body: string;
  /** ISO 8601 time the message was recorded. */
  at: string;
  /** Header fields of the block other than to/type/id (docs/protocol.md: kept, and forwarded with the body). */
  extra?: Record<string, unknown>;
  /** How a CLI's reply reached poli: tool, command, file, transcript or screen (docs/protocol.md, "Channels"). */
  channel?: string;
  /** Read from the screen of a CLI that breaks long lines itself: the body may carry line breaks it added. */
  mayBeWrapped?: boolean;
}

/**
 * How far the delivery of a message poli typed into a CLI got: written (about to be typed), pasted (in the CLI's
 * input), submitted (the CLI took it), answered (its reply was read). `--resume` never sends a submitted message
 * again: it looks for the reply first (dialogue/resume.ts).
 */
export type DeliveryStage = 'written' | 'pasted' | 'submitted' | 'answered';
export const DELIVERY_STAGES: readonly DeliveryStage[] = ['written', 'pasted', 'submitted', 'answered'];

/** The receipt of one message poli sent to a CLI, under the id it was sent with. */
export interface DeliveryRecord {
  id: string;
  to: Role;
  type: MessageType;
  /** The body as typed (notes from the person included), to type it again under the same id if it was lost. */
  body: string;
  extra?: Record<string, unknown>;
  stage: DeliveryStage;
  /** ISO 8601 time of the latest stage. */
  at: string;
  /** How many messages were recorded when it was written: what came after it tells whether it is still pending. */
  after: number;
}

/** Everything poli keeps about one task; one JSON file per task. */
export interface TaskRecord {
  /** `T1`, `T2`, … */
  id: string;
  task: string;
  status: TaskStatus;
  /** While `status` is `waiting`: what for, and until when. */
  waiting?: WaitRecord;
  /** Every wait for a usage limit or a login this task went through, in order (for the transcript). */
  waits?: WaitRecord[];
  rounds: number;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; null while running. */
  endedAt: string | null;
  messages: MessageRecord[];
  error?: string;
  /** The poli process driving (or that drove) the task. */
  pid: number;
  socket: string;
  /** The tmux session of the socket it runs in, when named (`--session T7`); absent: the default session. */
  session?: string;
  projectDir: string;
  approvals?: unknown[];
  /** The delivery receipt of every message poli typed into a CLI, in the order they were sent. */
  deliveries?: DeliveryRecord[];
  /** Milliseconds the task stood stopped between an end and a `--resume` (not counted in its duration). */
  stoppedMs?: number;
  /** Notes from the person (poli say) that no message carried before the task ended. */
  undeliveredNotes?: { to: string; text: string }[];
  /**
   * While a running task is held by the person: `paused` (poli pause, until poli resume) or `you` (poli waits for an
   * answer at its terminal: the approval prompt). Read by `poli status`, which a status bar runs.
   */
  held?: { kind: 'paused' | 'you'; since: string };
  /** Tokens and cost of both CLIs on this task (issue 22), kept current at each turn's end; absent: none known. */
  usage?: TaskUsage;
  /** The task's cost budget in US dollars, and whether poli warned (80 %) or stopped (100 %) for it. */
  budget?: { limit: number; warned?: boolean; reached?: boolean };
}

/**
 * The token usage and cost of one task, summed from the calls poli read in the CLIs' transcripts. The per-call list
 * is apart, in `<stateDir>/usage/<taskId>.jsonl` (the task file is rewritten often; a list would grow it).
 */
export interface TaskUsage {
  /** The task: every call of both panes. */
  total: UsageTotals;
  byRole: Partial<Record<Role, UsageTotals>>;
  /** Per poli message id: the turn that message caused (the calls the CLI made handling it). Plus 'primer:PLANNER'… */
  byMessage: Record<string, UsageTotals>;
  /** In words, what is not known: "EXECUTER (gemini) records no cache-write tokens", "no price for gpt-fake". */
  unknown: string[];
  /** The price table used: its file and date. */
  prices: { file: string; date: string };
}

/** The fields `update` may change; `id` and `messages` have their own paths. */
export type TaskPatch = Partial<Omit<TaskRecord, 'id' | 'messages'>>;

/** What a new task records about where it runs. */
export interface TaskMeta {
  socket: string;
  /** A named tmux session (absent: the default one, and no field is written). */
  session?: string;
  projectDir: string;
}

/** The keys of a task in the public view, in their order. */
export const PUBLIC_TASK_KEYS = ['id', 'task', 'status', 'rounds', 'startedAt', 'endedAt', 'messages'] as const;

/** The stable, public view of the state (`poli --state --json`); `waiting` only while the status is `waiting`. */
export interface PublicState {
  tasks: (Omit<Pick<TaskRecord, (typeof PUBLIC_TASK_KEYS)[number] | 'projectDir' | 'socket' | 'error' | 'undeliveredNotes' | 'usage'>, 'messages'> & {
    /** Each message, with the usage of the turn it caused in the CLI it was typed into, when known. */
    messages: (Omit<MessageRecord, 'extra'> & { usage?: UsageTotals })[];
    waiting?: PublicWait;
    queue?: PublicQueue;
  })[];
  /** The sum over the tasks listed (the queue, or the one task), when some usage is known. */
  usage?: UsageTotals;
}

/**
 * A queued task's place in the queue (`poli add`, src/queue/), in the public view: its queue state, branch and merge.
 * Present only on tasks that went through the queue.
 */
export interface PublicQueue {
  /** queued, running, merging, merged, needs_merge, failed, blocked or stopped (src/queue/types.ts). */
  state: string;
  priority: string;
  after: string[];
  type: string | null;
  branch: string | null;
  base: string;
  /** The commit that merged the branch into the base, once merged. */
  mergedCommit: string | null;
  /** Why it is blocked, failed, stopped or waits for a merge. */
  reason: string | null;
}

/** A task's `waiting` in the public view: the wait without its start, the reset as ISO 8601. */
export type PublicWait = Omit<WaitRecord, 'since' | 'resetAt'> & { resetAt?: string };
