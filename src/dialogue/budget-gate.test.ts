import { describe, expect, it } from 'vitest';
import type { ControlCommand } from '../human/control.ts';
import { formatBlock } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import type { BlockHeader, Role } from '../protocol/types.ts';
import type { DialogueChannels, PaneChannel } from '../reading/channel.ts';
import type { WaitRecord } from '../state/types.ts';
import type { ScreenState } from '../tmux/types.ts';
import type { BudgetState } from '../usage/budget.ts';
import type { UsageTotals } from '../usage/types.ts';
import type { BudgetSource } from './budget-gate.ts';
import type { DialogueMessage } from './machine.ts';
import { runTask, type TaskRecorder } from './run-task.ts';
import type { ProgressEvent } from './types.ts';

type Script = (header: BlockHeader) => string[];

/** A CLI that answers each block addressed to it at once, on a screen that stays idle. */
class FakePane implements PaneChannel {
  output: string[] = [];
  submitted: string[] = [];
  constructor(
    readonly role: Role,
    readonly paneId: string,
    private script: Script,
  ) {}
  async mark() {
    return this.output.length;
  }
  async submit(text: string) {
    this.submitted.push(text);
    const header = parseBlocks(text).blocks.find((b) => b.header.to === this.role)?.header;
    if (header) for (const chunk of this.script(header)) this.output.push(...chunk.split('\n'));
  }
  async readSince(position: unknown) {
    return this.output.slice(position as number).join('\n');
  }
  async screenState(): Promise<ScreenState> {
    return 'idle';
  }
  async lastLines(n: number) {
    return this.output.slice(-n).join('\n');
  }
}

const reply = (header: BlockHeader, body: string) => `● ${formatBlock(header, body)}`;

/** Plans, asks to continue once, then completes. */
function planner(): Script {
  let reviews = 0;
  return (h) => {
    if (h.type === 'task') return [reply({ to: 'EXECUTER', type: 'plan', id: h.id }, '1. Create hello.txt')];
    reviews += 1;
    if (reviews < 2) return [reply({ to: 'EXECUTER', type: 'continue', id: h.id }, 'Continue: step 2')];
    return [reply({ to: 'ORCHESTRATOR', type: 'complete', id: h.id }, 'All done.')];
  };
}

const executer: Script = (h) => [reply({ to: 'PLANNER', type: 'result', id: h.id }, 'Done')];

const totals = (cost: number): UsageTotals => ({ input: 10, output: 5, cacheRead: 0, cacheWrite: 0, calls: 1, cost, costComplete: true, models: ['mock'] });

/**
 * Each reply costs $2 (as the ledger would record it at the turn's end); the budget as recorded; the person's commands
 * arrive once the task waits.
 */
function setup(budget: BudgetState | undefined, commandsWhenWaiting: ControlCommand[], cost: (replies: number) => number | null = (n) => n * 2, initial: ControlCommand[] = []) {
  let now = 0;
  let ids = 0;
  const panes = { PLANNER: new FakePane('PLANNER', '%1', planner()), EXECUTER: new FakePane('EXECUTER', '%2', executer) };
  const channels: DialogueChannels = {
    ...panes,
    liveness: async () => [
      { paneId: '%1', dead: false },
      { paneId: '%2', dead: false },
    ],
    waitForChange: async (ms: number) => void (now += ms),
  };
  const recorded: DialogueMessage[] = [];
  const waits: (WaitRecord | null)[] = [];
  const events: ProgressEvent[] = [];
  /** What the EXECUTER had been sent when the task began to wait. */
  const sentWhenWaiting: number[] = [];
  let record = { budget };
  const recorder: TaskRecorder = {
    record: async (m) => void recorded.push(m),
    setRounds: async () => undefined,
    finish: async () => undefined,
    waiting: async (w) => {
      waits.push(w);
      if (w) sentWhenWaiting.push(panes.EXECUTER.submitted.length);
    },
  };
  const source: BudgetSource = {
    read: async () => {
      const replies = recorded.filter((m) => m.from === 'PLANNER' || m.from === 'EXECUTER').length;
      const usd = cost(replies);
      return { budget: record.budget, total: replies === 0 ? undefined : { ...totals(0), cost: usd } };
    },
    write: async (b) => void (record = { budget: b }),
  };
  let pending: ControlCommand[] = [...initial];
  const run = () =>
    runTask({
      channels,
      recorder,
      clock: { now: () => now, sleep: async (ms) => void (now += ms) },
      limits: { maxRounds: 20, planTimeoutSec: 300, execTimeoutSec: 900 },
      taskNumber: 7,
      start: { task: 'Create hello.txt' },
      newId: (round) => `T7-R${round}-x${++ids}`,
      pollMs: 100,
      budget: source,
      onProgress: (e) => {
        events.push(e);
        if (e.budget?.level === 'reached') pending = [...commandsWhenWaiting];
      },
      control: async () => pending.splice(0),
    });
  return { panes, recorded, waits, events, sentWhenWaiting, run, budget: () => record.budget };
}

describe('budgets in the dialogue', () => {
  it('warns once at 80 %, holds the next message at 100 % after the turn, and sends it once poli resume --budget raises the limit', async () => {
    const t = setup({ limit: 5 }, [{ kind: 'resume', budget: 10 }]);
    const outcome = await t.run();
    expect(outcome.status).toBe('completed');
    const budgetTexts = t.events.filter((e) => e.kind === 'budget').map((e) => [e.budget?.level, e.text]);
    expect(budgetTexts).toEqual([
      ['warn', 'budget: $4.00 of its budget $5.00 spent (80 %); at $5.00 the task waits'],
      [
        'reached',
        'waiting: its budget $5.00 is spent ($6.00): message T7-R2-x4 to the EXECUTER waits, its CLIs keep their context; poli resume T7 --budget N raises it',
      ],
      ['raised', 'budget: its budget is raised to $10.00; sending message T7-R2-x4 to the EXECUTER'],
      // The new limit warns again at its own 80 %.
      ['warn', 'budget: $8.00 of its budget $10.00 spent (80 %); at $10.00 the task waits'],
    ]);
    // The held message was not typed while the task waited: the EXECUTER had only the plan.
    expect(t.sentWhenWaiting).toEqual([1]);
    expect(t.waits).toEqual([
      {
        kind: 'budget',
        role: 'EXECUTER',
        reason:
          'its budget $5.00 is spent ($6.00): message T7-R2-x4 to the EXECUTER waits, its CLIs keep their context; poli resume T7 --budget N raises it',
        since: new Date(t.waits[0]?.since ?? 0).toISOString(),
        until: null,
      },
      null,
    ]);
    // The continue went out under the id it was held with, and the dialogue went on to the end.
    expect(t.panes.EXECUTER.submitted[1]).toContain('"id":"T7-R2-x4"');
    expect(t.recorded.at(-1)).toMatchObject({ from: 'PLANNER', type: 'complete' });
    expect(t.budget()).toEqual({ limit: 10, warned: true });
  });

  it('keeps the message held on a plain poli resume: only a higher budget lets it go', async () => {
    const t = setup({ limit: 5 }, [{ kind: 'resume' }, { kind: 'stop' }]);
    const outcome = await t.run();
    expect(outcome.status).toBe('interrupted');
    expect(t.events.map((e) => e.text)).toContain('message T7-R2-x4 still waits for the budget: poli resume with --budget N raises it');
    expect(t.panes.EXECUTER.submitted).toHaveLength(1);
  });

  it('never holds on an unknown cost: says once that the budget cannot be enforced', async () => {
    const t = setup({ limit: 0.01 }, [], () => null);
    const outcome = await t.run();
    expect(outcome.status).toBe('completed');
    expect(t.events.filter((e) => e.kind === 'budget').map((e) => e.budget?.level)).toEqual(['unknown']);
    expect(t.waits).toEqual([]);
  });

  it('holds when poli work says the queue budget is spent, and goes on when it is raised', async () => {
    const t = setup(undefined, [{ kind: 'queue-budget', reached: false, spent: 31, limit: 50 }], undefined, [{ kind: 'queue-budget', reached: true, spent: 30.5, limit: 30 }]);
    const outcome = await t.run();
    expect(outcome.status).toBe('completed');
    expect(t.events.filter((e) => e.kind === 'budget').map((e) => e.text)).toEqual([
      'waiting: the queue budget $30.00 of this poli work run is spent ($30.50): message T7-R1-x2 to the EXECUTER waits, its CLIs keep their context; poli resume --queue-budget N raises it',
      'budget: the queue budget is raised to $50.00; sending message T7-R1-x2 to the EXECUTER',
    ]);
    // Held before the plan was typed into the EXECUTER.
    expect(t.sentWhenWaiting).toEqual([0]);
  });
});
