/**
 * What the person does to queued tasks, whether from the CLI (`poli add`, `merge`, `retry`) or the dashboard's API
 * (issue 21): one function per command does the work and returns what happened in words; the CLI prints it, the
 * server answers it. They throw poli's errors, which each side turns into an exit code or an HTTP status.
 */
import { ConfigError, PoliError } from '../errors.ts';
import { createGitDeps } from '../git/index.ts';
import { resolveCommit } from '../git/refs.ts';
import type { StateStore } from '../state/store.ts';
import { addTask, typeCommands } from './add.ts';
import { createGitOps } from './git-real.ts';
import type { QueueStore } from './store.ts';
import type { Priority, QueuedTask } from './types.ts';

/** What a command did, in the words the CLI prints. */
export interface CommandResult {
  message: string;
}

/** A task id the queue does not have. */
export class TaskNotFoundError extends PoliError {
  constructor(id: string, options?: { cause?: unknown }) {
    super('TASK_NOT_FOUND', `no task ${id} in the queue (poli queue --all lists them; a task run with --task is not in the queue)`, options);
  }
}

/** A task that is not in a state for this command (a usage error for the CLI, a conflict for the API). */
export class TaskStateError extends ConfigError {}

/** The task, or TaskNotFoundError. */
export function knownTask(queue: QueueStore, id: string): QueuedTask {
  const task = queue.get(id);
  if (task) return task;
  throw new TaskNotFoundError(id);
}

/** `poli merge T7`: back into the merge queue; a running `poli work` merges it (or the next one). */
export function requeueMerge(queue: QueueStore, id: string): CommandResult {
  const task = knownTask(queue, id);
  if (task.state === 'merged') return { message: `poli: ${id} is merged already (${task.mergedCommit?.slice(0, 10) ?? ''}).` };
  if (task.state !== 'needs_merge') throw new TaskStateError(`${id} is ${task.state}; poli merge takes a task that waits for you (needs_merge). See poli ps.`);
  queue.update(id, { mergeAttempts: 0 }, ['needs_merge']);
  if (!queue.enqueueMerge(id, ['needs_merge'])) throw new TaskStateError(`${id} changed meanwhile; see poli ps`);
  return { message: `poli: ${id} is back in the merge queue; poli work merges it (start one if none runs).` };
}

/** `poli retry T7`: a failed, stopped or blocked task queued again; its branch, worktree and dialogue are kept. */
export function retryTask(queue: QueueStore, id: string): CommandResult {
  const task = knownTask(queue, id);
  if (task.state === 'needs_merge') return requeueMerge(queue, id);
  if (!['failed', 'stopped', 'blocked'].includes(task.state)) throw new TaskStateError(`${id} is ${task.state}; poli retry takes a failed, stopped or blocked task. See poli ps.`);
  if (!queue.update(id, { state: 'queued', attempts: 0, mergeAttempts: 0, reason: undefined, endedAt: undefined }, ['failed', 'stopped', 'blocked'])) {
    throw new TaskStateError(`${id} changed meanwhile; see poli ps`);
  }
  return { message: `poli: ${id} is queued again; poli work continues its dialogue${task.branch ? ` on ${task.branch}` : ''}.` };
}

/** A task to queue, as `poli add` or `POST /api/tasks` gives it. */
export interface AddRequest {
  text: string;
  priority: Priority;
  after: string[];
  retries: number;
  /** The branch it starts from and is merged into (default: the project's current branch). */
  base?: string;
  /** A task type: its commands come from the settings values `POLI_TYPE_<TYPE>_…` (see typeCommands). */
  type?: string;
  /** Commands given outright (`poli add --planner-cmd`); they win over the type's. */
  plannerCmd?: string;
  executerCmd?: string;
  /** `poli add --budget 5`: USD the task may spend (recorded on its task). */
  budget?: number;
}

/** Where a task is queued: the project, the tmux socket its pair runs on, the settings values for its type. */
export interface AddPlace {
  projectDir: string;
  socket: string;
  typeValues: Record<string, string | undefined>;
  now: () => number;
}

/** `poli add`: checks the base branch and the type, and queues the task. */
export async function queueTask(stores: { queue: QueueStore; records: StateStore }, request: AddRequest, place: AddPlace): Promise<CommandResult & { task: QueuedTask }> {
  const git = createGitOps();
  const current = await git.currentBranch(place.projectDir).catch((error: unknown) => {
    // A detached HEAD is fine when the base is named; a project that is no repository never is.
    if (request.base === undefined || (error as { code?: string }).code !== 'GIT_DETACHED_HEAD') throw error;
    return undefined;
  });
  const base = request.base ?? current ?? '';
  if (request.base !== undefined) await checkBranch(place.projectDir, request.base);
  const typed = request.type !== undefined ? typeCommands(request.type, place.typeValues) : {};
  const plannerCmd = request.plannerCmd ?? typed.plannerCmd;
  const executerCmd = request.executerCmd ?? typed.executerCmd;
  const task = await addTask(
    stores.queue,
    stores.records,
    {
      text: request.text,
      priority: request.priority,
      after: request.after,
      retries: request.retries,
      project: place.projectDir,
      base,
      socket: place.socket,
      ...(request.type !== undefined ? { type: request.type } : {}),
      ...(plannerCmd !== undefined ? { plannerCmd } : {}),
      ...(executerCmd !== undefined ? { executerCmd } : {}),
      ...(request.budget !== undefined ? { budget: request.budget } : {}),
    },
    place.now,
  );
  const after = task.after.length > 0 ? `, after ${task.after.join(', ')}` : '';
  const budget = request.budget !== undefined ? `, budget $${request.budget.toFixed(2)}` : '';
  return { task, message: `poli: queued ${task.id} (priority ${task.priority}${after}${budget}) on ${base} of ${place.projectDir}. Run it with: poli work` };
}

/** `--base BRANCH` names a branch of the project. */
async function checkBranch(project: string, branch: string): Promise<void> {
  const deps = createGitDeps();
  if ((await resolveCommit(deps, project, `refs/heads/${branch}`)) !== undefined) return;
  throw new ConfigError(`--base ${branch}: the project ${project} has no branch ${branch} (git branch lists them)`);
}
