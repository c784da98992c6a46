/**
 * The queue's commands (issue 20): `poli add`, `queue`, `ps`, `logs`, `merge`, `retry` here, `poli work` in
 * queue-work.ts. They need only the state directory (and, for add, the project); loaded only when one runs, so
 * better-sqlite3 loads only for them.
 */
import { open, stat } from 'node:fs/promises';
import { loadConfigValues, resolveUserCwd, type Settings } from '../config.ts';
import { PACKAGE_ROOT, realClock, type AppIO } from '../host.ts';
import { pairLog } from '../queue/pairs.ts';
import type { QueueStore } from '../queue/store.ts';
import { readQueueRecords } from '../queue/queue-json.ts';
import { knownTask, queueTask, requeueMerge, retryTask, type CommandResult } from '../queue/task-commands.ts';
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
        return printResult(io, requeueMerge(stores.queue, action.id));
      case 'retry':
        return printResult(io, retryTask(stores.queue, action.id));
    }
  } finally {
    stores.queue.close();
  }
}

async function add(io: AppIO, action: Extract<QueueAction, { verb: 'add' }>, flags: SettingFlags, settings: Settings, stores: Stores): Promise<number> {
  const text = action.text ?? (await readTaskText(action.taskFile ?? STDIN_SOURCE, io.stdin));
  const values = action.type !== undefined ? await loadConfigValues({ env: io.env, userCwd: resolveUserCwd(io.env, io.cwd), packageRoot: PACKAGE_ROOT }) : {};
  const plannerCmd = flags.plannerCmd as string | undefined;
  const executerCmd = flags.executerCmd as string | undefined;
  const result = await queueTask(
    stores,
    {
      text,
      priority: action.priority,
      after: action.after,
      retries: action.retries,
      ...(action.base !== undefined ? { base: action.base } : {}),
      ...(action.type !== undefined ? { type: action.type } : {}),
      ...(plannerCmd !== undefined ? { plannerCmd } : {}),
      ...(executerCmd !== undefined ? { executerCmd } : {}),
      ...(action.budget !== undefined ? { budget: action.budget } : {}),
    },
    { projectDir: settings.projectDir, socket: settings.socket, typeValues: values, now: io.now },
  );
  io.stdout.write(`${result.message}\n`);
  return 0;
}

async function show(io: AppIO, action: Extract<QueueAction, { verb: 'queue' | 'ps' }>, stores: Stores): Promise<number> {
  const tasks = stores.queue.list();
  const records = await readQueueRecords(tasks, stores.records, action.json && action.verb === 'queue');
  if (action.json) io.stdout.write(queueJson(action.verb === 'ps' ? tasks.filter((t) => !['merged', 'done'].includes(t.state)) : tasks, records));
  else io.stdout.write(action.verb === 'ps' ? renderPs(tasks, records, io.now()) : renderQueue(tasks, action.all, records));
  return 0;
}

/** `poli logs T7 [-f]`: the pair's poli output; with -f, what it adds until Ctrl+C. */
async function logs(io: AppIO, id: string, follow: boolean, settings: Settings, queue: QueueStore): Promise<number> {
  knownTask(queue, id);
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

/** `poli merge T7` and `poli retry T7` (src/queue/task-commands.ts, shared with the dashboard's API). */
function printResult(io: AppIO, result: CommandResult): number {
  io.stdout.write(`${result.message}\n`);
  return 0;
}
