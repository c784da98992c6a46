import type { Addressee, MessageType, Sender } from '../protocol/types.ts';

/** Where a task ended up; `running` until the dialogue loop (or the next start, for a dead process) says otherwise. */
export type TaskStatus = 'running' | 'completed' | 'failed' | 'timeout' | 'max_rounds' | 'interrupted';

export const TASK_STATUSES: readonly TaskStatus[] = [
  'running',
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
}

/** Everything poli keeps about one task; one JSON file per task. */
export interface TaskRecord {
  /** `T1`, `T2`, … */
  id: string;
  task: string;
  status: TaskStatus;
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
  projectDir: string;
  approvals?: unknown[];
  /** Notes from the person (poli say) that no message carried before the task ended. */
  undeliveredNotes?: { to: string; text: string }[];
}

/** The fields `update` may change; `id` and `messages` have their own paths. */
export type TaskPatch = Partial<Omit<TaskRecord, 'id' | 'messages'>>;

/** What a new task records about where it runs. */
export interface TaskMeta {
  socket: string;
  projectDir: string;
}

/** The keys of a task in the public view, in their order. */
export const PUBLIC_TASK_KEYS = ['id', 'task', 'status', 'rounds', 'startedAt', 'endedAt', 'messages'] as const;

/** The stable, public view of the state (`poli --state --json`). */
export interface PublicState {
  tasks: Pick<TaskRecord, (typeof PUBLIC_TASK_KEYS)[number]>[];
}
