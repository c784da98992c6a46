import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../state/types.ts';
import type { GitOps } from './git-ops.ts';
import { QueueStore } from './store.ts';
import type { QueuedTask } from './types.ts';
import type { WorkerDeps, WorkerOptions } from './worker-deps.ts';
import { pairEnded } from './worker-ends.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const OPTIONS = { parallel: 2, auto: false, checkTimeoutMs: 1000, strategy: 'merge', mergeRetries: 2, worktreeRoot: '/state/worktrees', watch: false, tickMs: 10 } as WorkerOptions;

describe('pairEnded', () => {
  it('a task claimed by a worker killed before it made the worktree: the worktree is made and the record pointed there, then the pair starts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'poli-ends-'));
    dirs.push(dir);
    const queue = QueueStore.open(dir);
    queue.insert('T1', { text: 'Create a.txt containing A', priority: 'normal', after: [], retries: 1, project: '/p', base: 'main' }, new Date(0).toISOString());
    // What the killed worker left: claimed (running, attempt 1), no branch, no worktree, no pair.
    queue.update('T1', { state: 'running', attempts: 1, workerPid: 999_999 });
    const made: string[] = [];
    const patched: string[] = [];
    const launched: QueuedTask[] = [];
    const killed: string[] = [];
    const deps = {
      queue,
      records: {
        get: async () => ({ id: 'T1', status: 'queued', messages: [], rounds: 0, pid: 999_999 }) as unknown as TaskRecord,
        update: async (_id: string, patch: { projectDir?: string }) => {
          patched.push(patch.projectDir ?? '');
          return {} as TaskRecord;
        },
      },
      git: { createTaskWorktree: async (o: { dir: string; branch: string }) => (made.push(`${o.branch} ${o.dir}`), { baseCommit: 'abc' }) } as unknown as GitOps,
      launch: (task: QueuedTask) => (launched.push(task), 4321),
      killSession: async (id: string) => void killed.push(id),
      isAlive: () => false,
      logTail: async () => '',
      now: () => 0,
      say: () => undefined,
      warn: () => undefined,
      pid: 4242,
    } as unknown as WorkerDeps;

    await pairEnded(deps, { ...(queue.get('T1') as QueuedTask), workerPid: 4242 }, { adopted: true, relaunches: new Map(), worktreeRoot: OPTIONS.worktreeRoot });

    expect(made).toEqual(['poli/T1 /state/worktrees/T1']);
    expect(patched).toEqual(['/state/worktrees/T1']);
    expect(launched.map((t) => `${t.branch} ${t.worktree}`)).toEqual(['poli/T1 /state/worktrees/T1']);
    // Its dialogue had no message yet: a half-made session of the killed pair is ended first ("duplicate session").
    expect(killed).toEqual(['T1']);
    expect(queue.get('T1')).toMatchObject({ state: 'running', worktree: '/state/worktrees/T1', branch: 'poli/T1', childPid: 4321 });
    queue.close();
  });
});
