import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGitOps } from '../../test/helpers/fake-git-ops.ts';
import type { GitOps } from './git-ops.ts';
import type { MessageRecord, TaskRecord, TaskStatus } from '../state/types.ts';
import { QueueStore } from './store.ts';
import type { QueuedTask } from './types.ts';
import { QueueWorker, type WorkerDeps, type WorkerOptions } from './worker.ts';

const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const WORKER = 4000;

/** The world a worker sees: a real store on a temp file, an in-memory records map, fake git and processes. */
class World {
  readonly queue: QueueStore;
  readonly records = new Map<string, TaskRecord>();
  readonly alive = new Set<number>([WORKER]);
  readonly launched: string[] = [];
  readonly killed: string[] = [];
  readonly said: string[] = [];
  readonly warned: string[] = [];
  room: { ok: true } | { ok: false; reason: string } = { ok: true };
  private nextPid = 5000;
  git: GitOps;
  readonly fake: ReturnType<typeof createFakeGitOps>;

  constructor(readonly dir: string) {
    this.queue = QueueStore.open(dir);
    this.fake = createFakeGitOps();
    this.git = this.fake.git;
  }

  add(id: string, text = `Create ${id}.txt containing ${id}`, more: Partial<QueuedTask> = {}): void {
    this.queue.insert(id, { text, priority: 'normal', after: [], retries: 1, project: '/p', base: 'main', ...more }, new Date(NOW).toISOString());
    if (more.state !== undefined) this.queue.update(id, more);
    this.records.set(id, { id, task: text, status: 'queued', rounds: 0, startedAt: new Date(NOW).toISOString(), endedAt: null, messages: [], pid: 0, socket: 's', projectDir: '/p' });
  }

  /** The task's pair process ends, leaving its record with `status`. */
  end(id: string, status: TaskStatus, error?: string): void {
    const pid = this.queue.get(id)?.childPid;
    if (pid !== undefined) this.alive.delete(pid);
    const record = this.records.get(id) as TaskRecord;
    this.records.set(id, { ...record, status, pid: pid ?? 0, rounds: record.rounds + 1, ...(error !== undefined ? { error } : {}) });
  }

  state(id: string): QueuedTask {
    return this.queue.get(id) as QueuedTask;
  }

  deps(pid = WORKER): WorkerDeps {
    return {
      queue: this.queue,
      records: {
        get: async (id) => this.records.get(id),
        update: async (id, patch) => {
          const next = { ...(this.records.get(id) as TaskRecord), ...patch };
          this.records.set(id, next);
          return next;
        },
        appendMessage: async (id, message: MessageRecord) => {
          const record = this.records.get(id) as TaskRecord;
          const next = { ...record, messages: [...record.messages, message] };
          this.records.set(id, next);
          return next;
        },
      },
      git: this.git,
      launch: (task) => {
        const child = this.nextPid++;
        this.alive.add(child);
        this.launched.push(task.id);
        return child;
      },
      stopPair: (child) => void this.alive.delete(child),
      isAlive: (p) => this.alive.has(p),
      killSession: async (id) => void this.killed.push(id),
      capacity: () => this.room,
      logTail: async () => 'line 1\nline 2\nError: boom\n',
      now: () => NOW,
      sleep: async () => undefined,
      say: (line) => void this.said.push(line),
      warn: (line) => void this.warned.push(line),
      pid,
      random: () => 0.5,
    };
  }

  worker(options: Partial<WorkerOptions> = {}, pid = WORKER): QueueWorker {
    return new QueueWorker(this.deps(pid), {
      parallel: 2, auto: false, checkTimeoutMs: 1000, strategy: 'merge', mergeRetries: 2, worktreeRoot: path.join(this.dir, 'worktrees'), watch: false, tickMs: 10, ...options,
    });
  }
}

/** Lets a merge the worker started (not awaited by tick) run to its end: the fakes answer at once. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

let dir: string;
let world: World;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poli-queue-worker-'));
  world = new World(dir);
});
afterEach(() => {
  world.queue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('QueueWorker: starting pairs', () => {
  it('starts up to --parallel pairs, each on its branch in its worktree', async () => {
    for (const id of ['T1', 'T2', 'T3']) world.add(id);
    await world.worker().tick();
    expect(world.launched).toEqual(['T1', 'T2']);
    expect(world.state('T1')).toMatchObject({ state: 'running', attempts: 1, workerPid: WORKER, childPid: 5000, branch: 'poli/T1', worktree: path.join(dir, 'worktrees', 'T1'), baseCommit: 'base0' });
    expect(world.state('T3').state).toBe('queued');
    expect(world.records.get('T1')?.projectDir).toBe(path.join(dir, 'worktrees', 'T1'));
    expect(world.fake.calls[0]).toEqual({ step: 'createTaskWorktree', arg: { project: '/p', dir: path.join(dir, 'worktrees', 'T1'), branch: 'poli/T1', base: 'main' } });
    expect(world.said).toContain(`poli: T1 started on poli/T1 in ${path.join(dir, 'worktrees', 'T1')} (pid 5000)`);
  });

  it('gives each task it starts --budget unless the task has its own (poli add --budget)', async () => {
    for (const id of ['T1', 'T2']) world.add(id);
    world.records.set('T2', { ...(world.records.get('T2') as TaskRecord), budget: { limit: 1.5 } });
    await world.worker({ budget: 3 }).tick();
    expect(world.records.get('T1')?.budget).toEqual({ limit: 3 });
    expect(world.records.get('T2')?.budget).toEqual({ limit: 1.5 });
  });

  it('with --parallel auto, starts one pair always and more while there is room, saying once why it waits', async () => {
    for (const id of ['T1', 'T2', 'T3']) world.add(id);
    world.room = { ok: false, reason: 'the load is 3.5 on 2 cores' };
    const worker = world.worker({ parallel: 3, auto: true });
    await worker.tick();
    await worker.tick();
    expect(world.launched).toEqual(['T1']);
    expect(world.said.filter((l) => l.includes('not starting'))).toEqual(['poli: not starting T2 yet: the load is 3.5 on 2 cores']);
    world.room = { ok: true };
    await worker.tick();
    expect(world.launched).toEqual(['T1', 'T2', 'T3']);
  });

  it('fails a task whose worktree cannot be made', async () => {
    world.add('T1');
    world.fake.script.createTaskWorktree = [new Error('fatal: invalid reference: main')];
    await world.worker().tick();
    expect(world.state('T1')).toMatchObject({ state: 'failed', reason: 'could not make its worktree: fatal: invalid reference: main' });
    expect(world.launched).toEqual([]);
  });
});

describe('QueueWorker: a pair ends', () => {
  it('completed → merging → merged, its session killed', async () => {
    world.add('T1');
    const worker = world.worker();
    await worker.tick();
    world.end('T1', 'completed');
    await worker.tick();
    expect(world.state('T1').state).toBe('merging');
    await settle();
    expect(world.state('T1')).toMatchObject({ state: 'merged', mergedCommit: 'merge1234567890' });
    expect(world.killed).toEqual(['T1']);
    expect(world.said).toContain('poli: T1 merged into main (merge12345)');
    expect(worker.drained()).toBe(true);
  });

  it('interrupted by a dead process: relaunched on the same attempt; after 5 relaunches without progress, failed', async () => {
    world.add('T1');
    const worker = world.worker();
    await worker.tick();
    for (let i = 1; i <= 5; i++) {
      world.end('T1', 'interrupted', 'the poli process died');
      await worker.tick();
      expect(world.state('T1')).toMatchObject({ state: 'running', attempts: 1 });
    }
    expect(world.launched).toEqual(['T1', 'T1', 'T1', 'T1', 'T1', 'T1']);
    expect(world.said).toContain('poli: T1 resumed after the poli process died (pid 5001)');
    world.end('T1', 'interrupted', 'the poli process died');
    await worker.tick();
    expect(world.state('T1')).toMatchObject({ state: 'failed', attempts: 1 });
    expect(world.state('T1').reason).toMatch(/^its pair ended 5 times in a row without the dialogue moving; see poli logs T1$/);
    expect(world.launched).toHaveLength(6);
  });

  it('a pair that died before its dialogue did is started again, and fails with its log\'s end', async () => {
    world.add('T1');
    const worker = world.worker();
    await worker.tick();
    for (let i = 0; i < 6; i++) {
      world.end('T1', 'running');
      await worker.tick();
    }
    expect(world.state('T1').reason).toBe('its pair ended 5 times in a row without the dialogue moving (its log ends: line 1 / line 2 / Error: boom); see poli logs T1');
  });

  it('stopped by the person (poli stop) → stopped', async () => {
    world.add('T1');
    const worker = world.worker();
    await worker.tick();
    world.end('T1', 'interrupted', 'stopped by the human (poli stop)');
    await worker.tick();
    expect(world.state('T1')).toMatchObject({ state: 'stopped', reason: 'stopped by the person (poli stop)' });
    expect(world.launched).toEqual(['T1']);
  });

  for (const status of ['failed', 'timeout'] as const) {
    it(`${status}: retried with attempts+1 until its retries are used, then failed`, async () => {
      world.add('T1', undefined, { retries: 1 });
      const worker = world.worker();
      await worker.tick();
      world.end('T1', status, 'the EXECUTER did not answer');
      await worker.tick();
      expect(world.state('T1')).toMatchObject({ state: 'running', attempts: 2 });
      expect(world.killed).toEqual(['T1']);
      expect(world.said).toContain(`poli: T1 retried (attempt 2 of 2) after its dialogue ended ${status}: the EXECUTER did not answer (pid 5001)`);
      world.end('T1', status, 'the EXECUTER did not answer');
      await worker.tick();
      expect(world.state('T1')).toMatchObject({ state: 'failed', attempts: 2, reason: `its dialogue ended ${status}: the EXECUTER did not answer` });
      expect(world.launched).toEqual(['T1', 'T1']);
    });
  }

  it('max_rounds is not retried', async () => {
    world.add('T1', undefined, { retries: 3 });
    const worker = world.worker();
    await worker.tick();
    world.end('T1', 'max_rounds');
    await worker.tick();
    expect(world.state('T1')).toMatchObject({ state: 'failed', reason: 'its dialogue ended max_rounds' });
  });
});

describe('QueueWorker: the merge queue sends a task back', () => {
  it('a conflict appends a revision to the record and relaunches the pair; after --merge-retries, needs_merge', async () => {
    const text = 'Create alpha.txt containing ALPHA';
    world.add('T1', text);
    world.fake.script.integrate = [{ kind: 'conflict', files: ['alpha.txt'], output: 'CONFLICT (add/add)' }];
    const worker = world.worker({ mergeRetries: 2 });
    await worker.tick();
    for (let revision = 1; revision <= 2; revision++) {
      world.end('T1', 'completed');
      await worker.tick();
      await settle();
      expect(world.state('T1')).toMatchObject({ state: 'running', mergeAttempts: revision, childPid: 5000 + revision });
      const record = world.records.get('T1') as TaskRecord;
      expect(record.status).toBe('interrupted');
      expect(record.error).toBe('sent back by the merge queue: merging main into poli/T1 conflicts in alpha.txt');
      const last = record.messages.at(-1) as MessageRecord;
      expect(last).toMatchObject({ from: 'ORCHESTRATOR', to: 'EXECUTER', type: 'revision' });
      expect(last.body).toContain('alpha.txt');
      expect(last.body.endsWith(`\n${text}`)).toBe(true);
    }
    expect(world.launched).toEqual(['T1', 'T1', 'T1']);
    world.end('T1', 'completed');
    await worker.tick();
    await settle();
    expect(world.state('T1')).toMatchObject({ state: 'needs_merge', reason: 'merging main into poli/T1 conflicts in alpha.txt, after 2 revision(s)' });
    expect(world.records.get('T1')?.messages).toHaveLength(2);
    expect(world.warned.at(-1)).toMatch(/^poli: T1 needs you to merge it: .*poli merge T1$/);
    expect(worker.drained()).toBe(true);
  });
});

describe('QueueWorker: other workers', () => {
  it('adopts the running pair of a dead worker, and resumes one whose pair died too', async () => {
    world.add('T1', undefined, { state: 'running', workerPid: 3000, childPid: 3001, attempts: 1 });
    world.add('T2', undefined, { state: 'running', workerPid: 3000, childPid: 3002, attempts: 1 });
    world.alive.add(3001);
    world.records.set('T2', { ...(world.records.get('T2') as TaskRecord), status: 'interrupted', error: 'the poli process died', pid: 3002 });
    await world.worker().tick();
    expect(world.state('T1')).toMatchObject({ state: 'running', workerPid: WORKER, childPid: 3001 });
    expect(world.said).toContain('poli: T1: adopted its running pair (pid 3001)');
    expect(world.state('T2')).toMatchObject({ state: 'running', workerPid: WORKER, childPid: 5000, attempts: 1 });
    expect(world.launched).toEqual(['T2']);
  });

  it('leaves a live worker\'s tasks alone and counts only its own pairs', async () => {
    world.alive.add(3000);
    world.add('T1', undefined, { state: 'running', workerPid: 3000, childPid: 3001, attempts: 1 });
    world.add('T2', undefined, { state: 'running', workerPid: 3000, childPid: 3002, attempts: 1 });
    world.add('T3');
    const worker = world.worker({ parallel: 1 });
    await worker.tick();
    expect(world.state('T1')).toMatchObject({ workerPid: 3000, childPid: 3001 });
    expect(world.launched).toEqual(['T3']);
    expect(worker.drained()).toBe(false);
  });

  it('blocks the tasks behind a failed one, and is drained when nothing else can run', async () => {
    world.add('T1', undefined, { state: 'failed', reason: 'x' });
    world.add('T2', undefined, { after: ['T1'] });
    const worker = world.worker();
    await worker.tick();
    expect(world.state('T2')).toMatchObject({ state: 'blocked', reason: 'T1 failed (x)' });
    expect(world.warned).toEqual(['poli: T2 is blocked: T1 failed (x)']);
    expect(worker.drained()).toBe(true);
  });

  it('runs a task after one run outside the queue (poli --task) once that one completed', async () => {
    world.records.set('T1', { id: 'T1', task: 'outside', status: 'running', rounds: 1, startedAt: new Date(NOW).toISOString(), endedAt: null, messages: [], pid: 3100, socket: 's', projectDir: '/p' });
    world.alive.add(3100);
    world.add('T2', undefined, { after: ['T1'] });
    const worker = world.worker();
    await worker.tick();
    expect(world.state('T2').state).toBe('queued');
    world.records.set('T1', { ...(world.records.get('T1') as TaskRecord), status: 'completed' });
    await worker.tick();
    expect(world.state('T2').state).toBe('running');
  });
});
