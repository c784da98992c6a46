/**
 * The human in the loop, end to end: the approval gate answered on poli's stdin, and say /
 * pause / resume / stop / status / watch from a second poli process against a running dialogue.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliWorld, createWorld, runPoli, startPoli, stateMessages as messages } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('the human in the loop', () => {
  it('--approve plans: a rejected plan goes back to the planner with the reason; the next one is approved', async () => {
    world = await createWorld();
    const run = startPoli(['--mock', '--approve', 'plans', '--task', 'Create a.txt containing A', '--kill-on-exit', ...world.flags], {
      env: { MOCK_ROUNDS: '2' },
    });
    await run.waitFor('Approve, edit or reject? [a/e/r] ');
    run.child.stdin?.write('r\n');
    await run.waitFor('Reason for rejecting: ');
    run.child.stdin?.write('name the file b.txt\n');
    // The planner answers the rejection with a continue: asked again.
    await run.waitFor(/Approve, edit or reject\? \[a\/e\/r\] [\s\S]*Approve, edit or reject\? \[a\/e\/r\] /);
    run.child.stdin?.end('a\n');
    expect(await run.exited, run.stderr()).toBe(0);

    const all = await messages(world);
    expect(all.map((m) => `${m.from}>${m.to}:${m.type}`)).toEqual([
      'ORCHESTRATOR>PLANNER:task',
      'PLANNER>EXECUTER:plan',
      'HUMAN>PLANNER:review',
      'PLANNER>EXECUTER:continue',
      'EXECUTER>PLANNER:status',
      'EXECUTER>PLANNER:result',
      'ORCHESTRATOR>PLANNER:review',
      'PLANNER>ORCHESTRATOR:complete',
    ]);
    const rejection = all[2];
    expect(rejection?.body).toBe(
      `The human supervising this task rejected your plan message ${all[1]?.id}; it was not forwarded. ` +
        'Their reason:\nname the file b.txt\nRevise it and reply again.',
    );
    const audit = (await readFile(path.join(world.stateDir, 'approvals.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.map((a: { decision: string; type: string; task: string }) => [a.task, a.type, a.decision])).toEqual([
      ['T1', 'plan', 'reject'],
      ['T1', 'continue', 'approve'],
    ]);
    expect(audit[0].reason).toBe('name the file b.txt');
  });

  it('say, pause, resume and stop reach the running task from another terminal', async () => {
    world = await createWorld();
    const w = world;
    const run = startPoli(['--mock', '--task', 'Create n.txt containing N', '--kill-on-exit', ...w.flags], {
      env: { MOCK_ROUNDS: '20', MOCK_THINK_MS: '400' },
    });
    await run.waitFor('PLANNER → EXECUTER plan');

    const say = await runPoli(['say', '--to', 'planner', 'please keep it short', ...w.flags]);
    expect(say.code, say.stderr).toBe(0);
    await run.waitFor('a note from the human for PLANNER');
    await run.waitFor('HUMAN → PLANNER review: please keep it short');

    const status = await runPoli(['status', '--short', ...w.flags]);
    expect(status.stdout).toMatch(/^poli T1 r\d+ (PLANNER|EXECUTER) \d\d:\d\d\n$/);

    expect((await runPoli(['pause', ...w.flags])).code).toBe(0);
    await run.waitFor('paused by the human');
    const before = (await messages(w)).length;
    await new Promise((r) => setTimeout(r, 2500));
    // Paused: nothing was forwarded while held (a reply in flight may still be recorded once).
    expect((await messages(w)).length).toBeLessThanOrEqual(before + 1);
    expect((await runPoli(['resume', ...w.flags])).code).toBe(0);
    await run.waitFor('resumed by the human');

    expect((await runPoli(['stop', ...w.flags])).code).toBe(0);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('poli: task T1 ended interrupted: stopped by the human (poli stop)');
    const state = JSON.parse((await runPoli(['--state', '--json', '--state-dir', w.stateDir])).stdout) as { tasks: { status: string }[] };
    expect(state.tasks[0]?.status).toBe('interrupted');
    const note = (await messages(w)).find((m) => m.from === 'HUMAN');
    expect(note).toMatchObject({ from: 'HUMAN', to: 'PLANNER', type: 'review', body: 'please keep it short' });

    // The event stream has the whole story, readable with watch --all.
    const events = (await readFile(path.join(w.stateDir, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).event);
    for (const kind of ['prime', 'start', 'send', 'reply', 'status', 'pause', 'resume', 'stop', 'complete']) expect(events).toContain(kind);
  }, 120_000);

  it('say with no poli running says so', async () => {
    world = await createWorld();
    const r = await runPoli(['say', '--to', 'executer', 'hello', ...world.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^poli: no poli task is running on socket "${world.socket}" \\(no live lock in .*\\); start one with poli --task "…"\\n$`));
  });

  it('--state ID --format md prints the transcript', async () => {
    world = await createWorld();
    const r = await runPoli(['--mock', '--task', 'Create t.txt containing T', '--kill-on-exit', ...world.flags], { env: { MOCK_ROUNDS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const md = await runPoli(['--state', 'T1', '--format', 'md', '--state-dir', world.stateDir]);
    expect(md.stdout).toBe(await readFile(path.join(world.stateDir, 'transcripts', 'T1.md'), 'utf8'));
    expect(md.stdout.split('\n').slice(0, 1)).toEqual(['# T1: Create t.txt containing T']);
    expect(md.stdout).toContain('### 2. PLANNER → EXECUTER · plan · T1-R0-');
  });
});
