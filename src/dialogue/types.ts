/**
 * What a dialogue is given and what it reports: its options (channels, recorder, clock, limits, hooks), its progress
 * events and how it ended. Shared by the dialogue object (dialogue.ts), its parts and the session layer.
 */
import type { Block, Role } from '../protocol/types.ts';
import type { Clock, PaneLiveness } from '../tmux/types.ts';
import type { DialogueChannels } from '../reading/channel.ts';
import type { ApprovalDecision } from '../human/approval.ts';
import type { ControlCommand } from '../human/control.ts';
import type { DialogueLimits, DialogueMessage, EndStatus } from './machine.ts';
import type { ResumePlan } from './resume.ts';
import type { DeliveryRecord, WaitRecord } from '../state/types.ts';
import type { LimitScreen } from '../profiles/limit-screens.ts';
import type { LimitPolicy, LimitWait } from './limits.ts';
import type { IgnoredHandler } from './turn.ts';
import type { BudgetNotice, BudgetSource } from './budget-state.ts';

/** One stage of a message's delivery receipt: the receipt as the state keeps it, less what the store fills in. */
export type DeliveryReport = Omit<DeliveryRecord, 'at' | 'after'>;

/** Where the runner reports what happened; the composition root wires it to the state store and logs. */
export interface TaskRecorder {
  /** `how.rejected`: a reply the person rejected, or the feedback carrying their reason (machine.ts, onReject). */
  record(message: DialogueMessage, how?: { rejected: true }): Promise<void>;
  /** How far a message's delivery got (written, pasted, submitted, answered). */
  delivery?(report: DeliveryReport): Promise<void>;
  setRounds(rounds: number): Promise<void>;
  finish(status: EndStatus, reason: string): Promise<void>;
  /** The task starts (a record) or stops (null) waiting for a usage limit or a login: status `waiting` / `running`. */
  waiting?(wait: WaitRecord | null): Promise<void>;
}

/** Something worth telling the person watching, beyond the recorded messages. */
export type NoticeKind =
  | 'progress'
  | 'reminder'
  | 'waiting'
  | 'say'
  | 'pause'
  | 'resume'
  | 'stop'
  | 'approval'
  /** A wait for a usage limit or a login began (`wait` set) or ended. */
  | 'limit'
  /** The CLI retries a rate limit or an overload by itself; timeouts are paused. */
  | 'retrying'
  /** A budget warns, is reached (the next message is held: the task waits), is raised, or cannot be enforced. */
  | 'budget';

export interface ProgressEvent {
  round: number;
  /** Whose turn it is, or null when the task is over. */
  waitingFor: Role | null;
  text: string;
  kind: NoticeKind;
  /** The message id concerned, when there is one. */
  id?: string;
  /** kind `limit`: the wait that began (absent: it ended). */
  wait?: LimitWait;
  /** kind `budget`: what the budget says (for the `budget` event). */
  budget?: BudgetNotice;
}

/** Decides what to do when a pane's program exited; returns true when it was restarted and primed again. */
export type PaneDeathHandler = (role: Role, liveness: PaneLiveness) => Promise<boolean>;

/** Asks a person about a reply before it is forwarded; null: no approval needed for this one. */
export type ReplyReviewer = (role: Role, block: Block, round: number) => Promise<ApprovalDecision | null>;

export interface RunTaskOptions {
  channels: DialogueChannels;
  recorder: TaskRecorder;
  clock: Clock;
  limits: DialogueLimits;
  taskNumber: number;
  /**
   * A new task, or where a stopped one picks up again; `context` (the task and the dialogue so far) goes with every
   * message typed again on resume, for a CLI that lost its history or worked on another task since.
   */
  start: { task: string } | { resume: ResumePlan; context?: string };
  newId(round: number): string;
  onProgress?(event: ProgressEvent): void;
  /** Called for every block that was read but not taken as the reply (echoes, wrong ids, malformed). */
  onIgnored?: IgnoredHandler;
  onPaneDied?: PaneDeathHandler;
  /** The approval gate (--approve). */
  review?: ReplyReviewer;
  /** Commands from other terminals (poli say/pause/resume/stop), polled between reads. */
  control?(): Promise<ControlCommand[]>;
  /** Aborting interrupts the task (status `interrupted`). */
  signal?: AbortSignal;
  /** Upper bound between two reads when no change is signalled. */
  pollMs: number;
  /** How often liveness is checked (ms); crash detection must stay well under 2 s. */
  livenessEveryMs?: number;
  /** How long poli waits out usage limits, logins and retries (--limit-wait and its schedule); absent: the defaults. */
  limitPolicy?: Partial<LimitPolicy>;
  /** The tmux socket's name, for the "attach" hint of a login wait. */
  socket?: string;
  /**
   * --on-limit switch: instead of waiting out a usage limit, restart the role's pane with its fallback CLI (primed).
   * Returns the fallback's program and what it needs to take the pending message over (the task and the dialogue so
   * far), or null when the role has no fallback left (none given, or already switched): then poli waits.
   */
  switchCli?(role: Role, screen: LimitScreen): Promise<CliSwitch | null>;
  /** The task's budget and spend (--budget); absent: only the queue budget (from `poli work`) can hold a message. */
  budget?: BudgetSource;
}

/** A role's pane now runs its fallback CLI. */
export interface CliSwitch {
  /** The fallback's program (its profile's name), for progress and logs. */
  program: string;
  /** The task and a summary of the dialogue, added to the pending message the fallback is sent. */
  context: string;
}

export interface TaskOutcome {
  status: EndStatus;
  reason: string;
  rounds: number;
}

