/**
 * The queue's commands (issue 20): `poli add`, `queue`, `ps`, `logs`, `merge`, `retry` here, `poli work` in
 * queue-work.ts. They need only the state directory (and, for add, the project); loaded only when one runs, so
 * better-sqlite3 loads only for them.
 */
import { open, stat } from 'node:fs/promises';
import { loadConfigValues, resolveUserCwd, type Settings } from '../config.ts';
import { ConfigError, StateFileError } from '../errors.ts';
import { PACKAGE_ROOT, realClock, type AppIO } from '../host.ts';
import { addTask, typeCommands } from '../queue/add.ts';
import { createGitDeps } from '../git/index.ts';
import { resolveCommit } from '../git/refs.ts';
import { createGitOps } from '../queue/git-real.ts';
import { pairLog } from '../queue/pairs.ts';
import { QueueStore } from '../queue/store.ts';
import { readQueueRecords } from '../queue/queue-json.ts';
import type { QueuedTask } from '../queue/types.ts';
import { readTaskText, STDIN_SOURCE } from '../terminal/task-text.ts';
import type { QueueAction } from './queue-args.ts';
import { queueJson, renderPs, renderQueue } from './queue-view.ts';
import type { SettingFlags } from './args.ts';
import { openStores, queueLogDir, type Stores } from './queue-stores.ts';

/** Runs a queue command; returns the exit code. */
export async function runQueueCommand(io: AppIO, action: QueueAction, flags: SettingFlags, settings: Settings): Promise<number> {
  if (action.verb === 'work') {
    const { runWork } = await import('./queue-work.ts');
    return runWork(io, action, flags, settings);
  }
  const stores = await openStores(io, settings, action.verb === 'queue' || action.verb === 'ps' || action.verb === 'logs');
  try {
    switch (action.verb) {
      case 'add':
        return await add(io, action, flags, settings, stores);
      case 'queue':
      case 'ps':
        return await show(io, action, stores);
      case 'logs':
        return await logs(io, action.id, action.follow, settings, stores.queue);
      case 'merge':
        return await requeueMerge(io, action.id, stores.queue);
      case 'retry':
        return await retry(io, action.id, stores);
    }
  } finally {
    stores.queue.close();
  }
}

async function add(io: AppIO, action: Extract<QueueAction, { verb: 'add' }>, flags: SettingFlags, settings: Settings, stores: Stores): Promise<number> {
  const text = action.text ?? (await readTaskText(action.taskFile ?? STDIN_SOURCE, io.stdin));
  const git = createGitOps();
  const current = await git.currentBranch(settings.projectDir).catch((error: unknown) => {
    // A detached HEAD is fine when the base is named; a project that is no repository never is.
    if (action.base === undefined || (error as { code?: string }).code !== 'GIT_DETACHED_HEAD') throw error;
    return undefined;
  });
  const base = action.base ?? current ?? '';
  if (action.base !== undefined) await checkBranch(settings.projectDir, action.base);
  const values = await loadConfigValues({ env: io.env, userCwd: resolveUserCwd(io.env, io.cwd), packageRoot: PACKAGE_ROOT });
  const typed = action.type !== undefined ? typeCommands(action.type, values) : {};
  const plannerCmd = (flags.plannerCmd as string | undefined) ?? typed.plannerCmd;
  const executerCmd = (flags.executerCmd as string | undefined) ?? typed.executerCmd;
  const task = await addTask(
    stores.queue,
    stores.records,
    {
      text,
      priority: action.priority,
      after: action.after,
      retries: action.retries,
      project: settings.projectDir,
      base,
      socket: settings.socket,
      ...(action.type !== undefined ? { type: action.type } : {}),
      ...(plannerCmd !== undefined ? { plannerCmd } : {}),
      ...(executerCmd !== undefined ? { executerCmd } : {}),
    },
    io.now,
  );
  const after = task.after.length > 0 ? `, after ${task.after.join(', ')}` : '';
  io.stdout.write(`poli: queued ${task.id} (priority ${task.priority}${after}) on ${base} of ${settings.projectDir}. Run it with: poli work\n`);
  return 0;
}

/** `--base BRANCH` names a branch of the project. */
async function checkBranch(project: string, branch: string): Promise<void> {
  const deps = createGitDeps();
  if ((await resolveCommit(deps, project, `refs/heads/${branch}`)) !== undefined) return;
  throw new ConfigError(`--base ${branch}: the project ${project} has no branch ${branch} (git branch lists them)`);
}

async function show(io: AppIO, action: Extract<QueueAction, { verb: 'queue' | 'ps' }>, stores: Stores): Promise<number> {
  const tasks = stores.queue.list();
  const records = await readQueueRecords(tasks, stores.records, action.json && action.verb === 'queue');
  if (action.json) io.stdout.write(queueJson(action.verb === 'ps' ? tasks.filter((t) => !['merged', 'done'].includes(t.state)) : tasks, records));
  else io.stdout.write(action.verb === 'ps' ? renderPs(tasks, records, io.now()) : renderQueue(tasks, action.all, records));
  return 0;
}

function known(queue: QueueStore, id: string): QueuedTask {
  const task = queue.get(id);
  if (task) return task;
  throw new StateFileError(`no task ${id} in the queue (poli queue --all lists them; a task run with --task is not in the queue)`);
}

/** `poli logs T7 [-f]`: the pair's poli output; with -f, what it adds until Ctrl+C. */
async function logs(io: AppIO, id: string, follow: boolean, settings: Settings, queue: QueueStore): Promise<number> {
  known(queue, id);
  const file = pairLog(queueLogDir(settings.stateDir), id);
  let offset = 0;
  const print = async (): Promise<void> => {
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    if (size <= offset) return;
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      io.stdout.write(buffer);
      offset = size;
    } finally {
      await handle.close();
    }
  };
  await print();
  if (offset === 0 && !follow) io.stderr.write(`poli: ${id} has no log yet (its pair has not started: see poli queue)\n`);
  while (follow) {
    await realClock.sleep(300);
    await print();
  }
  return 0;
}

/** `poli merge T7`: back into the merge queue; a running `poli work` merges it (or the next one). */
async function requeueMerge(io: AppIO, id: string, queue: QueueStore): Promise<number> {
  const task = known(queue, id);
  if (task.state === 'merged') {
    io.stdout.write(`poli: ${id} is merged already (${task.mergedCommit?.slice(0, 10) ?? ''}).\n`);
    return 0;
  }
  if (task.state !== 'needs_merge') throw new ConfigError(`${id} is ${task.state}; poli merge takes a task that waits for you (needs_merge). See poli ps.`);
  queue.update(id, { mergeAttempts: 0 }, ['needs_merge']);
  if (!queue.enqueueMerge(id, ['needs_merge'])) throw new ConfigError(`${id} changed meanwhile; see poli ps`);
  io.stdout.write(`poli: ${id} is back in the merge queue; poli work merges it (start one if none runs).\n`);
  return 0;
}

/** `poli retry T7`: a failed, stopped or blocked task queued again; its branch, worktree and dialogue are kept. */
async function retry(io: AppIO, id: string, stores: Stores): Promise<number> {
  const task = known(stores.queue, id);
  if (task.state === 'needs_merge') return requeueMerge(io, id, stores.queue);
  if (!['failed', 'stopped', 'blocked'].includes(task.state)) throw new ConfigError(`${id} is ${task.state}; poli retry takes a failed, stopped or blocked task. See poli ps.`);
  if (!stores.queue.update(id, { state: 'queued', attempts: 0, mergeAttempts: 0, reason: undefined, endedAt: undefined }, ['failed', 'stopped', 'blocked'])) {
    throw new ConfigError(`${id} changed meanwhile; see poli ps`);
  }
  io.stdout.write(`poli: ${id} is queued again; poli work continues its dialogue${task.branch ? ` on ${task.branch}` : ''}.\n`);
  return 0;
}

