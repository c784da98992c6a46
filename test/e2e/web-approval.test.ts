/**
 * Approvals answered from outside poli's terminal (issue 21): a poli with no terminal (a queue pair: POLI_WORKER_TASK)
 * and --approve plans writes the plan to approvals/pending/ and waits; a decision written there (as the dashboard
 * does, through decide()) lets the plan through to the EXECUTER. Killed while it waits, the question stays, and the
 * resumed poli takes the answer given meanwhile.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decide, listPending } from '../../src/human/approval-files.ts';
import { type PoliWorld, type StateMessage as Msg, createWorld, runPoli, startPoli, stateMessages as messages } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

async function approvalFiles(w: PoliWorld): Promise<string[]> {
  const dir = path.join(w.stateDir, 'approvals');
  const names = async (sub: string) => (await readdir(path.join(dir, sub)).catch(() => [])).map((n) => `${sub}/${n}`);
  return [...(await names('pending')), ...(await names('decisions'))];
}

async function audit(w: PoliWorld): Promise<{ task: string; type: string; decision: string }[]> {
  const text = await readFile(path.join(w.stateDir, 'approvals.jsonl'), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as { task: string; type: string; decision: string });
}

const WORKER = { POLI_WORKER_TASK: 'T1', MOCK_ROUNDS: '1' };
const TASK = ['--mock', '--approve', 'plans', '--task', 'Create a.txt containing A'];

describe('approvals from the dashboard', () => {
  it('a poli with no terminal waits for the decision file; the approved plan reaches the EXECUTER', async () => {
    world = await createWorld();
    const w = world;
    const run = startPoli([...TASK, '--kill-on-exit', ...w.flags], { env: WORKER });
    // No terminal: stdin closed is no answer here, the dashboard is.
    run.child.stdin?.end();
    await run.waitFor('from the dashboard (poli serve)');
    const pending = await listPending(w.stateDir);
    expect(pending.map((p) => [p.task, p.from, p.to, p.type, p.socket])).toEqual([['T1', 'PLANNER', 'EXECUTER', 'plan', w.socket]]);
    const id = pending[0]?.id ?? '';
    expect(await decide(w.stateDir, 'T1', id, { action: 'approve' })).toBe('decided');
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toContain('poli: approved from the dashboard\n');

    const all = await messages(w);
    expect(all.map((m) => `${m.from}>${m.to}:${m.type}`).slice(0, 3)).toEqual(['ORCHESTRATOR>PLANNER:task', 'PLANNER>EXECUTER:plan', 'EXECUTER>PLANNER:status']);
    expect(all[1]?.id).toBe(id);
    await access(path.join(w.projectDir, 'a.txt'));
    expect(await readFile(path.join(w.projectDir, 'a.txt'), 'utf8')).toContain('A');
    expect((await audit(w)).map((a) => [a.task, a.type, a.decision])).toEqual([['T1', 'plan', 'approve']]);
    expect(await approvalFiles(w)).toEqual([]);
    expect(await decide(w.stateDir, 'T1', id, { action: 'approve' })).toBe('not-pending');
  });

  it('killed while it waits: the question stays; an answer given meanwhile is taken on --resume, once', async () => {
    world = await createWorld();
    const w = world;
    // The session is kept (no --kill-on-exit): --resume finds the plan on the PLANNER's screen again.
    const run = startPoli([...TASK, ...w.flags], { env: WORKER });
    run.child.stdin?.end();
    await run.waitFor('from the dashboard (poli serve)');
    run.child.kill('SIGKILL');
    await run.exited;
    const [pending] = await listPending(w.stateDir);
    expect(pending?.type).toBe('plan');
    const id = pending?.id ?? '';
    expect(await decide(w.stateDir, 'T1', id, { action: 'edit', body: 'Create a.txt containing B' })).toBe('decided');
    // Decided, so no longer listed as pending; the files stay until the resumed poli takes the decision.
    expect(await listPending(w.stateDir)).toEqual([]);
    expect(await approvalFiles(w)).toEqual([`pending/T1-${id}.json`, `decisions/T1-${id}.json`]);

    const resumed = await runPoli(['--mock', '--approve', 'plans', '--resume', 'T1', '--kill-on-exit', ...w.flags], { env: WORKER });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('poli: edited from the dashboard\n');
    const all = await messages(w);
    const plans = all.filter((m) => m.type === 'plan');
    // The plan as the PLANNER wrote it, then as edited on the dashboard: what the EXECUTER was sent, once.
    expect(plans.map((m) => [m.from, m.id === id, m.body])).toEqual([
      ['PLANNER', true, pending?.body],
      ['HUMAN', false, 'Create a.txt containing B'],
    ]);
    expect((await audit(w)).map((a) => [a.task, a.type, a.decision])).toEqual([['T1', 'plan', 'edit']]);
    expect(await approvalFiles(w)).toEqual([]);
  });
  it('poli stop while it waits ends the task as interrupted, nothing forwarded; the question stays for --resume', async () => {
    world = await createWorld();
    const w = world;
    const run = startPoli([...TASK, '--kill-on-exit', ...w.flags], { env: WORKER });
    run.child.stdin?.end();
    await run.waitFor('from the dashboard (poli serve)');
    const stop = await runPoli(['stop', ...w.flags]);
    expect(stop.code, stop.stderr).toBe(0);
    await run.exited;
    const state = await runPoli(['--state', 'T1', '--json', '--state-dir', w.stateDir]);
    const task = (JSON.parse(state.stdout) as { tasks: { status: string; messages: Msg[] }[] }).tasks[0];
    expect(task?.status).toBe('interrupted');
    expect(task?.messages.filter((m) => m.to === 'EXECUTER')).toEqual([]);
    await expect(access(path.join(w.projectDir, 'a.txt'))).rejects.toThrow();
    expect((await listPending(w.stateDir)).map((p) => [p.task, p.type])).toEqual([['T1', 'plan']]);
  });
});
