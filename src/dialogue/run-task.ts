/**
 * Performs the dialogue: feeds events to the pure machine and carries out its effects on the
 * panes, the state store and the progress output. All effects are injected.
 */
import { blockKey, formatBlock } from '../protocol/format-block.ts';
import { classifyTagLine } from '../protocol/screen-text.ts';
import type { Block, MessageType, Role } from '../protocol/types.ts';
import { describeExit } from '../tmux/server.ts';
import type { Clock, PaneLiveness } from '../tmux/types.ts';
import { monotonicNow } from '../tmux/clock.ts';
import type { DialogueChannels } from '../reading/channel.ts';
import type { ApprovalDecision } from '../human/approval.ts';
import { type ControlCommand, applyControlCommands } from '../human/control.ts';
import {
  type DialogueEffect,
  type DialogueEvent,
  type DialogueLimits,
  type DialogueMessage,
  type DialogueState,
  type EndStatus,
  expectLine,
  initialState,
  transition,
} from './machine.ts';
import type { ResumePlan } from './resume.ts';
import type { DeliveryRecord, DeliveryStage, WaitRecord } from '../state/types.ts';
import type { LimitScreen } from '../profiles/limit-screens.ts';
import { DEFAULT_LIMIT_POLICY, type LimitEpisode, type LimitPolicy, type LimitWait, planAuthWait, planUsageWait } from './limits.ts';
import { type IgnoredHandler, type Turn, newTurn, takeReplies } from './turn.ts';
import { endWithoutStart } from '../reading/unseen-start.ts';

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
  | 'retrying';

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

/** Runs one task to its end and returns how it ended. Never leaves the task `running`. */
export async function runTask(options: RunTaskOptions): Promise<TaskOutcome> {
  const { channels, recorder, clock, limits } = options;
  // Every duration here (timeouts, held time, settle and idle times) is measured on the monotonic reading: a step of
  // the wall clock must neither stop the timeouts nor fire them at once.
  const elapsed = (): number => monotonicNow(clock);
  let state: DialogueState = initialState(options.taskNumber, limits.maxRounds);
  // A holder rather than a `let`: the turn is replaced inside `perform`, which the compiler cannot follow.
  const active: { turn: Turn | null } = { turn: null };
  let outcome: TaskOutcome | null = null;
  let lastLiveness = -Infinity;
  // Time that does not count against the reply timeouts: paused by a person, or a CLI waiting
  // at a permission prompt for a person to answer.
  let heldMs = 0;
  let paused = false;
  const notes: Record<Role, string[]> = { PLANNER: [], EXECUTER: [] };
  /** Every id poli issued in this task; their blocks linger on screen in later turns. */
  const issuedIds = new Set<string>();

  const notice = (kind: NoticeKind, text: string, id?: string, wait?: LimitWait): void =>
    options.onProgress?.({ round: state.rounds, waitingFor: state.pending?.role ?? null, text, kind, ...(id ? { id } : {}), ...(wait ? { wait } : {}) });
  const policy: LimitPolicy = { ...DEFAULT_LIMIT_POLICY, ...options.limitPolicy };
  /** The wait for a usage limit or a login poli is in, if any. */
  let limitWait: LimitWait | null = null;
  /** Usage-limit waits under the pending message (for --limit-wait and the backoff). */
  let episode: LimitEpisode | null = null;
  /** Set by `poli resume` during a wait: look at the CLI again now. */
  let cutShort = false;
  /** Per pending id: time held while the CLI retried by itself, and re-sends after a failed request. */
  const retryHeld = new Map<string, number>();
  const failResends = new Map<string, number>();
  let retryingNoticed: string | undefined;
  /** When the pending turn's screen first showed a failed request. */
  let failedSeen: { turn: Turn; since: number } | undefined;
  /**
   * When poli typed the pending message again after a limit: until the CLI shows it took the message (busy), or for
   * {@link STALE_LIMIT_MS}, a limit on the screen is the old one, not a new limit (a CLI redraws a moment later).
   */
  let staleLimit: { turn: Turn; at: number } | undefined;
  /** What each message poli typed carried, by id: a fallback CLI is sent the pending one again (--on-limit switch). */
  const sentBodies = new Map<string, { type: MessageType; body: string; extra?: Record<string, unknown> }>();

  const apply = async (event: DialogueEvent): Promise<void> => {
    const t = transition(state, event, { now: elapsed() - heldMs, newId: options.newId, limits });
    const roundsBefore = state.rounds;
    state = t.state;
    if (state.rounds !== roundsBefore) await recorder.setRounds(state.rounds);
    for (const effect of t.effects) await perform(effect);
  };

  const perform = async (effect: DialogueEffect): Promise<void> => {
    switch (effect.kind) {
      case 'record':
        await (effect.rejected ? recorder.record(effect.message, { rejected: true }) : recorder.record(effect.message));
        return;
      case 'send':
        await send(effect.to, effect.type, effect.id, effect.body, effect.expect, effect.extra);
        return;
      case 'remind':
        notice('reminder', `reminded ${effect.to} of the expected reply`, state.pending?.id);
        await channels[effect.to].submit(effect.text);
        return;
      case 'progress':
        notice('progress', effect.text);
        return;
      case 'finish': {
        let reason = effect.reason;
        const turn = active.turn;
        if (effect.status === 'timeout' && turn) {
          const lines = await channels[turn.role].lastLines(15).catch(() => '(screen unavailable)');
          reason += `. Last lines of its screen:\n${lines}`;
        }
        outcome = { status: effect.status, reason, rounds: state.rounds };
        await recorder.finish(effect.status, reason);
        return;
      }
    }
  };

  /** Types a block (plus any notes from the person for this role) and starts its turn. */
  const send = async (
    to: Role,
    type: MessageType,
    id: string,
    body: string,
    expect: string,
    extra?: Record<string, unknown>,
    mayBeInBox = false,
  ): Promise<void> => {
    let text = body;
    for (const note of notes[to].splice(0)) {
      await recorder.record({ from: 'HUMAN', to, type, id, body: note });
      text += `\n\n[A note from the person supervising this task]\n${note}`;
    }
    const formatted = `${formatBlock({ to, type, id, ...extra }, text)}\n${expect}`;
    issuedIds.add(id);
    sentBodies.set(id, { type, body: text, ...(extra ? { extra } : {}) });
    const receipt = (stage: DeliveryStage): Promise<void> =>
      recorder.delivery?.({ id, to, type, body: text, ...(extra ? { extra } : {}), stage }) ?? Promise.resolve();
    await receipt('written');
    active.turn = await startTurn(to, id, formatted, type);
    // The pasted receipt is awaited (a durable write) before Enter: see SendOptions.onPasted.
    await channels[to].submit(formatted, { onPasted: () => receipt('pasted'), ...(mayBeInBox ? { mayBeInBox } : {}) });
    await receipt('submitted');
  };

  const signal = options.signal;
  try {
    await begin();
    while (state.status === 'running') {
      if (signal?.aborted) {
        await apply({ kind: 'interrupt', reason: abortReason(signal) });
        break;
      }
      const loopStart = elapsed();
      await channels.waitForChange(options.pollMs);
      if (signal?.aborted) continue;
      if (await handleControl()) continue;
      if (paused) {
        heldMs += elapsed() - loopStart;
        continue;
      }

      if (elapsed() - lastLiveness >= (options.livenessEveryMs ?? 500)) {
        lastLiveness = elapsed();
        const restarted = await checkLiveness();
        if (state.status !== 'running') break;
        const turn = active.turn;
        if (restarted && turn && state.pending && restarted.includes(turn.role)) {
          await apply({ kind: 'resend' });
          active.turn = await startTurn(turn.role, turn.id, turn.text, turn.sentType);
          await channels[turn.role].submit(turn.text);
          notice('progress', `re-sent message ${turn.id} to the restarted ${turn.role}`, turn.id);
          continue;
        }
      }

      const current = active.turn;
      if (!current || !state.pending) continue;
      const channel = channels[current.role];
      const screenState = await channel.screenState();
      if (screenState === 'approval') {
        if (!current.waitingNoticed) {
          current.waitingNoticed = true;
          notice(
            'waiting',
            `${current.role} is waiting for approval at a permission prompt in pane ${channel.paneId}; ` +
              'answer it in tmux (attach with: tmux -L <socket> attach)',
            current.id,
          );
        }
        heldMs += elapsed() - loopStart;
      } else {
        current.waitingNoticed = false;
      }
      const limitStep = await watchLimits(current, screenState, loopStart);
      if (state.status !== 'running') break;
      if (limitStep === 'restart') continue;
      const settled = screenState === 'idle' || screenState === 'unknown';
      const screen = await channel.readSince(current.since, { fresh: settled });
      let replies = takeReplies(current, screen, settled, options.onIgnored, issuedIds, elapsed());
      const damage = replies.length > 0 ? await channel.damage?.(current.since) : undefined;
      if (damage !== undefined) {
        // Never record or forward a body the screen may have damaged: ask for the reply again, under the same id.
        for (const block of replies) {
          current.taken.delete(blockKey(block));
          current.suspect.add(blockKey(block));
        }
        options.onIgnored?.(current.role, `did not take the reply to ${current.id}: ${damage}; asking the ${current.role} to send it again`, false);
        notice('reminder', `asked ${current.role} to send its reply to ${current.id} again: ${damage}`, current.id);
        await channel.submit(damageReminder(current.role, current.id, damage));
        replies = [];
      }
      if (screenState !== 'idle') current.idleSince = undefined;
      else if (replies.length === 0) await crossCheck(current);
      if (replies.length === 0) await askForLostReply(current, screen, screenState);
      if (replies.length === 0 && current.lost && current.idleSince !== undefined && elapsed() - current.idleSince >= RESUME_LOST_MS) {
        // A resumed turn whose CLI shows no reply and sits idle: it lost the message. Type it again, same id.
        const again = current.lost;
        current.lost = undefined;
        notice('progress', `resuming: ${current.role} shows no reply to ${current.id}; sending it again (same id)`, current.id);
        await again();
        continue;
      }
      for (const block of replies) {
        if (state.status !== 'running' || state.pending?.id !== current.id) {
          const { type, id } = block.header;
          options.onIgnored?.(current.role, `ignored a duplicate ${type} block with id "${id}": message ${current.id} was already answered`, false);
          continue;
        }
        await decide(current.role, block);
        if (state.pending?.id !== current.id) {
          await recorder.delivery?.({ id: current.id, to: current.role, type: current.sentType, body: '', stage: 'answered' });
        }
      }
      if (limitWait && (state.status !== 'running' || state.pending?.id !== current.id)) await endWait('the reply came');
      if (state.status === 'running' && state.pending?.id === current.id) {
        // No reminder while the CLI cannot answer (a wait, a retry): the held time keeps the timeouts still.
        await apply({ kind: 'tick', idle: screenState === 'idle' && !limitWait && limitStep !== 'held' });
      }
    }
  } catch (error) {
    if (state.status === 'running') {
      const reason = error instanceof Error ? error.message : String(error);
      await apply({ kind: 'fail', reason });
    }
    throw error;
  }
  if (!outcome) throw new Error('bug: the dialogue ended without an outcome');
  return outcome;

  /**
   * Looks at what the pending CLI's screen says about its model API and acts on it: waits out a usage limit or a
   * login (status `waiting`, timeouts stopped), holds the timeouts while the CLI retries by itself, sends the message
   * again once (same id) after a failed request. 'restart': the loop starts over; 'held': this wake's time was held.
   */
  async function watchLimits(turn: Turn, screenState: string, loopStart: number): Promise<'restart' | 'held' | 'go'> {
    const channel = channels[turn.role];
    if (!channel.limit) return 'go';
    // Wall time for what a screen says (reset times) and the waits built on it; the monotonic reading for durations.
    const now = clock.now();
    const mono = elapsed();
    const screen = await channel.limit(now).catch(() => undefined);
    if (episode && episode.id !== turn.id) episode = null;
    if (limitWait) {
      heldMs += mono - loopStart;
      const wait = limitWait;
      if (wait.kind === 'usage') {
        if (screenState === 'busy' && screen?.kind !== 'usage') {
          await endWait(`the ${turn.role} went on by itself`);
          return 'held';
        }
        if (!cutShort && wait.until !== null && now < wait.until) return 'held';
        if (screenState === 'busy' || screenState === 'approval') return 'held';
        if (screen?.kind === 'usage' && screen.dialog) {
          // A dialog waits for a key (Claude: "What do you want to do?", Gemini: "Keep trying"). The profile's dialog rule
          // answers it with the choice that stops and waits (screenState, cli-dialogs.ts); one without a rule is left
          // to a person, and poli waits on within --limit-wait.
          limitWait = null;
          return startUsageWait(turn, screen, now);
        }
        await endWait(cutShort ? 'cut short by poli resume' : 'the reset time came');
        await sendAgain(turn, `the ${turn.role} was at its usage limit`);
        return 'restart';
      }
      // A login: over once the screen no longer shows it and the CLI is idle, or on poli resume.
      if (!cutShort && now - wait.since >= policy.limitWaitMs) {
        await apply({ kind: 'fail', reason: `nobody logged in to the ${turn.role} within --limit-wait: ${wait.line}` });
        return 'restart';
      }
      if (!cutShort && screen?.kind === 'auth') return 'held';
      if (screenState === 'busy') {
        await endWait(`the ${turn.role} went on`);
        return 'held';
      }
      if (screenState !== 'idle' && !cutShort) return 'held';
      await endWait(cutShort ? 'cut short by poli resume' : 'the pane is idle again');
      await sendAgain(turn, `the ${turn.role} was logged out`);
      return 'restart';
    }
    if (staleLimit && (staleLimit.turn !== turn || screenState === 'busy')) staleLimit = undefined;
    // Right after poli typed the message again, the screen may still show what made it do so (seen with Qwen Code:
    // its old 'Quota exhausted' line stood a moment after the paste): not a new limit until the CLI went busy.
    const stale = staleLimit !== undefined && mono - staleLimit.at < STALE_LIMIT_MS && screen?.kind !== 'retrying' && screen?.kind !== 'compacting';
    if (!screen || stale) {
      retryingNoticed = undefined;
      return 'go';
    }
    switch (screen.kind) {
      case 'usage': {
        if (screenState === 'busy' && !screen.dialog) return 'go';
        return startUsageWait(turn, screen, now);
      }
      case 'auth': {
        if (screenState === 'busy') return 'go';
        const wait = planAuthWait(screen, turn.role, now, channel.program ?? 'the CLI', channel.paneId, options.socket ?? '<socket>');
        await startWait(wait, turn.id);
        return 'held';
      }
      case 'retrying':
      case 'compacting': {
        const held = retryHeld.get(turn.id) ?? 0;
        if (held >= policy.retryHoldMaxMs) return 'go';
        heldMs += mono - loopStart;
        retryHeld.set(turn.id, held + (mono - loopStart));
        if (retryingNoticed !== screen.line.slice(0, 40)) {
          retryingNoticed = screen.line.slice(0, 40);
          const what = screen.kind === 'compacting' ? 'compacting its context' : 'retrying its request';
          notice('retrying', `${turn.role} is ${what} (${screen.line}); timeouts paused`, turn.id);
        }
        return 'held';
      }
      case 'failed':
      case 'context_full': {
        if (screenState === 'busy') return 'go';
        // A CLI that crashes may print an error as it goes: that is for the liveness check (a restart), not a re-send.
        // The CLIs leave a failed request's line standing; act once it has stood for a while with the pane alive.
        if (failedSeen?.turn !== turn) failedSeen = { turn, since: mono };
        if (mono - failedSeen.since < FAILED_SETTLE_MS) return 'go';
        const panes = await channels.liveness().catch(() => []);
        if (panes.some((p) => p.paneId === channel.paneId && p.dead)) return 'go';
        const resends = failResends.get(turn.id) ?? 0;
        if (screen.kind === 'failed' && resends < 1) {
          failResends.set(turn.id, resends + 1);
          await sendAgain(turn, `the ${turn.role}'s request failed (${screen.line})`);
          return 'restart';
        }
        const what = screen.kind === 'context_full' ? 'context is full' : 'request failed again';
        await apply({ kind: 'fail', reason: `the ${turn.role}'s ${what}: ${screen.line}` });
        return 'restart';
      }
    }
  }

  async function startUsageWait(turn: Turn, screen: LimitScreen, now: number): Promise<'restart' | 'held'> {
    if (await switchCli(turn, screen)) return 'restart';
    episode ??= { id: turn.id, firstSince: now, waits: 0 };
    episode.waits += 1;
    const plan = planUsageWait(screen, turn.role, now, episode, policy);
    if ('giveUp' in plan) {
      await apply({ kind: 'fail', reason: plan.giveUp });
      return 'restart';
    }
    await startWait(plan.wait, turn.id);
    return 'held';
  }

  /**
   * --on-limit switch: the role's pane now runs its fallback CLI, which is sent the pending message again under the same
   * id, with the task and the dialogue so far. False when there is no fallback (or no recorded body): poli waits.
   */
  async function switchCli(turn: Turn, screen: LimitScreen): Promise<boolean> {
    const sent = sentBodies.get(turn.id);
    if (!options.switchCli || !sent || state.pending?.id !== turn.id) return false;
    const switched = await options.switchCli(turn.role, screen);
    if (!switched) return false;
    limitWait = null;
    episode = null;
    failedSeen = undefined;
    await apply({ kind: 'resend' });
    notice(
      'progress',
      `the ${turn.role} hit its usage limit (${screen.line}); switched it to ${switched.program}: sending message ${turn.id} again (same id) with the task and the dialogue so far`,
      turn.id,
    );
    await send(turn.role, sent.type, turn.id, `${sent.body}\n\n${switched.context}`, expectLine(turn.role, turn.id), sent.extra);
    return true;
  }

  async function startWait(wait: LimitWait, id: string): Promise<void> {
    limitWait = wait;
    cutShort = false;
    await recorder.waiting?.({
      kind: wait.kind,
      role: wait.role,
      reason: wait.reason,
      since: new Date(wait.since).toISOString(),
      until: wait.until === null ? null : new Date(wait.until).toISOString(),
      ...(wait.resetAt !== undefined ? { resetAt: new Date(wait.resetAt).toISOString() } : {}),
    });
    notice('limit', `waiting: ${wait.reason}`, id, wait);
  }

  async function endWait(why: string): Promise<void> {
    const wait = limitWait;
    if (!wait) return;
    limitWait = null;
    cutShort = false;
    await recorder.waiting?.(null);
    notice('limit', `the wait for the ${wait.role} is over (${why})`, state.pending?.id);
  }

  /** Types the pending message again under the same id, on a fresh turn. */
  async function sendAgain(turn: Turn, why: string): Promise<void> {
    if (!state.pending || state.pending.id !== turn.id) return;
    if (!turn.text) {
      // A resumed turn poli did not type itself: its message, as recorded, goes again the way a lost one does.
      const again = turn.lost;
      turn.lost = undefined;
      if (again) {
        notice('progress', `${why}: sending message ${turn.id} to the ${turn.role} again (same id)`, turn.id);
        await again();
      }
      return;
    }
    await apply({ kind: 'resend' });
    active.turn = await startTurn(turn.role, turn.id, turn.text, turn.sentType);
    staleLimit = { turn: active.turn, at: elapsed() };
    notice('progress', `${why}: sent message ${turn.id} to the ${turn.role} again (same id)`, turn.id);
    await channels[turn.role].submit(turn.text);
  }

  /**
   * Marks where the role's output stands before its message is typed; what is on the screen then (the primer's
   * example, earlier replies) is a leftover, logged quietly if it is ever read as a wrong block.
   */
  async function startTurn(role: Role, id: string, text: string, type: MessageType, markOptions?: { lookBack?: boolean }): Promise<Turn> {
    const channel = channels[role];
    const since = await channel.mark({ ...markOptions, id });
    // Looking back for a reply that may be there already (--resume in the session the task ran in), the history read
    // holds the blocks of the task's earlier turns and the primer's example: leftovers too. Leftovers only quiet blocks
    // under other ids (turn.ts, takeReplies), so a reply to `id` already there is still taken.
    const before = await channel.readSince(since, { fresh: true }).catch(() => '');
    return newTurn(role, id, since, text, before, type);
  }

  /** Starts a new task, or picks a stopped one up where it was. */
  async function begin(): Promise<void> {
    const start = options.start;
    if ('task' in start) return apply({ kind: 'start', task: start.task });
    const plan = start.resume;
    if (plan.kind === 'start') throw new Error('bug: a resume with nothing recorded must start the task anew');
    state = { ...state, rounds: plan.rounds };
    if (plan.kind === 'resend' || plan.kind === 'await') {
      const { role, type, id, extra } = plan;
      state = { ...state, pending: { role, id, sentType: type, sentAt: elapsed(), reminded: false } };
      issuedIds.add(id);
      const body = start.context ? `${plan.body}\n\n${start.context}` : plan.body;
      sentBodies.set(id, { type, body, ...(extra ? { extra } : {}) });
      // A message poli had pasted but not seen submitted may still sit in the CLI's input box: submitted there, not
      // pasted behind itself.
      const again = async (): Promise<void> => {
        await send(role, type, id, body, expectLine(role, id), extra, plan.kind === 'await' || plan.mayBeInBox === true);
        takenBefore(plan.recorded);
      };
      // A reply recorded before poli stopped (it said "delivered") is taken, never asked for again.
      const recorded = (await channels[role].recorded?.(id).catch(() => false)) === true;
      if (!recorded && (plan.kind === 'resend' || channels.fresh?.(role) === true)) {
        notice('progress', `resuming: sending message ${id} to ${role} again (same id)`, id);
        return again();
      }
      // Submitted before poli stopped: never typed twice. Look for its reply everywhere the CLI may have put it;
      // only a CLI that shows none and sits idle has lost it (see `lost` in the loop).
      notice('progress', `resuming: ${role} already has message ${id}; looking for its reply`, id);
      // The text a restarted CLI would be sent (the restart path re-types the turn's text).
      const formatted = `${formatBlock({ to: role, type, id, ...extra }, body)}\n${expectLine(role, id)}`;
      active.turn = await startTurn(role, id, formatted, type, { lookBack: true });
      active.turn.lost = again;
      takenBefore(plan.recorded);
      return;
    }
    const id = plan.block.header.id;
    state = { ...state, pending: { role: plan.role, id, sentType: 'task', sentAt: elapsed(), reminded: false } };
    notice('progress', `resuming: acting on the recorded ${plan.block.header.type} ${id} from ${plan.role}`, id);
    await apply({ kind: 'reply', role: plan.role, block: plan.block, alreadyRecorded: true });
  }

  /** Replies recorded before poli stopped (a resumed turn's statuses): read off the screen again, never taken twice. */
  function takenBefore(recorded: readonly Block[] | undefined): void {
    for (const block of recorded ?? []) active.turn?.taken.add(blockKey(block));
  }

  /** A reply that would be forwarded may need a person's approval first. */
  async function decide(role: Role, given: Block): Promise<void> {
    // Through poli's tool or command the body is exact, trailing blanks and edge blank lines included.
    const exact = channels[role].exactBody?.(given);
    const block = exact === undefined ? given : { ...given, body: exact };
    const decision = options.review && forwardable(role, block) ? await options.review(role, block, state.rounds) : null;
    // Stopped while the person was asked (Ctrl+C, end of input): forward nothing; the loop ends the task.
    if (options.signal?.aborted) return;
    // Which channel the reply came through (tool, command, file, transcript, screen), recorded with it.
    const channel = channels[role].origin?.(given) ?? 'screen';
    // A body only the screen gave, from a CLI that breaks long lines itself, never passes for exact.
    const wrapped = channel === 'screen' && channels[role].wrapsLines === true ? { mayBeWrapped: true } : {};
    if (decision) notice('approval', `human decision on ${block.header.type} ${block.header.id}: ${decision.action}`, block.header.id);
    if (!decision || decision.action === 'approve') return apply({ kind: 'reply', role, block, channel, ...wrapped });
    if (decision.action === 'edit') return apply({ kind: 'reply', role, block, editedBody: decision.body, channel, ...wrapped });
    return apply({ kind: 'reject', role, block, feedback: decision.reason, channel });
  }

  /** Applies commands from other terminals; returns true when the loop should start over. */
  async function handleControl(): Promise<boolean> {
    if (!options.control) return false;
    const commands = await options.control();
    if (commands.length === 0) return false;
    const outcome = applyControlCommands(paused, commands);
    if (limitWait && commands.some((c) => c.kind === 'resume')) {
      cutShort = true;
      notice('progress', `resumed by the human: looking at the ${limitWait.role} again now instead of waiting`);
    }
    for (const { to, text } of outcome.say) {
      notes[to].push(text);
      notice('say', `a note from the human for ${to} will go with the next message to it`);
    }
    if (outcome.paused !== paused) notice(outcome.paused ? 'pause' : 'resume', outcome.paused ? 'paused by the human (poli resume to continue)' : 'resumed by the human');
    paused = outcome.paused;
    if (!outcome.stop) return false;
    notice('stop', 'stopped by the human');
    await apply({ kind: 'interrupt', reason: 'stopped by the human (poli stop)' });
    return true;
  }

  /**
   * A CLI that looks done while no reply was found: once per {@link CROSS_CHECK_MS} of that, check the reader against
   * tmux's own screen (a drifted terminal model is refreshed and tmux's history read too).
   */
  async function crossCheck(turn: Turn): Promise<void> {
    const channel = channels[turn.role];
    if (!channel.crossCheck) return;
    const now = elapsed();
    if (turn.idleSince === undefined) turn.idleSince = now;
    if (now - turn.idleSince < CROSS_CHECK_MS || now - (turn.checkedAt ?? 0) < CROSS_CHECK_MS) return;
    turn.checkedAt = now;
    await channel.crossCheck(turn.since);
  }

  /**
   * The reply began on the screen (its open tag with this turn's id was read) but never showed whole, and the CLI
   * looks done: it was taller than an alternate screen, which keeps no history, or the screen lost its end. Ask once
   * for the whole block in a reply file, which no screen can damage.
   */
  async function askForLostReply(turn: Turn, screen: string, screenState: string): Promise<void> {
    if (turn.askedForFile) return;
    if (screen !== turn.checkedForOpen) {
      // Once per distinct text (readers return the same text while no tag line changes).
      turn.checkedForOpen = screen;
      const structured = (turn.parsed?.blocks ?? []).filter((block) => ['tool', 'command'].includes(channels[turn.role].origin?.(block) ?? 'screen'));
      // Sticky: a start once read stays read when a tall reply scrolls it off an alternate screen.
      if (!turn.sawOpen) turn.sawOpen = startsReply(screen, turn.role, turn.id, structured);
      // Only the end of a block shows (its open tag was never on the screen): a reply drawn taller than the screen.
      turn.endOnly = endWithoutStart(screen);
    }
    if (!(turn.sawOpen || turn.endOnly) || screenState !== 'idle' || turn.idleSince === undefined) return;
    // A whole block is on the screen, held as provisional (it follows an unfinished open tag with this id): takeReplies
    // takes it once it has stood PROVISIONAL_IDLE_MS. Not lost: Copilot CLI leaves a first, unfinished render of a
    // tall reply above the whole one, and a reminder then would reach a CLI that has answered.
    if ((turn.parsed?.provisional?.size ?? 0) > 0) return;
    if (elapsed() - turn.idleSince < CROSS_CHECK_MS) return;
    turn.askedForFile = true;
    const reason = turn.sawOpen
      ? 'its start showed on the screen but never its end (a reply taller than an alternate screen, which keeps no history, or stopped half-way)'
      : 'its end showed on the screen but never its start (a reply drawn taller than the screen at once)';
    options.onIgnored?.(turn.role, `could not read the reply to ${turn.id}: ${reason}; asking for it in a reply file`, false);
    notice('reminder', `asked ${turn.role} to write its reply to ${turn.id} into .poli/replies/${turn.id}.md`, turn.id);
    await channels[turn.role].submit(
      `Reminder from poli: I could not read your reply to message ${turn.id}: ${reason}. ` +
        `Please write the whole reply block to the file .poli/replies/${turn.id}.md in the project directory ` +
        `(only the block, exactly as you would print it), then say done.`,
    );
  }

  /** Returns the roles whose CLI was restarted, or null when both are alive. */
  async function checkLiveness(): Promise<Role[] | null> {
    const panes = await channels.liveness();
    const restarted: Role[] = [];
    for (const role of ['PLANNER', 'EXECUTER'] as const) {
      const info = panes.find((p) => p.paneId === channels[role].paneId);
      if (!info || !info.dead) continue;
      const ok = options.onPaneDied ? await options.onPaneDied(role, info) : false;
      if (!ok) {
        const lines = await channels[role].lastLines(15).catch(() => '(screen unavailable)');
        await apply({
          kind: 'fail',
          reason: `the ${role} CLI in pane ${info.paneId} ${describeExit(info)}. Last lines of its screen:\n${lines}`,
        });
        return null;
      }
      restarted.push(role);
    }
    return restarted.length > 0 ? restarted : null;
  }
}

/** What poli types when the screen may have damaged a reply: the problem, and how to send the reply again. */
export function damageReminder(role: Role, id: string, damage: string): string {
  return (
    `Reminder from poli: I could not read your reply to message ${id} reliably: ${damage}. ` +
    `Send the same reply again now, unchanged and with the same id (or write it to .poli/replies/${id}.md). ` +
    expectLine(role, id)
  );
}

/**
 * An open tag line of a block with `id`, not addressed to `role` (so not the echo of poli's own message), other than
 * those of `structured`: blocks handed over through poli's tool or command, which show no start on the screen (a
 * status delivered so says nothing about a reply begun on the screen; one printed there does).
 */
function startsReply(screen: string, role: Role, id: string, structured: readonly Block[]): boolean {
  if (!screen.includes(id)) return false;
  // Readers give plain text (the terminal model, capture-pane without -e): no ANSI to remove.
  const opens = screen
    .split('\n')
    .filter((line) => line.includes(id) && classifyTagLine(line) === 'open' && !line.includes(`"to":"${role}"`)).length;
  const delivered = structured.filter((block) => block.header.id === id && block.header.to !== role).length;
  return opens > delivered;
}

/** How long a failed request's line must stand, the pane alive, before poli acts on it. */
const FAILED_SETTLE_MS = 1_500;

/** How long after typing a message again the limit line that caused it may still be the old one on the screen. */
const STALE_LIMIT_MS = 5_000;

/** A resumed CLI that sits idle this long showing no reply to the pending message has lost it. */
const RESUME_LOST_MS = 3_000;

/** How long a CLI must look done without a reply before its reader is checked against tmux. */
const CROSS_CHECK_MS = 1_500;

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
