/**
 * A Dialogue over in-memory panes, for the unit tests of its parts (limits, retries, recovery, restarts, resume): the
 * tests call a part's function on the dialogue and check what the panes were sent, what was recorded and told.
 * Nothing here sleeps: the clock moves when a test says so (or by `pollMs` per wake of the loop).
 */
import type { LimitScreen } from '../../src/profiles/limit-screens.ts';
import type { Role } from '../../src/protocol/types.ts';
import type { WaitRecord } from '../../src/state/types.ts';
import type { PaneLiveness, ScreenState } from '../../src/tmux/types.ts';
import type { DialogueChannels, PaneChannel } from '../../src/reading/channel.ts';
import { Dialogue } from '../../src/dialogue/dialogue.ts';
import type { DialogueMessage, EndStatus } from '../../src/dialogue/machine.ts';
import type { DeliveryReport, ProgressEvent, RunTaskOptions } from '../../src/dialogue/types.ts';

/** A pane whose output, screen state, limit line and damage the test sets. */
export class FakePane implements PaneChannel {
  output: string[] = [];
  submitted: string[] = [];
  state: ScreenState = 'idle';
  dead = false;
  limitScreen: LimitScreen | undefined;
  damaged: string | undefined;
  crossChecks = 0;
  program = 'fake';
  constructor(
    readonly role: Role,
    readonly paneId: string,
  ) {}
  async mark(): Promise<number> {
    return this.output.length;
  }
  async submit(text: string, options?: { onPasted?: () => void | Promise<void> }): Promise<void> {
    await options?.onPasted?.();
    this.submitted.push(text);
  }
  async readSince(position: unknown): Promise<string> {
    return this.output.slice(position as number).join('\n');
  }
  async screenState(): Promise<ScreenState> {
    return this.state;
  }
  async limit(): Promise<LimitScreen | undefined> {
    return this.limitScreen;
  }
  async lastLines(n: number): Promise<string> {
    return this.output.slice(-n).join('\n');
  }
  async crossCheck(): Promise<void> {
    this.crossChecks += 1;
  }
  async damage(): Promise<string | undefined> {
    const damaged = this.damaged;
    this.damaged = undefined;
    return damaged;
  }
}

export interface FakeDialogue {
  dialogue: Dialogue;
  panes: Record<Role, FakePane>;
  recorded: DialogueMessage[];
  deliveries: DeliveryReport[];
  waits: (WaitRecord | null)[];
  ends: { status: EndStatus; reason: string }[];
  notices: ProgressEvent[];
  /** Moves both the wall clock and the monotonic reading on by `ms`. */
  advance(ms: number): void;
}

/** A dialogue on a fresh task ("the task") over two fake panes; `options` override the defaults. */
export function fakeDialogue(options: Partial<RunTaskOptions> = {}): FakeDialogue {
  let now = Date.UTC(2026, 11, 1, 12, 0, 0);
  let ids = 0;
  const panes = { PLANNER: new FakePane('PLANNER', '%1'), EXECUTER: new FakePane('EXECUTER', '%2') };
  const channels: DialogueChannels = {
    ...panes,
    async liveness(): Promise<PaneLiveness[]> {
      return [
        { paneId: '%1', dead: panes.PLANNER.dead, ...(panes.PLANNER.dead ? { exitStatus: 1 } : {}) },
        { paneId: '%2', dead: panes.EXECUTER.dead, ...(panes.EXECUTER.dead ? { exitStatus: 1 } : {}) },
      ];
    },
    async waitForChange(ms: number) {
      now += ms;
    },
  };
  const fake: Omit<FakeDialogue, 'dialogue'> = {
    panes,
    recorded: [],
    deliveries: [],
    waits: [],
    ends: [],
    notices: [],
    advance: (ms) => {
      now += ms;
    },
  };
  const dialogue = new Dialogue({
    channels,
    recorder: {
      record: async (m) => void fake.recorded.push(m),
      delivery: async (r) => void fake.deliveries.push(r),
      setRounds: async () => {},
      finish: async (status, reason) => void fake.ends.push({ status, reason }),
      waiting: async (w) => void fake.waits.push(w),
    },
    clock: { now: () => now, sleep: async () => {} },
    limits: { maxRounds: 5, planTimeoutSec: 300, execTimeoutSec: 900 },
    taskNumber: 1,
    start: { task: 'the task' },
    newId: () => `m${++ids}`,
    onProgress: (e) => void fake.notices.push(e),
    pollMs: 100,
    ...options,
  });
  return { dialogue, ...fake };
}

/** A fake dialogue with the task sent to the PLANNER: its turn is pending (id m1). */
export async function startedDialogue(options: Partial<RunTaskOptions> = {}): Promise<FakeDialogue> {
  const fake = fakeDialogue(options);
  await fake.dialogue.apply({ kind: 'start', task: 'the task' });
  return fake;
}
