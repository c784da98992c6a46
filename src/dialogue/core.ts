/**
 * What the parts of a dialogue (limits, retries, recovery, restarts, resume) see of it: its options, its state parts
 * and the few actions they take through it. The dialogue object (dialogue.ts) is the one implementation; unit tests
 * of a part build a small fake.
 */
import type { MessageType, Role } from '../protocol/types.ts';
import type { Clock } from '../tmux/types.ts';
import type { DialogueChannels } from '../reading/channel.ts';
import type { BudgetGate, BudgetNotice } from './budget-state.ts';
import type { HeldTime } from './held-time.ts';
import type { LimitWaits } from './limit-waits.ts';
import type { LimitPolicy, LimitWait } from './limits.ts';
import type { DialogueEvent, DialogueState } from './machine.ts';
import type { PersonNotes } from './person-notes.ts';
import type { Retries } from './retry-counts.ts';
import type { Turn } from './turn.ts';
import type { NoticeKind, RunTaskOptions } from './types.ts';

/** What one message poli typed carried: a fallback CLI is sent the pending one again (--on-limit switch). */
export interface SentBody {
  type: MessageType;
  body: string;
  extra?: Record<string, unknown>;
}

/** The messages poli typed in this task: their ids (their blocks linger on screen in later turns) and bodies. */
export class SentMessages {
  /** Every id poli issued in this task. */
  readonly issued = new Set<string>();
  readonly #bodies = new Map<string, SentBody>();

  /** Notes that poli sent (or takes over) message `id` with this body. */
  add(id: string, sent: SentBody): void {
    this.issued.add(id);
    this.#bodies.set(id, sent);
  }

  body(id: string): SentBody | undefined {
    return this.#bodies.get(id);
  }
}

/** A message to type: to whom, under which id, with the expected-reply line after it. */
export interface Outgoing {
  to: Role;
  type: MessageType;
  id: string;
  body: string;
  expect: string;
  extra?: Record<string, unknown>;
  /** It may sit in the CLI's input box already (pasted before poli stopped): submitted there, not pasted again. */
  mayBeInBox?: boolean;
}

/** The dialogue as its parts see it. */
export interface DialogueCore {
  readonly options: RunTaskOptions;
  readonly channels: DialogueChannels;
  readonly clock: Clock;
  readonly policy: LimitPolicy;
  /** The machine's state (read only: it changes through {@link apply} or {@link restore}). */
  readonly state: DialogueState;
  /** The turn poli waits on: the pending message and the reading of its replies. */
  turn: Turn | null;
  readonly held: HeldTime;
  readonly limitWaits: LimitWaits;
  readonly retries: Retries;
  readonly sent: SentMessages;
  readonly notes: PersonNotes;
  /** The message held for the budget, and the budget commands taken (budget-gate.ts). */
  readonly budget: BudgetGate<Outgoing>;
  /** The monotonic reading (ms) every duration is measured on. */
  elapsed(): number;
  /** Feeds an event to the machine and performs its effects. */
  apply(event: DialogueEvent): Promise<void>;
  /** Sets the machine's state where a resumed task stood (rounds, the pending message). */
  restore(patch: Partial<Pick<DialogueState, 'rounds' | 'pending'>>): void;
  /** Tells the person watching (progress events). */
  notice(kind: NoticeKind, text: string, id?: string, wait?: LimitWait, budget?: BudgetNotice): void;
  /** Types a message (with the person's notes for its role) and starts its turn. */
  send(message: Outgoing): Promise<void>;
  /** Marks where the role's output stands before its message is typed, and returns the new turn. */
  startTurn(role: Role, id: string, text: string, type: MessageType, markOptions?: { lookBack?: boolean }): Promise<Turn>;
}
