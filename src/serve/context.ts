/** What every route of `poli serve` works with: the state directory's stores, where new tasks go, the clock. */
import type { QueueStore } from '../queue/store.ts';
import type { StateStore } from '../state/store.ts';
import type { PaneFeed } from './pane-types.ts';

export interface ServeContext {
  stateDir: string;
  /** The project `POST /api/tasks` queues tasks for (the `poli serve`'s --project-dir). */
  projectDir: string;
  /** The tmux socket new tasks run on, and the default one of tasks that name none. */
  socket: string;
  /** The per-user directory of socket locks and control inboxes (host.ts `runtimeDir`). */
  runtimeDir: string;
  /** Only looks: a task of a dead poli reads as interrupted without its file being written. */
  records: StateStore;
  /** Writes: `POST /api/tasks` creates the task's record. */
  writer: StateStore;
  queue: QueueStore;
  /** Settings values (`POLI_TYPE_<TYPE>_PLANNER_CMD`…) for a task's `type`. */
  typeValues: Record<string, string | undefined>;
  paneFeed: PaneFeed | undefined;
  now(): number;
  pid: number;
}
