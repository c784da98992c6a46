/**
 * Several polis on poli's one tmux server, one session each (issue 20: a pair per task, its session named after the
 * task): two polis with the mocks run one task each at once on ONE socket, sessions A and B. Neither refuses the
 * other; each completes; `poli say B …` reaches B's EXECUTER only; `--kill-on-exit` of A kills session A and leaves B's
 * session (its window named B) running.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPoli } from '../helpers/poli-process.ts';
import { type FaultWorld, type Received, FAULT_TEST_TIMEOUT_MS, createFaultWorld, dialogueOf, oneRoundDialogue, waitUntil } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const NOTE = 'B only: keep the trailing newline';

async function receivedIn(file: string, role: 'PLANNER' | 'EXECUTER'): Promise<Received[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Received)
    .filter((r) => r.role === role);
}

describe('two polis on one socket, one session each', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('run their tasks at once; a note for B reaches only B; --kill-on-exit of A leaves B running', async () => {
    world = await createFaultWorld();
    const w = world;
    // B in its own project and state directory, its mocks recording apart, so what each pair received is told apart.
    const projectB = path.join(w.root, 'project-b');
    const stateB = path.join(w.root, 'state-b');
    const recordB = path.join(w.root, 'received-b.jsonl');
    await mkdir(projectB, { recursive: true });
    const a = w.start(['--mock', '--session', 'A', '--task', 'Create a.txt containing A', '--kill-on-exit']);
    // B's PLANNER thinks long over its task, so the note (two poli processes away) is in before the plan goes out.
    const b = w.start(['--mock', '--session', 'B', '--task', 'Create b.txt containing B'], { MOCK_RECORD_FILE: recordB, MOCK_PLANNER_THINK_MS: '12000' }, [
      '--socket', w.socket, '--project-dir', projectB, '--state-dir', stateB,
    ]);
    await waitUntil('B\'s PLANNER received its task', async () => (await receivedIn(recordB, 'PLANNER')).some((r) => r.blocks.some((x) => x.header.type === 'task')));

    // `poli say T7 …` takes a task id only (tests/args); a session of another name is named with --session.
    const say = await runPoli(['say', '--session', 'B', '--to', 'executer', NOTE, '--socket', w.socket]);
    expect(say, say.stderr).toEqual({ code: 0, stdout: `poli: your message goes to the EXECUTER at the next turn (session "B" on socket "${w.socket}").\n`, stderr: '' });

    expect(await a.exited, a.stderr()).toBe(0);
    expect(await b.exited, b.stderr()).toBe(0);
    const taskA = await w.task('T1');
    expect.soft(taskA.status).toBe('completed');
    expect.soft(dialogueOf(taskA.messages)).toEqual(oneRoundDialogue('a.txt', 'A'));
    const taskB = JSON.parse(await readFile(path.join(stateB, 'tasks', 'T1.json'), 'utf8')) as typeof taskA;
    expect.soft(taskB.status).toBe('completed');
    expect.soft([(taskA as { session?: string }).session, (taskB as { session?: string }).session]).toEqual(['A', 'B']);
    const statusB = await runPoli(['status', '--session', 'B', '--short', '--socket', w.socket, '--state-dir', stateB]);
    expect.soft(statusB.stdout).toBe('poli T1 completed\n');
    expect.soft(taskB.messages.filter((m) => m.from === 'HUMAN').map((m) => `${m.to}:${m.body}`)).toEqual([`EXECUTER:${NOTE}`]);
    expect.soft(await readFile(path.join(w.projectDir, 'a.txt'), 'utf8')).toBe('A\n');
    expect.soft(await readFile(path.join(projectB, 'b.txt'), 'utf8')).toBe('B\n');

    // The note reached B's EXECUTER, and no CLI of A.
    expect.soft((await receivedIn(recordB, 'EXECUTER')).filter((r) => r.text.includes(NOTE)).length).toBe(1);
    expect.soft((await w.received()).filter((r) => r.text.includes(NOTE))).toEqual([]);

    // A's --kill-on-exit took session A alone; B (no --kill-on-exit) keeps running, in a window named after it.
    expect(w.tmux(['list-windows', '-a', '-F', '#{session_name} #{window_name} #{window_panes}'])).toBe('B B 2\n');
    expect(b.stderr()).toContain(`Watch or step in: tmux -L ${w.socket} attach -t B · stop them: tmux -L ${w.socket} kill-session -t B`);
  });

  it('a second poli on the same session of the socket is still refused; poli stop T7 reaches the first', async () => {
    world = await createFaultWorld();
    const w = world;
    // A PLANNER that thinks long: the task still runs when, under load, starting the refused poli took over 12 s.
    const first = w.start(['--mock', '--session', 'T7', '--task', 'Create one.txt containing 1', '--kill-on-exit'], { MOCK_PLANNER_THINK_MS: '30000' });
    await waitUntil('the PLANNER received its task', async () => (await w.received('PLANNER')).some((r) => r.blocks.some((x) => x.header.type === 'task')));
    const second = await runPoli(['--mock', '--session', 'T7', '--task', 'Create two.txt containing 2', ...w.flags], { input: '' });
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `poli: another poli process (pid ${first.child.pid}) is already driving the tmux session "T7" on socket "${w.socket}". ` +
        'Wait for it to finish, stop it, or use a different --session.\n',
    );
    // Without the task, the command goes to the default session's poli, and there is none.
    expect((await runPoli(['stop', '--socket', w.socket])).code).toBe(1);
    expect(await runPoli(['stop', 'T7', '--socket', w.socket])).toEqual({ code: 0, stdout: `poli: asked the task on session "T7" on socket "${w.socket}" to stop; it ends as interrupted.\n`, stderr: '' });
    await first.waitFor('poli: task T1 ended interrupted: stopped by the human (poli stop)');
    expect(await first.exited).toBe(1);
  });
});
