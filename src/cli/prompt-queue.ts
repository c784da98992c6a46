/**
 * `:parallel N` at the `poli>` prompt (issue 20, item 2): from then on each task typed is queued and run by a worker in
 * the background, up to N pairs at once, each in its own worktree and merged back, while the prompt takes the next
 * one. `:parallel 1` goes back to one task at a time in the prompt's own session. Leaving the prompt stops the pairs
 * with their state kept: `poli work` finishes them.
 */
import type { WorkSummary } from '../queue/worker.ts';
import type { Workspace } from '../session/workspace.ts';
import { openStores } from './queue-stores.ts';
import { renderQueue } from './queue-view.ts';

export class PromptQueue {
  private parallel = 1;
  private running: { stop: AbortController; done: Promise<WorkSummary | undefined> } | undefined;

  constructor(private readonly ws: Workspace) {}

  /** Whether typed tasks go to the queue. */
  get on(): boolean {
    return this.parallel > 1;
  }

  /** `:parallel N`. */
  set(text: string): void {
    const n = Number(text.trim());
    if (!/^\d+$/.test(text.trim()) || n < 1 || n > 64) {
      this.ws.say('poli: :parallel takes a number of pairs from 1 to 64, e.g. :parallel 4');
      return;
    }
    this.parallel = n;
    this.ws.say(
      n === 1
        ? 'poli: one task at a time again, in this prompt\'s session (queued tasks still running finish in the background).'
        : `poli: up to ${n} tasks at once: each task you type is queued and runs in its own git worktree, merged back when done (:queue lists them).`,
    );
  }

  /** Queues a typed task and makes sure a worker runs it. */
  async add(text: string): Promise<void> {
    const { ws } = this;
    const { addTask } = await import('../queue/add.ts');
    const { createGitOps } = await import('../queue/git-real.ts');
    const stores = await openStores(ws.io, ws.settings, false);
    try {
      const base = await createGitOps().currentBranch(ws.settings.projectDir);
      const { settings } = ws;
      const commands = settings.mock ? {} : { plannerCmd: settings.plannerCmd, executerCmd: settings.executerCmd };
      const task = await addTask(stores.queue, stores.records, { text, priority: 'normal', after: [], retries: 1, project: settings.projectDir, base, socket: settings.socket, ...commands }, ws.io.now);
      ws.say(`poli: queued ${task.id} (it runs on branch poli/${task.id} and is merged into ${base}).`);
    } finally {
      stores.queue.close();
    }
    this.ensureWorker();
  }

  /** `:queue`: the queue as `poli queue` prints it. */
  async show(): Promise<void> {
    const stores = await openStores(this.ws.io, this.ws.settings, true);
    try {
      this.ws.io.stdout.write(renderQueue(stores.queue.list()));
    } finally {
      stores.queue.close();
    }
  }

  /** Leaving the prompt: the background pairs end their tasks with their state kept. */
  async close(): Promise<void> {
    if (!this.running) return;
    this.running.stop.abort('the prompt was left');
    const summary = await this.running.done;
    const left = summary?.left.filter((t) => t.state === 'running' || t.state === 'queued' || t.state === 'merging') ?? [];
    if (left.length > 0) this.ws.say(`poli: ${left.map((t) => t.id).join(', ')} stopped with their state kept; poli work finishes them.`);
  }

  private ensureWorker(): void {
    if (this.running) return;
    const stop = new AbortController();
    const { ws } = this;
    const passed = ws.settings.mock ? ['--mock'] : [];
    const run = { parallel: this.parallel, check: undefined, strategy: 'merge' as const, mergeRetries: 2, watch: true, passed };
    const done = import('./queue-work.ts')
      .then(({ runQueueWorker }) => runQueueWorker(ws.io, ws.settings, run, stop.signal))
      .catch((error: unknown) => {
        ws.error(`poli: the queue's worker stopped: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      })
      .finally(() => {
        if (this.running?.stop === stop) this.running = undefined;
      });
    this.running = { stop, done };
  }
}
