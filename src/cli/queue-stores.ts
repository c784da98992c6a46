/** The queue's stores as the queue's commands open them, and where the pairs' logs go. */
import path from 'node:path';
import type { Settings } from '../config.ts';
import { realClock, type AppIO } from '../host.ts';
import { QueueStore } from '../queue/store.ts';
import { isProcessAlive } from '../state/lock.ts';
import { StateStore } from '../state/store.ts';

/** Where the pairs' logs go: `<state dir>/queue/logs/T7.log`. */
export function queueLogDir(stateDir: string): string {
  return path.join(stateDir, 'queue', 'logs');
}

export interface Stores {
  queue: QueueStore;
  records: StateStore;
}

/** The queue's store and the task records; a state directory from before the queue is brought in on first open. */
export async function openStores(io: AppIO, settings: Settings, readOnly: boolean): Promise<Stores> {
  const { ensureWritableDir } = await import('../session/session-checks.ts');
  await ensureWritableDir(settings.stateDir);
  const records = new StateStore({ dir: settings.stateDir, clock: realClock, pid: io.pid, isPidAlive: isProcessAlive, readOnly });
  const queue = QueueStore.open(settings.stateDir);
  const now = new Date(io.now()).toISOString();
  queue.importRecords(await records.list(), { base: '', now });
  return { queue, records };
}

