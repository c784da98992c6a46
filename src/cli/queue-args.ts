/** Parsing the queue's commands (queue-options.ts): argv's positional arguments and options to a QueueAction. Pure. */
import { ConfigError } from '../errors.ts';
import { DEFAULT_TASK_RETRIES } from '../queue/types.ts';
import type { QueueSubcommand } from './queue-options.ts';
import { workServe, type ServeAddress } from './serve-options.ts';
import { budgetOption } from './budget-option.ts';

/** What a queue command asks for. */
export type QueueAction =
  | { verb: 'add'; text: string | undefined; taskFile: string | undefined; priority: 'high' | 'normal' | 'low'; after: string[]; type: string | undefined; retries: number; base?: string; budget?: number }
  | { verb: 'queue'; all: boolean; json: boolean }
  /** `budget`: each task's --budget unless it has its own (poli add --budget); `queueBudget`: what the whole run may spend. */
  | { verb: 'work'; parallel: number | 'auto'; check: string | undefined; strategy: 'merge' | 'rebase'; mergeRetries: number; watch: boolean; serve?: ServeAddress; budget?: number; queueBudget?: number }
  | { verb: 'ps'; json: boolean }
  | { verb: 'logs'; id: string; follow: boolean }
  | { verb: 'merge'; id: string }
  | { verb: 'retry'; id: string };

const TASK_ID = /^T\d+$/;
export const DEFAULT_PARALLEL = 2;
export const DEFAULT_RETRIES = DEFAULT_TASK_RETRIES;
export const DEFAULT_MERGE_RETRIES = 2;

/** Parses one queue command. Throws ConfigError (exit 2) for a form that is not one. */
export function queueAction(sub: QueueSubcommand, parsed: Record<string, unknown>, rest: string[]): QueueAction {
  switch (sub) {
    case 'add':
      return addAction(parsed, rest);
    case 'queue':
      noArguments(sub, rest);
      return { verb: 'queue', all: parsed['all'] === true, json: parsed['json'] === true };
    case 'ps':
      noArguments(sub, rest);
      return { verb: 'ps', json: parsed['json'] === true };
    case 'work':
      noArguments(sub, rest);
      return workAction(parsed);
    case 'logs':
      return { verb: 'logs', id: taskId(sub, rest), follow: parsed['follow'] === true };
    case 'merge':
    case 'retry':
      return { verb: sub, id: taskId(sub, rest) };
  }
}

function addAction(parsed: Record<string, unknown>, rest: string[]): QueueAction {
  const taskFile = parsed['task-file'] as string | undefined;
  const text = rest.length > 0 ? rest.join(' ') : undefined;
  if (text !== undefined && taskFile !== undefined) throw new ConfigError('poli add takes the task as text or with --task-file, not both');
  if (text !== undefined && text.trim() === '') throw new ConfigError('poli add needs a non-empty task text, e.g. poli add "Add a --verbose flag"');
  const after = String(parsed['after'] ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const bad = after.find((id) => !TASK_ID.test(id));
  if (bad !== undefined) throw new ConfigError(`--after takes task ids separated by commas, e.g. --after T3,T4; "${bad}" is not one`);
  return {
    verb: 'add',
    text: text === '-' ? undefined : text,
    taskFile: text === '-' ? '-' : taskFile,
    priority: (parsed['priority'] as 'high' | 'normal' | 'low' | undefined) ?? 'normal',
    after: [...new Set(after)],
    type: parsed['type'] as string | undefined,
    retries: count('retries', parsed['retries'], DEFAULT_RETRIES),
    ...(typeof parsed['base'] === 'string' && parsed['base'].trim() !== '' ? { base: parsed['base'].trim() } : {}),
    ...budgets(parsed, 'budget'),
  };
}

function workAction(parsed: Record<string, unknown>): QueueAction {
  const raw = parsed['parallel'] as string | undefined;
  const parallel = raw === 'auto' ? 'auto' : count('parallel', raw, DEFAULT_PARALLEL);
  if (parallel === 0) throw new ConfigError('--parallel needs at least 1 (or auto)');
  const check = parsed['check'] as string | undefined;
  if (check !== undefined && check.trim() === '') throw new ConfigError('--check needs a command, e.g. --check "npm test"');
  const serve = workServe(parsed);
  return {
    verb: 'work',
    parallel,
    check,
    strategy: (parsed['strategy'] as 'merge' | 'rebase' | undefined) ?? 'merge',
    mergeRetries: count('merge-retries', parsed['merge-retries'], DEFAULT_MERGE_RETRIES),
    // A dashboard that vanished once the queue drained would strand the page (its Add task would queue for nobody):
    // --serve keeps the worker waiting for new tasks, as --watch does, until Ctrl+C.
    watch: parsed['watch'] === true || serve !== undefined,
    ...(serve !== undefined ? { serve } : {}),
    ...budgets(parsed, 'budget'),
    ...budgets(parsed, 'queue-budget'),
  };
}

/** `--budget` → `{ budget }`, `--queue-budget` → `{ queueBudget }`, when given. */
function budgets(parsed: Record<string, unknown>, flag: 'budget' | 'queue-budget'): { budget?: number; queueBudget?: number } {
  const amount = budgetOption(parsed, flag);
  if (amount === undefined) return {};
  return flag === 'budget' ? { budget: amount } : { queueBudget: amount };
}

function count(flag: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) > 1000) throw new ConfigError(`--${flag} needs a whole number from 0 to 1000${flag === 'parallel' ? ' (or auto)' : ''}; got ${JSON.stringify(String(value))}`);
  return Number(text);
}

function taskId(sub: string, rest: string[]): string {
  const [id, ...more] = rest;
  if (id === undefined || !TASK_ID.test(id) || more.length > 0) throw new ConfigError(`poli ${sub} needs one task id, e.g. poli ${sub} T7 (see poli queue)`);
  return id;
}

function noArguments(sub: string, rest: string[]): void {
  if (rest.length > 0) throw new ConfigError(`unexpected arguments after "${sub}": ${rest.join(' ')}`);
}
