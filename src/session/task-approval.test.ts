import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decide, decisionsDir, listPending, pendingDir, writePending } from '../human/approval-files.ts';
import type { ApprovalRecord } from '../human/approval.ts';
import type { Block } from '../protocol/types.ts';
import { approvalChannels, approvalReviewer, type ApprovalChannels } from './task-approval.ts';
import type { Workspace } from './workspace-api.ts';

const ID = 'T3-R1-ab12cd';
const BODY = 'Step 1: create a.txt';
const AT = Date.parse('2026-12-07T19:00:00.000Z');

let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'poli-task-approval-'));
});

afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

function plan(id = ID, body = BODY): Block {
  return { header: { to: 'EXECUTER', type: 'plan', id }, body, startLine: 0, endLine: 2 };
}

/** The terminal: answers given in advance, else a question that waits for `type` or is withdrawn (null). */
class FakeInput {
  readonly asked: string[] = [];
  withdrawn = 0;
  private waiting: ((line: string | null) => void) | undefined;
  constructor(private readonly answers: (string | null)[] = []) {}

  question(prompt: string, signal?: AbortSignal): Promise<string | null> {
    this.asked.push(prompt);
    if (this.answers.length > 0) return Promise.resolve(this.answers.shift() ?? null);
    return new Promise((resolve) => {
      this.waiting = resolve;
      signal?.addEventListener('abort', () => {
        this.withdrawn += 1;
        resolve(null);
      });
    });
  }

  /** Answers the open question, or the next one when none is open yet. */
  type(line: string): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(line);
    else this.answers.push(line);
  }

  releaseTerminal<T>(child: () => Promise<T>): Promise<T> {
    return child();
  }
}

/** A workspace with what the reviewer uses: the state dir's real files, the rest recorded in memory. */
function fakeWorkspace(input: FakeInput, recorded: { id: string; from: string; type: string }[] = []) {
  const out: string[] = [];
  const errors: string[] = [];
  const events: Record<string, unknown>[] = [];
  const approvals: ApprovalRecord[] = [];
  const ws = {
    io: { env: {}, stdout: { write: (t: string) => out.push(t) } },
    settings: { stateDir, socket: 'poli-test', session: 'T3', approve: 'plans' },
    input,
    store: {
      get: async () => ({ id: 'T3', approvals: [...approvals], messages: recorded }),
      update: async (_id: string, change: { approvals: ApprovalRecord[] }) => {
        approvals.splice(0, approvals.length, ...change.approvals);
      },
    },
    events: {
      emit: (e: Record<string, unknown>) => {
        events.push(e);
        return e;
      },
    },
    ask: <T>(_event: unknown, ask: () => Promise<T>) => ask(),
    error: (line: string) => errors.push(line),
    clock: { now: () => AT, sleep: () => new Promise<void>((r) => setTimeout(r, 2)) },
  };
  return { ws: ws as unknown as Workspace, out, errors, events, approvals };
}

function reviewer(ws: Workspace, stopper = new AbortController(), channels: ApprovalChannels = { terminal: true, pollMs: 2 }) {
  const asking: boolean[] = [];
  const review = approvalReviewer(ws, 'T3', stopper, (on) => asking.push(on), channels);
  return { review, asking, stopper };
}

/** Resolves once the reviewer's pending file is there (it is written before the question). */
async function pendingWritten(id = ID): Promise<void> {
  for (;;) {
    if ((await listPending(stateDir)).some((p) => p.id === id)) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function filesLeft(): Promise<string[]> {
  const names = async (dir: string) => (await readdir(dir).catch(() => [])).map((n) => `${path.basename(dir)}/${n}`);
  return [...(await names(pendingDir(stateDir))), ...(await names(decisionsDir(stateDir)))];
}

async function auditLog(): Promise<unknown[]> {
  const text = await readFile(path.join(stateDir, 'approvals.jsonl'), 'utf8').catch(() => '');
  return text.trim() === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as unknown);
}

const APPROVED: ApprovalRecord = { at: '2026-12-07T19:00:00.000Z', task: 'T3', round: 1, id: ID, type: 'plan', decision: 'approve' };

describe('approvalReviewer: the terminal and the dashboard', () => {
  it('asks both; the dashboard answers first: the terminal question is withdrawn and says so; audited as at the terminal', async () => {
    const input = new FakeInput();
    const { ws, out, events, approvals } = fakeWorkspace(input);
    const { review, asking } = reviewer(ws);
    const answer = review('PLANNER', plan(), 1);
    await pendingWritten();
    expect(await listPending(stateDir)).toEqual([
      { task: 'T3', round: 1, from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: ID, body: BODY, at: '2026-12-07T19:00:00.000Z', socket: 'poli-test', session: 'T3' },
    ]);
    expect(await decide(stateDir, 'T3', ID, { action: 'approve' })).toBe('decided');
    expect(await answer).toEqual({ action: 'approve' });
    expect(input.withdrawn).toBe(1);
    expect(out.join('')).toBe(`── approve? T3 r1 PLANNER → EXECUTER plan ${ID} ──\n${BODY}\n──\n\npoli: approved from the dashboard\n`);
    expect(await auditLog()).toEqual([APPROVED]);
    expect(approvals).toEqual([APPROVED]);
    expect(events.map((e) => e.event)).toEqual(['ask', 'approval']);
    expect(events[1]).toEqual({ event: 'approval', task: 'T3', round: 1, id: ID, type: 'plan', decision: 'approve' });
    expect(asking).toEqual([true, false]);
    expect(await filesLeft()).toEqual([]);
  });

  it.each([
    [{ action: 'reject' as const, reason: 'too big' }, 'rejected from the dashboard: too big', 'reject'],
    [{ action: 'edit' as const, body: 'Step 1: create b.txt' }, 'edited from the dashboard', 'edit'],
    // As at the terminal, an edit that changes nothing is an approval.
    [{ action: 'edit' as const, body: BODY }, 'approved from the dashboard', 'approve'],
  ])('takes %j from the dashboard', async (decision, said, recorded) => {
    const { ws, out } = fakeWorkspace(new FakeInput());
    const { review } = reviewer(ws);
    const answer = review('PLANNER', plan(), 1);
    await pendingWritten();
    await decide(stateDir, 'T3', ID, decision);
    const result = await answer;
    if (recorded === 'reject') {
      expect(result).toEqual({
        action: 'reject',
        reason: `The human supervising this task rejected your plan message ${ID}; it was not forwarded. Their reason:\ntoo big\nRevise it and reply again.`,
      });
    } else {
      expect(result).toEqual(recorded === 'edit' ? decision : { action: 'approve' });
    }
    expect(out.at(-1)).toBe(`\npoli: ${said}\n`);
    expect(((await auditLog())[0] as ApprovalRecord).decision).toBe(recorded);
  });

  it('the terminal answers first: its decision is claimed, the dashboard finds nothing pending afterwards', async () => {
    const input = new FakeInput();
    const { ws, out } = fakeWorkspace(input);
    const { review } = reviewer(ws);
    const answer = review('PLANNER', plan(), 1);
    await pendingWritten();
    input.type('a');
    expect(await answer).toEqual({ action: 'approve' });
    expect(out.join('')).not.toContain('dashboard');
    expect(await auditLog()).toEqual([APPROVED]);
    expect(await filesLeft()).toEqual([]);
    expect(await decide(stateDir, 'T3', ID, { action: 'reject', reason: 'late' })).toBe('not-pending');
  });

  it('a dashboard decision made just before the terminal answer wins; the terminal answer is dropped', async () => {
    const input = new FakeInput();
    const { ws } = fakeWorkspace(input);
    // The dashboard's decision is seen only at the next look, after the terminal answered.
    let look: () => void = () => undefined;
    const nextLook = new Promise<void>((resolve) => (look = resolve));
    const slow = { ...ws, clock: { now: () => AT, sleep: () => nextLook } } as Workspace;
    const answer = approvalReviewer(slow, 'T3', new AbortController(), () => undefined, { terminal: true })('PLANNER', plan(), 1);
    await pendingWritten();
    await decide(stateDir, 'T3', ID, { action: 'reject', reason: 'no' });
    input.type('a');
    await new Promise((r) => setTimeout(r, 20));
    look();
    expect((await answer)?.action).toBe('reject');
    expect(((await auditLog())[0] as ApprovalRecord).decision).toBe('reject');
    expect(await filesLeft()).toEqual([]);
  });
});

describe('approvalReviewer: a queue pair (no terminal)', () => {
  it('never reads the terminal and waits for the dashboard instead of stopping at end of input', async () => {
    const input = new FakeInput([null, null]);
    const { ws, out } = fakeWorkspace(input);
    const { review, stopper } = reviewer(ws, new AbortController(), { terminal: false, pollMs: 2 });
    const answer = review('PLANNER', plan(), 1);
    await pendingWritten();
    await decide(stateDir, 'T3', ID, { action: 'approve' });
    expect(await answer).toEqual({ action: 'approve' });
    expect(input.asked).toEqual([]);
    expect(stopper.signal.aborted).toBe(false);
    expect(out.slice(1)).toEqual([`poli: waiting for a decision on ${ID} from the dashboard (poli serve)\n`, 'poli: approved from the dashboard\n']);
  });

  it('is a pair when POLI_WORKER_TASK is set', () => {
    expect(approvalChannels({ POLI_WORKER_TASK: 'T3' })).toEqual({ terminal: false });
    expect(approvalChannels({})).toEqual({ terminal: true });
  });
});

describe('approvalReviewer: stopped while asking, resumed', () => {
  it('end of input at the terminal stops the task (as before); the pending file stays for --resume', async () => {
    const { ws, out } = fakeWorkspace(new FakeInput([null]));
    const { review, stopper } = reviewer(ws);
    expect(await review('PLANNER', plan(), 1)).toBeNull();
    expect(stopper.signal.reason).toBe('no answer at the approval prompt (end of input: Ctrl+D, or no terminal on stdin); nothing was forwarded');
    expect(out.at(-1)).toBe('\n');
    expect(await auditLog()).toEqual([]);
    expect(await filesLeft()).toEqual([`pending/T3-${ID}.json`]);
  });

  it('a stop (a kill, poli work stopping its pairs) while a pair waits: nothing answered, the pending file stays', async () => {
    const { ws } = fakeWorkspace(new FakeInput());
    const { review, stopper } = reviewer(ws, new AbortController(), { terminal: false, pollMs: 2 });
    const answer = review('PLANNER', plan(), 1);
    await pendingWritten();
    stopper.abort('interrupted by SIGTERM');
    expect(await answer).toBeNull();
    expect(await auditLog()).toEqual([]);
    expect(await filesLeft()).toEqual([`pending/T3-${ID}.json`]);
  });

  it('--resume asks again and takes a decision the dashboard made while poli was stopped, once', async () => {
    await writePending(stateDir, { task: 'T3', round: 1, from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: ID, body: BODY }, { at: 'earlier', socket: 'poli-test' });
    await decide(stateDir, 'T3', ID, { action: 'edit', body: 'Step 1: create c.txt' });
    const input = new FakeInput();
    // The message the plan answers has its id (a reply carries the id of the message it answers): not the plan itself.
    const { ws, approvals } = fakeWorkspace(input, [{ id: ID, from: 'ORCHESTRATOR', type: 'review' }]);
    const { review } = reviewer(ws);
    expect(await review('PLANNER', plan(), 1)).toEqual({ action: 'edit', body: 'Step 1: create c.txt' });
    expect(approvals.map((a) => a.decision)).toEqual(['edit']);
    expect(await filesLeft()).toEqual([]);
  });

  it('a decision for a message already forwarded, and files for another message, are removed, never applied', async () => {
    const forwarded = 'T3-R0-000001';
    const other = 'T3-R1-000002';
    for (const id of [forwarded, other]) {
      await writePending(stateDir, { task: 'T3', round: 0, from: 'PLANNER', to: 'EXECUTER', type: 'plan', id, body: 'old' }, { at: 'earlier', socket: 'poli-test' });
      await decide(stateDir, 'T3', id, { action: 'reject', reason: 'stale' });
    }
    await writePending(stateDir, { task: 'T4', round: 0, from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T4-R0-000003', body: 'x' }, { at: 'earlier', socket: 'poli-test' });
    const input = new FakeInput();
    const { ws } = fakeWorkspace(input, [
      { id: forwarded, from: 'ORCHESTRATOR', type: 'task' },
      { id: forwarded, from: 'PLANNER', type: 'plan' },
    ]);
    const { review } = reviewer(ws);
    const answer = review('PLANNER', plan(), 1);
    await pendingWritten();
    expect((await listPending(stateDir)).map((p) => p.id)).toEqual([ID, 'T4-R0-000003']);
    input.type('a');
    expect(await answer).toEqual({ action: 'approve' });
    expect(await filesLeft()).toEqual(['pending/T4-T4-R0-000003.json']);
  });

  it('asks nothing about a message --approve plans lets through', async () => {
    const input = new FakeInput();
    const { ws } = fakeWorkspace(input);
    const { review } = reviewer(ws);
    const result: Block = { header: { to: 'PLANNER', type: 'result', id: 'T3-R1-ffffff' }, body: 'done', startLine: 0, endLine: 2 };
    expect(await review('EXECUTER', result, 1)).toBeNull();
    expect(await filesLeft()).toEqual([]);
  });
});
