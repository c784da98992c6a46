import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsafeDirError } from '../state/private-dir.ts';
import type { ApprovalRequest } from './approval.ts';
import {
  InvalidDecisionError,
  clearApproval,
  clearStaleApprovals,
  decide,
  decisionsDir,
  describeWebDecision,
  listPending,
  parseDecision,
  pendingDir,
  readPending,
  waitForDecision,
  writePending,
} from './approval-files.ts';

let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'poli-approval-files-'));
});

afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

function request(id = 'T3-R1-ab12cd', task = 'T3'): ApprovalRequest {
  return { task, round: 1, from: 'PLANNER', to: 'EXECUTER', type: 'plan', id, body: 'Step 1: create a.txt\n  keep this indent' };
}

const META = { at: '2026-12-07T19:00:00.000Z', socket: 'poli', session: 'T3' };
const FIXED = { now: () => Date.parse('2026-12-07T19:05:00.000Z') };

/** A clock whose sleep counts the polls and runs `onSleep` (to make a decision between two looks). */
function pollClock(onSleep: (n: number) => Promise<void> | void = () => undefined) {
  let sleeps = 0;
  return {
    get sleeps() {
      return sleeps;
    },
    sleep: async () => {
      sleeps += 1;
      await onSleep(sleeps);
    },
  };
}

describe('writePending / listPending / readPending', () => {
  it('writes the pending file whole, in private directories, and lists it', async () => {
    const file = await writePending(stateDir, request(), META);
    expect(file).toBe(path.join(stateDir, 'approvals', 'pending', 'T3-T3-R1-ab12cd.json'));
    const expected = { ...request(), ...META };
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(expected);
    expect(await readdir(pendingDir(stateDir))).toEqual(['T3-T3-R1-ab12cd.json']);
    expect((await stat(path.join(stateDir, 'approvals'))).mode & 0o777).toBe(0o700);
    expect((await stat(pendingDir(stateDir))).mode & 0o777).toBe(0o700);
    expect(await listPending(stateDir)).toEqual([expected]);
    expect(await readPending(stateDir, 'T3', 'T3-R1-ab12cd')).toEqual(expected);
  });

  it('works in a state dir others may read; refuses an approvals dir others may write to', async () => {
    await chmod(stateDir, 0o755);
    await writePending(stateDir, request(), META);
    await chmod(path.join(stateDir, 'approvals'), 0o777);
    await expect(writePending(stateDir, request(), META)).rejects.toThrow(`poli will not use ${path.join(stateDir, 'approvals')}: it is open to group and others (mode 0777)`);
    await expect(decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'approve' })).rejects.toThrow(UnsafeDirError);
  });

  it('leaves the session out when there is none; writing again (a resume) replaces the file', async () => {
    await writePending(stateDir, request(), { at: META.at, socket: 'poli' });
    await writePending(stateDir, request(), { at: '2026-12-07T20:00:00.000Z', socket: 'poli' });
    expect(await listPending(stateDir)).toEqual([{ ...request(), at: '2026-12-07T20:00:00.000Z', socket: 'poli' }]);
  });

  it('lists nothing when no approvals directory exists', async () => {
    expect(await listPending(stateDir)).toEqual([]);
    expect(await readPending(stateDir, 'T3', 'T3-R1-ab12cd')).toBeUndefined();
  });

  it('lists oldest first, leaves out decided ones and files that are not pending approvals', async () => {
    await writePending(stateDir, request('T4-R0-000002', 'T4'), { ...META, at: '2026-12-07T19:02:00.000Z' });
    await writePending(stateDir, request('T3-R1-000001'), { ...META, at: '2026-12-07T19:01:00.000Z' });
    await writePending(stateDir, request('T3-R2-000003'), META);
    expect(await decide(stateDir, 'T3', 'T3-R2-000003', { action: 'approve' })).toBe('decided');
    await writeFile(path.join(pendingDir(stateDir), 'T5-junk.json'), '{"task":"T5"', 'utf8');
    await writeFile(path.join(pendingDir(stateDir), 'T6-T6-R0-x.json.123.tmp'), '{}', 'utf8');
    // A file whose name does not match its content is not trusted as that approval.
    await writeFile(path.join(pendingDir(stateDir), 'T7-T7-R0-aaaaaa.json'), JSON.stringify({ ...request(), ...META }), 'utf8');
    expect((await listPending(stateDir)).map((p) => p.id)).toEqual(['T3-R1-000001', 'T4-R0-000002']);
  });

  it('refuses ids that could name another path', async () => {
    await expect(writePending(stateDir, request('../x'), META)).rejects.toThrow('bug: approval ids must be plain names');
    expect(await readPending(stateDir, 'T3', '../../x')).toBeUndefined();
  });
});

describe('decide', () => {
  it('records the first decision with who and when; a second one is refused', async () => {
    await writePending(stateDir, request(), META);
    expect(await decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'edit', body: 'Step 1: create b.txt' }, { clock: FIXED })).toBe('decided');
    expect(await decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'approve' }, { clock: FIXED })).toBe('already-decided');
    const file = path.join(decisionsDir(stateDir), 'T3-T3-R1-ab12cd.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ action: 'edit', body: 'Step 1: create b.txt', by: 'web', at: '2026-12-07T19:05:00.000Z' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // No temp file is left beside it.
    expect(await readdir(decisionsDir(stateDir))).toEqual(['T3-T3-R1-ab12cd.json']);
  });

  it('of many at once, exactly one wins', async () => {
    await writePending(stateDir, request(), META);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'reject', reason: `no ${String(i)}` })),
    );
    expect(results.filter((r) => r === 'decided')).toHaveLength(1);
    expect(results.filter((r) => r === 'already-decided')).toHaveLength(7);
  });

  it('is not-pending for a message nobody asks about, or an id that is not a plain name', async () => {
    expect(await decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'approve' })).toBe('not-pending');
    expect(await decide(stateDir, 'T3', '../T3-R1-ab12cd', { action: 'approve' })).toBe('not-pending');
    await expect(readdir(decisionsDir(stateDir))).rejects.toThrow(/ENOENT/);
  });

  it('refuses an edit without a body and a reject without a reason', async () => {
    await writePending(stateDir, request(), META);
    await expect(decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'edit', body: '  ' })).rejects.toThrow(InvalidDecisionError);
    await expect(decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'reject', reason: '' })).rejects.toThrow(
      'not a valid approval decision: a reject needs a non-empty "reason" (the author gets it). Expected {"action":"approve"}, {"action":"edit","body":"…"} or {"action":"reject","reason":"…"}.',
    );
  });

  it('records a decision from the terminal as such', async () => {
    await writePending(stateDir, request(), META);
    expect(await decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'approve' }, { by: 'terminal', clock: FIXED })).toBe('decided');
    const clock = pollClock();
    expect(await waitForDecision(stateDir, 'T3', 'T3-R1-ab12cd', { clock })).toEqual({ action: 'approve', by: 'terminal', at: '2026-12-07T19:05:00.000Z' });
  });
});

describe('parseDecision', () => {
  it.each([
    [{ action: 'approve', body: 'ignored' }, { action: 'approve' }],
    [{ action: 'edit', body: ' new\n' }, { action: 'edit', body: ' new\n' }],
    [{ action: 'reject', reason: ' too big \n' }, { action: 'reject', reason: 'too big' }],
  ])('%j → %j', (input, expected) => {
    expect(parseDecision(input)).toEqual(expected);
  });

  it.each([
    [null, 'it is not an object'],
    ['approve', 'it is not an object'],
    [{ action: 'maybe' }, 'unknown action "maybe"'],
    [{ action: 'edit' }, 'an edit needs the edited message as a non-empty "body"'],
  ])('refuses %j: %s', (input, detail) => {
    expect(() => parseDecision(input)).toThrow(`not a valid approval decision: ${detail}.`);
  });
});

describe('waitForDecision', () => {
  it('resolves with a decision made while it waits', async () => {
    await writePending(stateDir, request(), META);
    const clock = pollClock(async (n) => {
      if (n === 2) await decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'reject', reason: 'too big' }, { clock: FIXED });
    });
    expect(await waitForDecision(stateDir, 'T3', 'T3-R1-ab12cd', { clock, pollMs: 10 })).toEqual({
      action: 'reject',
      reason: 'too big',
      by: 'web',
      at: '2026-12-07T19:05:00.000Z',
    });
    expect(clock.sleeps).toBe(2);
  });

  it('takes a decision made before it began (while poli was stopped) at once', async () => {
    await writePending(stateDir, request(), META);
    await decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'approve' }, { clock: FIXED });
    const clock = pollClock();
    expect(await waitForDecision(stateDir, 'T3', 'T3-R1-ab12cd', { clock })).toEqual({ action: 'approve', by: 'web', at: '2026-12-07T19:05:00.000Z' });
    expect(clock.sleeps).toBe(0);
  });

  it('removes an invalid decision file, says so, and goes on waiting', async () => {
    await writePending(stateDir, request(), META);
    await mkdir(decisionsDir(stateDir), { recursive: true });
    const file = path.join(decisionsDir(stateDir), 'T3-T3-R1-ab12cd.json');
    await writeFile(file, '{"action":"reject"}', 'utf8');
    const warnings: string[] = [];
    const clock = pollClock(async (n) => {
      if (n === 1) await decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'approve' }, { clock: FIXED });
    });
    const decision = await waitForDecision(stateDir, 'T3', 'T3-R1-ab12cd', { clock, warn: (m) => warnings.push(m) });
    expect(decision.action).toBe('approve');
    expect(warnings).toEqual([`poli: ignored the approval decision ${file}: it is not a valid decision (removed)`]);
  });

  it('rejects with the reason once its signal aborts, also in the middle of a sleep', async () => {
    await writePending(stateDir, request(), META);
    const stop = new AbortController();
    const never = { sleep: () => new Promise<void>(() => undefined) };
    const waiting = waitForDecision(stateDir, 'T3', 'T3-R1-ab12cd', { clock: never, signal: stop.signal });
    stop.abort(new Error('the terminal answered first'));
    await expect(waiting).rejects.toThrow('the terminal answered first');
    const aborted = AbortSignal.abort(new Error('already stopped'));
    await expect(waitForDecision(stateDir, 'T3', 'T3-R1-ab12cd', { clock: never, signal: aborted })).rejects.toThrow('already stopped');
  });
});

describe('clearApproval / clearStaleApprovals', () => {
  it('removes both files; then a late decision finds nothing pending', async () => {
    await writePending(stateDir, request(), META);
    await decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'approve' });
    await clearApproval(stateDir, 'T3', 'T3-R1-ab12cd');
    expect(await readdir(pendingDir(stateDir))).toEqual([]);
    expect(await readdir(decisionsDir(stateDir))).toEqual([]);
    expect(await decide(stateDir, 'T3', 'T3-R1-ab12cd', { action: 'approve' })).toBe('not-pending');
    // Clearing what is gone is no error.
    await clearApproval(stateDir, 'T3', 'T3-R1-ab12cd');
  });

  it("removes a task's stale files (a decision never applied), keeps the rest and other tasks'", async () => {
    await writePending(stateDir, request('T3-R0-aaaaaa'), META);
    await decide(stateDir, 'T3', 'T3-R0-aaaaaa', { action: 'approve' });
    await writePending(stateDir, request('T3-R1-bbbbbb'), META);
    await writePending(stateDir, request('T33-R0-cccccc', 'T33'), META);
    const seen: [string, string | undefined][] = [];
    const stale = (id: string, pending: { body: string } | undefined) => {
      seen.push([id, pending?.body]);
      return id !== 'T3-R1-bbbbbb';
    };
    expect(await clearStaleApprovals(stateDir, 'T3', stale)).toEqual(['T3-R0-aaaaaa']);
    expect(seen).toEqual([
      ['T3-R0-aaaaaa', request().body],
      ['T3-R1-bbbbbb', request().body],
    ]);
    expect(await readdir(pendingDir(stateDir))).toEqual(['T3-T3-R1-bbbbbb.json', 'T33-T33-R0-cccccc.json']);
    expect(await readdir(decisionsDir(stateDir))).toEqual([]);
  });
});

describe('describeWebDecision', () => {
  it.each([
    [{ action: 'approve' as const }, 'approved from the dashboard'],
    [{ action: 'edit' as const, body: 'x' }, 'edited from the dashboard'],
    [{ action: 'reject' as const, reason: 'too big' }, 'rejected from the dashboard: too big'],
  ])('%j', (decision, text) => {
    expect(describeWebDecision(decision)).toBe(text);
  });
});
