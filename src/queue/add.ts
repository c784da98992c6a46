/**
 * `poli add` (issue 20, item 1): a task into the queue, from any shell, while workers run or not. Its id comes from the
 * one sequence every task shares (its record, tasks/T7.json, created `queued`); then its queue row. A kill between the
 * two leaves a queued record the next open of the queue brings in (QueueStore.importRecords): nothing is lost.
 */
import { ConfigError } from '../errors.ts';
import { cleanBody } from '../protocol/format-block.ts';
import type { StateStore } from '../state/store.ts';
import type { QueueStore } from './store.ts';
import type { NewQueuedTask, QueuedTask } from './types.ts';

export interface AddInput extends Omit<NewQueuedTask, 'text'> {
  text: string;
  socket: string;
  /** `poli add --budget 5`: USD the task may spend, on its record before a worker can see it. */
  budget?: number;
}

/** Checks the task and queues it; throws ConfigError for what cannot be queued (nothing is written then). */
export async function addTask(queue: QueueStore, records: StateStore, input: AddInput, now: () => number): Promise<QueuedTask> {
  const text = cleanBody(input.text);
  if (text === '') throw new ConfigError('the task is empty once control characters and blank lines are removed');
  await checkAfter(queue, records, input.after);
  const record = await records.createTask(text, { socket: input.socket, projectDir: input.project }, { queued: true });
  if (input.budget !== undefined) await records.update(record.id, { budget: { limit: input.budget } });
  const { socket: _socket, budget: _budget, ...task } = input;
  return queue.insert(record.id, { ...task, text }, new Date(now()).toISOString());
}

/** Every task named in --after exists (in the queue, or run outside it). */
async function checkAfter(queue: QueueStore, records: StateStore, after: readonly string[]): Promise<void> {
  for (const id of after) {
    if (queue.get(id) !== undefined || (await records.get(id)) !== undefined) continue;
    const known = queue.list().map((t) => t.id).slice(-10).join(', ') || 'none yet';
    throw new ConfigError(`--after ${id}: there is no task ${id} (latest tasks: ${known}). See poli queue.`);
  }
}

/** The planner and executer commands of a task type, from settings `POLI_TYPE_<TYPE>_PLANNER_CMD` / `_EXECUTER_CMD`. */
export function typeCommands(type: string, values: Record<string, string | undefined>): { plannerCmd?: string; executerCmd?: string } {
  const key = type.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const plannerCmd = values[`POLI_TYPE_${key}_PLANNER_CMD`];
  const executerCmd = values[`POLI_TYPE_${key}_EXECUTER_CMD`];
  if (plannerCmd === undefined && executerCmd === undefined) {
    throw new ConfigError(
      `no task type "${type}": define its commands as POLI_TYPE_${key}_PLANNER_CMD and/or POLI_TYPE_${key}_EXECUTER_CMD ` +
        '(in config/shared_workspace.env, .env or the environment), or leave --type out.',
    );
  }
  return { ...(plannerCmd ? { plannerCmd } : {}), ...(executerCmd ? { executerCmd } : {}) };
}
