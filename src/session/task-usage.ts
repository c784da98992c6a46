/**
 * A task's token usage and cost (issue 22): takes the calls the session's usage feed reads, keeps each (role, call id)
 * once (the first attribution stays, the last numbers win), appends every new or changed call to the per-call file
 * `<stateDir>/usage/<taskId>.jsonl` (a reader takes the last line per role and call id), and keeps TaskRecord.usage
 * current. A resumed task starts from that file, so its totals go on from where they were.
 */
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Role } from '../protocol/types.ts';
import type { EventLog } from '../records/events.ts';
import { makeDirectory } from '../state/make-dir.ts';
import type { StateStore } from '../state/store.ts';
import type { TaskRecord, TaskUsage } from '../state/types.ts';
import { attributionKey } from '../usage/attribute.ts';
import { PACKAGE_ROOT } from '../host.ts';
import { PriceFileError } from '../errors.ts';
import { loadPrices, type PriceTable } from '../usage/prices.ts';
import { foldCalls, NO_PRICES, priceCall, type CostOf, type PricedCall } from '../usage/totals.ts';
import type { AttributedCall } from '../usage/types.ts';
import type { RunningTask } from './task-start.ts';
import type { Workspace } from './workspace-api.ts';

/**
 * The price table for a task, read at its start (a price file edited meanwhile counts from the next task). A bad
 * file does not stop the work: it is told, and the task's costs are unknown (its tokens are still counted).
 */
function taskPrices(ws: Workspace): PriceTable {
  try {
    return loadPrices({ configDir: path.join(PACKAGE_ROOT, 'config'), env: ws.io.env, ...(ws.settings.prices ? { override: ws.settings.prices } : {}) });
  } catch (error) {
    if (!(error instanceof PriceFileError)) throw error;
    ws.error(`poli: ${error.message} Costs of this task are unknown.`);
    return { file: '(no price table: see the error above)', date: '', costOf: NO_PRICES };
  }
}

export interface TaskUsageOptions {
  stateDir: string;
  taskId: string;
  store: StateStore;
  events: EventLog;
  costOf: CostOf;
  /** The price table used (its file and date), named in the record. */
  prices: { file: string; date: string };
  /** What is unknown whatever the calls say: "EXECUTER (aider) records no usage". */
  notes(): string[];
  round(): number;
  paneOf(role: Role): string;
  /** Receives the record each time it changed (the task's display). */
  onRecord?(record: TaskRecord): void;
}

/** The usage recorder of a running task, wired to its workspace. */
export function taskUsage(task: RunningTask): TaskUsageRecorder {
  const { ws } = task;
  const prices = taskPrices(ws);
  return new TaskUsageRecorder({
    stateDir: ws.settings.stateDir,
    taskId: task.id,
    store: ws.store,
    events: ws.events,
    costOf: (call) => prices.costOf(call),
    prices: { file: prices.file, date: prices.date },
    notes: () => ws.session.usage.notes(),
    round: () => task.display.round,
    paneOf: (role) => task.paneOf(role),
    onRecord: (record) => {
      task.display.latest = record;
    },
  });
}

/** The per-call file of a task. */
export function usageFile(stateDir: string, taskId: string): string {
  return path.join(stateDir, 'usage', `${taskId}.jsonl`);
}

export class TaskUsageRecorder {
  private readonly calls = new Map<string, PricedCall>();
  private loaded = false;

  constructor(private readonly options: TaskUsageOptions) {}

  /** The sink for UsageFeed.attach. */
  readonly sink = (calls: AttributedCall[]): Promise<void> => this.add(calls);

  async add(calls: readonly AttributedCall[]): Promise<void> {
    await this.load();
    const changed = calls.flatMap((call) => this.keep(call));
    if (changed.length === 0) return;
    const file = usageFile(this.options.stateDir, this.options.taskId);
    await makeDirectory(path.dirname(file), 0o700);
    await appendFile(file, changed.map((call) => `${JSON.stringify(call)}\n`).join(''));
    const usage = this.usage();
    const record = await this.options.store.update(this.options.taskId, { usage });
    this.options.onRecord?.(record);
    this.emit(changed, usage);
  }

  /** The task's usage now. */
  usage(): TaskUsage {
    const fold = foldCalls([...this.calls.values()], this.options.costOf);
    return { ...fold, unknown: [...new Set([...this.options.notes(), ...fold.unknown])], prices: this.options.prices };
  }

  /** Records a call; returns it priced when it is new or its numbers changed. */
  private keep(call: AttributedCall): PricedCall[] {
    const key = `${call.role}\u0000${call.callId}`;
    const seen = this.calls.get(key);
    if (seen && seen.model === call.model && JSON.stringify(seen.counts) === JSON.stringify(call.counts)) return [];
    const priced = priceCall(seen ? { ...call, attribution: seen.attribution } : call, this.options.costOf);
    this.calls.set(key, priced);
    return [priced];
  }

  /** The calls an earlier poli recorded for this task (a resumed task): the last line per role and call id. */
  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const text = await readFile(usageFile(this.options.stateDir, this.options.taskId), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      try {
        const call = JSON.parse(line) as PricedCall;
        if (typeof call.callId === 'string' && typeof call.role === 'string') this.calls.set(`${call.role}\u0000${call.callId}`, call);
      } catch {
        // a line cut short by a kill: the call comes again if the CLI's transcript still has it
      }
    }
  }

  /** One `usage` event per turn whose numbers changed. */
  private emit(changed: readonly PricedCall[], usage: TaskUsage): void {
    const turns = new Map<string, PricedCall>();
    for (const call of changed) turns.set(attributionKey(call.attribution, call.role), call);
    for (const [id, call] of turns) {
      const turn = usage.byMessage[id];
      if (!turn) continue;
      const { input, output, cacheRead, cacheWrite, cost } = turn;
      this.options.events.emit({
        event: 'usage', task: this.options.taskId, round: this.options.round(), role: call.role, pane: this.options.paneOf(call.role),
        id, model: call.model, input, output, cacheRead, cacheWrite, cost, taskCost: usage.total.cost,
      });
    }
  }
}
