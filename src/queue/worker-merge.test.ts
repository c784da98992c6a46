import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GitOps } from './git-ops.ts';
import { QueueStore } from './store.ts';
import type { WorkerDeps, WorkerOptions } from './worker-deps.ts';
import { mergeNext } from './worker-merge.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A store holding T1, completed and waiting to be merged; a git whose every step fails as a git killed by SIGINT does. */
function setup(): { deps: WorkerDeps; queue: QueueStore; warned: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'poli-merge-'));
  dirs.push(dir);
  const queue = QueueStore.open(dir);
  queue.insert('T1', { text: 'Create a.txt containing A', priority: 'normal', after: [], retries: 1, project: '/p', base: 'main' }, new Date(0).toISOString());
  queue.update('T1', { state: 'running', branch: 'poli/T1', worktree: '/w/T1' });
  queue.enqueueMerge('T1', ['running']);
  const killed = (): Promise<never> => Promise.reject(new Error('git rev-parse HEAD (in /w/T1) failed with exit code -1'));
  const git = { commitAll: killed, integrate: killed, runCheck: killed, advanceBase: killed, removeIfMerged: killed } as unknown as GitOps;
  const warned: string[] = [];
  const deps = {
    queue,
    records: { get: async () => undefined },
    git,
    killSession: async () => undefined,
    isAlive: () => false,
    now: () => 0,
    say: () => undefined,
    warn: (line: string) => warned.push(line),
    pid: 4242,
    random: () => 0.5,
  } as unknown as WorkerDeps;
  return { deps, queue, warned };
}

const OPTIONS = { parallel: 1, auto: false, checkTimeoutMs: 1000, strategy: 'merge', mergeRetries: 2, worktreeRoot: '/w', watch: false, tickMs: 10 } as WorkerOptions;

describe('mergeNext', () => {
  it('leaves a merge cut short by Ctrl+C queued for merging, to run again, and releases the merge lock', async () => {
    const { deps, queue, warned } = setup();
    await mergeNext(deps, OPTIONS, () => undefined, () => true);
    expect(queue.get('T1')?.state).toBe('merging');
    expect(warned.join('\n')).toMatch(/T1: its merge was interrupted/);
    expect(queue.lockMerges(1, () => false)).toBe(true);
    queue.close();
  });

  it('without an interrupt, a failing git still leaves the task for the person', async () => {
    const { deps, queue } = setup();
    await mergeNext(deps, OPTIONS, () => undefined);
    expect(queue.get('T1')?.state).toBe('needs_merge');
    queue.close();
  });
});
