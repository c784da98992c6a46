/**
 * One dialogue as an object: created with its channels, recorder, clock and limits (RunTaskOptions); `run()` until it
 * ends; `control(command)` for say / pause / stop / resume-now; progress events out (`onProgress`, `onEvent`). It
 * feeds events to the pure machine (machine.ts) and carries out its effects on the panes and the recorder.
 *
 * Its state: the machine's (rounds, the pending message), the turn being read (turn.ts), and one named part per
 * concern: held time (held-time.ts), limit waits (limit-waits.ts), retries and re-sends (retries.ts), the messages
 * poli typed (core.ts) and the person's notes (person-notes.ts). What it does about limits, lost replies, dead panes
 * and a resumed start lives in limit-watch.ts, recovery.ts, restarts.ts and resume-start.ts.
 */
import { formatBlock } from '../protocol/format-block.ts';
import type { Block, MessageType, Role } from '../protocol/types.ts';
import type { DeliveryStage } from '../state/types.ts';
import { monotonicNow } from '../tmux/clock.ts';
import type { Clock } from '../tmux/types.ts';
import type { DialogueChannels } from '../reading/channel.ts';
import { type ControlCommand, applyControlCommands } from '../human/control.ts';
import { BudgetGate, type BudgetNotice, holdForBudget, releaseForBudget } from './budget-gate.ts';
import { type DialogueCore, type Outgoing, SentMessages } from './core.ts';
import { HeldTime } from './held-time.ts';
import { LimitWaits } from './limit-waits.ts';
import { endWait, watchLimits } from './limit-watch.ts';
import { DEFAULT_LIMIT_POLICY, type LimitPolicy, type LimitWait } from './limits.ts';
import { type DialogueEffect, type DialogueEvent, type DialogueState, initialState, transition } from './machine.ts';
import { PersonNotes, withNotes } from './person-notes.ts';
import { recoverMissingReply, refuseDamaged } from './recovery.ts';
import { watchRestarts } from './restarts.ts';
import { beginDialogue } from './resume-start.ts';
import { Retries } from './retry-counts.ts';
import { type Turn, newTurn, takeReplies } from './turn.ts';
import type { NoticeKind, ProgressEvent, RunTaskOptions, TaskOutcome } from './types.ts';

/** How often liveness is checked by default (ms); crash detection must stay well under 2 s. */
const DEFAULT_LIVENESS_EVERY_MS = 500;

export class Dialogue implements DialogueCore {
  readonly channels: DialogueChannels;
  readonly clock: Clock;
  readonly policy: LimitPolicy;
  turn: Turn | null = null;
  readonly held: HeldTime;
  readonly limitWaits = new LimitWaits();
  readonly retries = new Retries();
  readonly sent = new SentMessages();
  readonly notes = new PersonNotes();
  readonly budget = new BudgetGate<Outgoing>();
  #state: DialogueState;
  #outcome: TaskOutcome | null = null;
  #lastLiveness = -Infinity;
  readonly #queued: ControlCommand[] = [];
  readonly #listeners = new Set<(event: ProgressEvent) => void>();

  constructor(readonly options: RunTaskOptions) {
    this.channels = options.channels;
    this.clock = options.clock;
    this.policy = { ...DEFAULT_LIMIT_POLICY, ...options.limitPolicy };
    this.held = new HeldTime(() => this.elapsed());
    this.#state = initialState(options.taskNumber, options.limits.maxRounds);
  }

  get state(): DialogueState {
    return this.#state;
  }

  /**
   * Every duration here (timeouts, held time, settle and idle times) is measured on the monotonic reading: a step of
   * the wall clock must neither stop the timeouts nor fire them at once.
   */
  elapsed(): number {
    return monotonicNow(this.clock);
  }

  /** A command from the person (say / pause / resume / stop), applied at the dialogue's next look. */
  control(command: ControlCommand): void {
    this.#queued.push(command);
  }

  /** Listens to the progress events (besides `onProgress`); returns the function that stops listening. */
  onEvent(listener: (event: ProgressEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs the task to its end and returns how it ended. Never leaves the task `running`. */
  async run(): Promise<TaskOutcome> {
    const signal = this.options.signal;
    try {
      await beginDialogue(this);
      while (this.#state.status === 'running') {
        if (signal?.aborted) {
          await this.apply({ kind: 'interrupt', reason: abortReason(signal) });
          break;
        }
        await this.#step();
      }
    } catch (error) {
      if (this.#state.status === 'running') {
        const reason = error instanceof Error ? error.message : String(error);
        await this.apply({ kind: 'fail', reason });
      }
      throw error;
    }
    if (!this.#outcome) throw new Error('bug: the dialogue ended without an outcome');
    return this.#outcome;
  }

  async apply(event: DialogueEvent): Promise<void> {
    const t = transition(this.#state, event, { now: this.held.now(), newId: this.options.newId, limits: this.options.limits });
    const roundsBefore = this.#state.rounds;
    this.#state = t.state;
    if (this.#state.rounds !== roundsBefore) await this.options.recorder.setRounds(this.#state.rounds);
    let held = false;
    for (const effect of t.effects) {
      // A message held for the budget was not sent: the progress line that says it was is left out.
      if (held && effect.kind === 'progress') continue;
      await this.#perform(effect);
      if (effect.kind === 'send' && this.budget.held?.id === effect.id) held = true;
    }
  }

  restore(patch: Partial<Pick<DialogueState, 'rounds' | 'pending'>>): void {
    this.#state = { ...this.#state, ...patch };
  }

  notice(kind: NoticeKind, text: string, id?: string, wait?: LimitWait, budget?: BudgetNotice): void {
    const state = this.#state;
    const event: ProgressEvent = {
      round: state.rounds,
      waitingFor: state.pending?.role ?? null,
      text,
      kind,
      ...(id ? { id } : {}),
      ...(wait ? { wait } : {}),
      ...(budget ? { budget } : {}),
    };
    this.options.onProgress?.(event);
    for (const listener of this.#listeners) listener(event);
  }

  async send(message: Outgoing): Promise<void> {
    const { to, type, id, extra, mayBeInBox } = message;
    const recorder = this.options.recorder;
    const notes = this.notes.take(to);
    for (const note of notes) await recorder.record({ from: 'HUMAN', to, type, id, body: note });
    const text = withNotes(message.body, notes);
    const formatted = `${formatBlock({ to, type, id, ...extra }, text)}\n${message.expect}`;
    this.sent.add(id, { type, body: text, ...(extra ? { extra } : {}) });
    const receipt = (stage: DeliveryStage): Promise<void> =>
      recorder.delivery?.({ id, to, type, body: text, ...(extra ? { extra } : {}), stage }) ?? Promise.resolve();
    await receipt('written');
    this.turn = await this.startTurn(to, id, formatted, type);
    // The pasted receipt is awaited (a durable write) before Enter: see SendOptions.onPasted.
    await this.channels[to].submit(formatted, { onPasted: () => receipt('pasted'), ...(mayBeInBox ? { mayBeInBox } : {}) });
    await receipt('submitted');
  }

  /**
   * Marks where the role's output stands before its message is typed; what is on the screen then (the primer's
   * example, earlier replies) is a leftover, logged quietly if it is ever read as a wrong block.
   */
  async startTurn(role: Role, id: string, text: string, type: MessageType, markOptions?: { lookBack?: boolean }): Promise<Turn> {
    const channel = this.channels[role];
    const since = await channel.mark({ ...markOptions, id });
    // Looking back for a reply that may be there already (--resume in the session the task ran in), the history read
    // holds the blocks of the task's earlier turns and the primer's example: leftovers too. Leftovers only quiet blocks
    // under other ids (turn.ts, takeReplies), so a reply to `id` already there is still taken.
    const before = await channel.readSince(since, { fresh: true }).catch(() => '');
    return newTurn(role, id, since, text, before, type);
  }

  async #perform(effect: DialogueEffect): Promise<void> {
    const recorder = this.options.recorder;
    switch (effect.kind) {
      case 'record':
        await (effect.rejected ? recorder.record(effect.message, { rejected: true }) : recorder.record(effect.message));
        return;
      case 'send':
        // After the turn that spent the budget, the next message is held (not typed) until the budget is raised.
        if (await holdForBudget(this, effect)) return;
        await this.send(effect);
        return;
      case 'remind':
        this.notice('reminder', `reminded ${effect.to} of the expected reply`, this.#state.pending?.id);
        await this.channels[effect.to].submit(effect.text);
        return;
      case 'progress':
        this.notice('progress', effect.text);
        return;
      case 'finish': {
        let reason = effect.reason;
        const turn = this.turn;
        if (effect.status === 'timeout' && turn) {
          const lines = await this.channels[turn.role].lastLines(15).catch(() => '(screen unavailable)');
          reason += `. Last lines of its screen:\n${lines}`;
        }
        this.#outcome = { status: effect.status, reason, rounds: this.#state.rounds };
        await recorder.finish(effect.status, reason);
        return;
      }
    }
  }

  /** One wake of the loop: the person's commands, the panes' liveness, then the pending turn's screen. */
  async #step(): Promise<void> {
    const loopStart = this.elapsed();
    await this.channels.waitForChange(this.options.pollMs);
    if (this.options.signal?.aborted) return;
    if (await this.#handleControl()) return;
    if (this.held.paused) {
      this.held.holdSince(loopStart);
      return;
    }
    if (this.budget.held) {
      // Waiting for a higher budget: the answered turn is not read again, the timeouts stand still.
      this.held.holdSince(loopStart);
      await releaseForBudget(this);
      return;
    }
    if (this.elapsed() - this.#lastLiveness >= (this.options.livenessEveryMs ?? DEFAULT_LIVENESS_EVERY_MS)) {
      this.#lastLiveness = this.elapsed();
      if (await watchRestarts(this)) return;
      if (this.#state.status !== 'running') return;
    }
    const current = this.turn;
    if (!current || !this.#state.pending) return;
    await this.#read(current, loopStart);
  }

  /** Looks at the pending turn's screen: prompts and limits first, then the replies, then the timeouts. */
  async #read(current: Turn, loopStart: number): Promise<void> {
    const channel = this.channels[current.role];
    const screenState = await channel.screenState();
    this.#noticePrompt(current, screenState === 'approval', loopStart);
    const limitStep = await watchLimits(this, current, screenState, loopStart);
    if (this.#state.status !== 'running' || limitStep === 'restart') return;
    const settled = screenState === 'idle' || screenState === 'unknown';
    const screen = await channel.readSince(current.since, { fresh: settled });
    const read = takeReplies(current, screen, settled, this.options.onIgnored, this.sent.issued, this.elapsed());
    const replies = await refuseDamaged(this, current, read);
    if (await recoverMissingReply(this, current, screen, screenState, replies.length)) return;
    await this.#take(current, replies);
    const answered = this.#state.status !== 'running' || this.#state.pending?.id !== current.id;
    if (this.limitWaits.wait && answered) await endWait(this, 'the reply came');
    if (!answered) {
      // No reminder while the CLI cannot answer (a wait, a retry): the held time keeps the timeouts still.
      await this.apply({ kind: 'tick', idle: screenState === 'idle' && !this.limitWaits.wait && limitStep !== 'held' });
    }
  }

  /** A CLI waiting at a permission prompt for a person: told once, and its time held. */
  #noticePrompt(current: Turn, atPrompt: boolean, loopStart: number): void {
    if (!atPrompt) {
      current.waitingNoticed = false;
      return;
    }
    if (!current.waitingNoticed) {
      current.waitingNoticed = true;
      this.notice(
        'waiting',
        `${current.role} is waiting for approval at a permission prompt in pane ${this.channels[current.role].paneId}; ` +
          'answer it in tmux (attach with: tmux -L <socket> attach)',
        current.id,
      );
    }
    this.held.holdSince(loopStart);
  }

  /** Takes the replies read for the pending message; a reply to a message already answered is a duplicate. */
  async #take(current: Turn, replies: readonly Block[]): Promise<void> {
    for (const block of replies) {
      if (this.#state.status !== 'running' || this.#state.pending?.id !== current.id) {
        const { type, id } = block.header;
        this.options.onIgnored?.(current.role, `ignored a duplicate ${type} block with id "${id}": message ${current.id} was already answered`, false);
        continue;
      }
      await this.#decide(current.role, block);
      if (this.#state.pending?.id !== current.id) {
        await this.options.recorder.delivery?.({ id: current.id, to: current.role, type: current.sentType, body: '', stage: 'answered' });
      }
    }
  }

  /** A reply that would be forwarded may need a person's approval first. */
  async #decide(role: Role, given: Block): Promise<void> {
    const channel = this.channels[role];
    // Through poli's tool or command the body is exact, trailing blanks and edge blank lines included.
    const exact = channel.exactBody?.(given);
    const block = exact === undefined ? given : { ...given, body: exact };
    const decision = this.options.review && forwardable(role, block) ? await this.options.review(role, block, this.#state.rounds) : null;
    // Stopped while the person was asked (Ctrl+C, end of input): forward nothing; the loop ends the task.
    if (this.options.signal?.aborted) return;
    // Which channel the reply came through (tool, command, file, transcript, screen), recorded with it.
    const origin = channel.origin?.(given) ?? 'screen';
    // A body only the screen gave, from a CLI that breaks long lines itself, never passes for exact.
    const wrapped = origin === 'screen' && channel.wrapsLines === true ? { mayBeWrapped: true } : {};
    if (decision) this.notice('approval', `human decision on ${block.header.type} ${block.header.id}: ${decision.action}`, block.header.id);
    if (!decision || decision.action === 'approve') return this.apply({ kind: 'reply', role, block, channel: origin, ...wrapped });
    if (decision.action === 'edit') return this.apply({ kind: 'reply', role, block, editedBody: decision.body, channel: origin, ...wrapped });
    return this.apply({ kind: 'reject', role, block, feedback: decision.reason, channel: origin });
  }

  /** Applies the person's commands (queued and polled); returns true when the loop should start over. */
  async #handleControl(): Promise<boolean> {
    const polled = this.options.control ? await this.options.control() : [];
    const commands = [...this.#queued.splice(0), ...polled];
    if (commands.length === 0) return false;
    const outcome = applyControlCommands(this.held.paused, commands);
    this.budget.take(commands);
    const held = this.budget.held;
    if (held && commands.some((c) => c.kind === 'resume' && c.budget === undefined) && this.budget.raisedTo === undefined) {
      this.notice('progress', `message ${held.id} still waits for the budget: poli resume with --budget N raises it`, held.id);
    }
    const wait = this.limitWaits.wait;
    if (wait && commands.some((c) => c.kind === 'resume')) {
      this.limitWaits.cutShort = true;
      this.notice('progress', `resumed by the human: looking at the ${wait.role} again now instead of waiting`);
    }
    for (const { to, text } of outcome.say) {
      this.notes.add(to, text);
      this.notice('say', `a note from the human for ${to} will go with the next message to it`);
    }
    if (outcome.paused !== this.held.paused) {
      this.notice(outcome.paused ? 'pause' : 'resume', outcome.paused ? 'paused by the human (poli resume to continue)' : 'resumed by the human');
    }
    this.held.paused = outcome.paused;
    if (!outcome.stop) return false;
    this.notice('stop', 'stopped by the human');
    await this.apply({ kind: 'interrupt', reason: 'stopped by the human (poli stop)' });
    return true;
  }
}

/** Replies that poli forwards to the other CLI: the ones a person may approve. */
function forwardable(role: Role, block: Block): boolean {
  const type = block.header.type;
  return role === 'PLANNER' ? ['plan', 'continue', 'revision'].includes(type) : ['result', 'error'].includes(type);
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'interrupted';
}
