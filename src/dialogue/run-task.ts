/**
 * Performs the dialogue: feeds events to the pure machine and carries out its effects on the
 * panes, the state store and the progress output. All effects are injected.
 */
import { formatBlock, blockKey } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import type { Block, Role } from '../protocol/types.ts';
import type { Clock, PaneLiveness } from '../tmux/types.ts';
import type { DialogueChannels, PanePosition } from './channel.ts';
import {
  type DialogueEffect,
  type DialogueEvent,
  type DialogueLimits,
  type DialogueMessage,
  type DialogueState,
  type TaskStatus,
  initialState,
  transition,
} from './machine.ts';

/** Where the runner reports what happened; the composition root wires it to the state store and logs. */
export interface TaskRecorder {
  record(message: DialogueMessage): Promise<void>;
  setRounds(rounds: number): Promise<void>;
  finish(status: Exclude<TaskStatus, 'running'>, reason: string): Promise<void>;
}

export interface ProgressEvent {
  round: number;
  /** Whose turn it is, or null when the task is over. */
  waitingFor: Role | null;
  text: string;
}

/** Decides what to do when a pane's program exited; returns true when it was restarted and primed again. */
export type PaneDeathHandler = (role: Role, liveness: PaneLiveness) => Promise<boolean>;

export interface RunTaskOptions {
  channels: DialogueChannels;
  recorder: TaskRecorder;
  clock: Clock;
  limits: DialogueLimits;
  taskNumber: number;
  task: string;
  newId(round: number): string;
  onProgress?(event: ProgressEvent): void;
  /** Called for every block that was read but not taken as the reply (echoes, wrong ids, malformed). */
  onIgnored?(role: Role, reason: string): void;
  onPaneDied?: PaneDeathHandler;
  /** Aborting interrupts the task (status `interrupted`). */
  signal?: AbortSignal;
  /** Upper bound between two reads when no change is signalled. */
  pollMs: number;
  /** How often liveness is checked (ms); crash detection must stay well under 2 s. */
  livenessEveryMs?: number;
}

export interface TaskOutcome {
  status: Exclude<TaskStatus, 'running'>;
  reason: string;
  rounds: number;
}

/** Per-turn bookkeeping for reading replies. */
interface Turn {
  role: Role;
  id: string;
  /** Where the pane's output stood before poli typed the message. */
  since: PanePosition;
  /** The exact text poli typed, to re-send after a restart. */
  text: string;
  /** How many times each block (by identity) has been taken from this turn's output. */
  taken: Map<string, number>;
  /** Candidate keys seen at the previous read, to require a stable screen before accepting. */
  previous: string;
  /** Blocks already reported as ignored, so each is logged once. */
  ignored: Set<string>;
}

/** Runs one task to its end and returns how it ended. Never leaves the task `running`. */
export async function runTask(options: RunTaskOptions): Promise<TaskOutcome> {
  const { channels, recorder, clock, limits } = options;
  let state: DialogueState = initialState(options.taskNumber, limits.maxRounds);
  // A holder rather than a `let`: the turn is replaced inside `perform`, which the compiler cannot follow.
  const active: { turn: Turn | null } = { turn: null };
  let outcome: TaskOutcome | null = null;
  let lastLiveness = -Infinity;

  const progress = (text: string): void =>
    options.onProgress?.({ round: state.rounds, waitingFor: state.pending?.role ?? null, text });

  const apply = async (event: DialogueEvent): Promise<void> => {
    const t = transition(state, event, { now: clock.now(), newId: options.newId, limits });
    const roundsBefore = state.rounds;
    state = t.state;
    if (state.rounds !== roundsBefore) await recorder.setRounds(state.rounds);
    for (const effect of t.effects) await perform(effect);
  };

  const perform = async (effect: DialogueEffect): Promise<void> => {
    switch (effect.kind) {
      case 'record':
        await recorder.record(effect.message);
        return;
      case 'send': {
        const header = { to: effect.to, type: effect.type, id: effect.id, ...effect.extra };
        const text = `${formatBlock(header, effect.body)}\n${effect.expect}`;
        const channel = channels[effect.to];
        const since = await channel.mark();
        active.turn = { role: effect.to, id: effect.id, since, text, taken: new Map(), previous: '', ignored: new Set() };
        await channel.submit(text);
        return;
      }
      case 'remind':
        await channels[effect.to].submit(effect.text);
        return;
      case 'progress':
        progress(effect.text);
        return;
      case 'finish':
        outcome = { status: effect.status, reason: effect.reason, rounds: state.rounds };
        await recorder.finish(effect.status, effect.reason);
        progress(`task ${effect.status}: ${effect.reason}`);
        return;
    }
  };

  const onAbort = (): void => {
    // Handled at the top of the loop; the listener only wakes a sleeping wait sooner.
  };
  options.signal?.addEventListener('abort', onAbort);
  try {
    await apply({ kind: 'start', task: options.task });
    while (state.status === 'running') {
      if (options.signal?.aborted) {
        await apply({ kind: 'interrupt', reason: abortReason(options.signal) });
        break;
      }
      await channels.waitForChange(options.pollMs);
      if (options.signal?.aborted) continue;

      if (clock.now() - lastLiveness >= (options.livenessEveryMs ?? 500)) {
        lastLiveness = clock.now();
        const restarted = await checkLiveness();
        if (state.status !== 'running') break;
        const turn = active.turn;
        if (restarted && turn && state.pending && restarted.includes(turn.role)) {
          await apply({ kind: 'resend' });
          const channel = channels[turn.role];
          turn.since = await channel.mark();
          turn.taken.clear();
          turn.previous = '';
          await channel.submit(turn.text);
          progress(`re-sent message ${turn.id} to the restarted ${turn.role}`);
          continue;
        }
      }

      const current = active.turn;
      if (!current || !state.pending) continue;
      const channel = channels[current.role];
      const screen = await channel.readSince(current.since);
      const screenState = await channel.screenState();
      const replies = takeReplies(current, screen, screenState === 'idle' || screenState === 'unknown', options);
      for (const block of replies) {
        if (state.status !== 'running' || state.pending?.id !== current.id) break;
        await apply({ kind: 'reply', role: current.role, block });
      }
      if (state.status === 'running' && state.pending?.id === current.id) {
        await apply({ kind: 'tick', idle: screenState === 'idle' });
      }
    }
  } catch (error) {
    if (state.status === 'running') {
      const reason = error instanceof Error ? error.message : String(error);
      await apply({ kind: 'fail', reason });
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (!outcome) throw new Error('bug: the dialogue ended without an outcome');
  return outcome;

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

/**
 * Picks this turn's replies out of the pane's text since the message was typed: complete blocks with
 * the issued id, addressed away from the pane (echoes of what poli typed are addressed to the pane's
 * own role), each occurrence taken once. A block is accepted only when the screen is settled: the CLI
 * looks done, or the same candidates were seen at the previous read (a TUI may redraw while streaming).
 */
function takeReplies(turn: Turn, screen: string, settled: boolean, options: RunTaskOptions): Block[] {
  const { blocks, rejected } = parseBlocks(screen);
  for (const r of rejected) reportOnce(turn, options, `rejected:${r.startLine}:${r.reason}`, `ignored a malformed block: ${r.reason} (header: ${r.header})`);
  const candidates: Block[] = [];
  for (const block of blocks) {
    const { id, to, type } = block.header;
    if (id !== turn.id) {
      reportOnce(turn, options, `id:${blockKey(block)}`, `ignored a ${type} block with id "${id}": expected id "${turn.id}"`);
      continue;
    }
    if (to === turn.role) continue; // poli's own message, echoed back by the CLI
    candidates.push(block);
  }
  const keys = candidates.map(blockKey).join('\n');
  const stable = keys === turn.previous;
  turn.previous = keys;
  if (!settled && !stable) return [];
  const seen = new Map<string, number>();
  const fresh: Block[] = [];
  for (const block of candidates) {
    const key = blockKey(block);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > (turn.taken.get(key) ?? 0)) {
      turn.taken.set(key, n);
      fresh.push(block);
    }
  }
  return fresh;
}

function reportOnce(turn: Turn, options: RunTaskOptions, key: string, message: string): void {
  if (turn.ignored.has(key)) return;
  turn.ignored.add(key);
  options.onIgnored?.(turn.role, message);
}

export function describeExit(info: PaneLiveness): string {
  if (info.signal !== undefined) return `was killed by signal ${info.signal}`;
  if (info.exitStatus !== undefined) return `exited with status ${info.exitStatus}`;
  return 'exited';
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'interrupted';
}
