/**
 * The state file: `kill -9` of poli at any moment never leaves invalid JSON under `<state-dir>/tasks/`, and the next
 * start shows the dead task as `interrupted`; a corrupt file gives an error naming it, is kept as a backup, and a
 * fresh state starts.
 */
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPoli } from '../helpers/poli-process.ts';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, dialogueOf, oneRoundDialogue, sleep } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const STATUSES = ['running', 'completed', 'failed', 'timeout', 'max_rounds', 'interrupted'];

/** Every file under tasks/ must be valid JSON; task files must also look like tasks. Returns the problems. */
async function findInvalidFiles(tasksDir: string): Promise<string[]> {
  const problems: string[] = [];
  const names = await readdir(tasksDir).catch(() => [] as string[]);
  for (const name of names) {
    const text = await readFile(path.join(tasksDir, name), 'utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      problems.push(`${name}: invalid JSON (${(error as Error).message}); ${text.length} bytes: ${JSON.stringify(text.slice(0, 80))}`);
      continue;
    }
    const match = /^(T\d+)\.json$/.exec(name);
    if (!match) continue;
    const task = value as { id?: unknown; status?: unknown; messages?: unknown };
    if (task.id !== match[1] || !STATUSES.includes(String(task.status)) || !Array.isArray(task.messages)) {
      problems.push(`${name}: not a task: ${text.slice(0, 120)}`);
    }
  }
  return problems;
}

describe('the state file', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('kill -9 at random moments during dialogues never leaves invalid JSON; the next start shows the dead tasks as interrupted', async () => {
    world = await createFaultWorld();
    const tasksDir = path.join(world.stateDir, 'tasks');
    const kills: string[] = [];
    const runningAtKill = new Set<string>();
    const ITERATIONS = 6;
    for (let i = 1; i <= ITERATIONS; i++) {
      // No --kill-on-exit: a killed poli cannot clean up, and the next one reuses the session as it finds it.
      // Twenty rounds: a dialogue of ~100 messages that takes longer than 8 s (2 × 200 ms of think time per round
      // alone), so the kill, at a random moment from at once to 6 s after the task was created, always lands
      // while poli is writing its state.
      const run = world.start(['--mock', '--task', `Create k${i}.txt containing K${i}`], { MOCK_THINK_MS: '200', MOCK_ROUNDS: '20' });
      await run.waitFor(/poli: task T\d+ started/, 30_000);
      const delay = Math.floor(Math.random() * 6_000);
      await Promise.race([sleep(delay), run.exited]);
      const alreadyExited = run.child.exitCode !== null;
      run.child.kill('SIGKILL');
      await run.exited;
      const problems = await findInvalidFiles(tasksDir);
      expect(problems, `after kill -9 #${i}, ${delay} ms after the task started`).toEqual([]);
      for (const name of await readdir(tasksDir).catch(() => [] as string[])) {
        const m = /^(T\d+)\.json$/.exec(name);
        if (!m) continue;
        const t = JSON.parse(await readFile(path.join(tasksDir, name), 'utf8')) as { status: string };
        if (t.status === 'running') runningAtKill.add(m[1] ?? '');
      }
      kills.push(`#${i} ${delay} ms after the task started${alreadyExited ? ' (had already exited)' : ''}`);
    }
    console.log(`[measure] kill -9 moments: ${kills.join(', ')}; tasks left running by a killed poli: ${[...runningAtKill].join(', ') || 'none'}`);
    expect(kills.filter((k) => k.includes('had already exited'))).toEqual([]);

    // The next start: no task is `running`; those a killed poli was driving are `interrupted`.
    const state = await world.publicState();
    expect(state.tasks.map((t) => t.id)).toEqual(Array.from({ length: ITERATIONS }, (_, n) => `T${n + 1}`));
    for (const t of state.tasks) {
      expect(t.status, `${t.id}`).not.toBe('running');
      if (runningAtKill.has(t.id)) expect(t.status, `${t.id}`).toBe('interrupted');
    }
    expect(await findInvalidFiles(tasksDir)).toEqual([]);
    // Nothing but task files is left behind (no temp files of a killed write).
    const leftovers = (await readdir(tasksDir)).filter((n) => !/^T\d+\.json$/.test(n));
    expect(leftovers).toEqual([]);
  }, 180_000);

  it('a corrupt task file is named in an error, kept as a backup, and a fresh state starts', async () => {
    world = await createFaultWorld();
    const tasksDir = path.join(world.stateDir, 'tasks');
    await mkdir(tasksDir, { recursive: true });
    const corrupt = '{"id":"T1","task":"half-writ';
    await writeFile(path.join(tasksDir, 'T1.json'), corrupt);

    const run = world.start(['--mock', '--task', 'Create c.txt containing C', '--kill-on-exit']);
    expect(await run.exited, run.stderr()).toBe(0);
    const file = path.join(tasksDir, 'T1.json');
    expect(run.stderr()).toContain(`state file ${file} is corrupt (invalid JSON: `);
    expect(run.stderr()).toContain(`moved it to ${file}.corrupt-`);

    const names = await readdir(tasksDir);
    const backups = names.filter((n) => n.startsWith('T1.json.corrupt-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(path.join(tasksDir, backups[0] ?? ''), 'utf8')).toBe(corrupt);
    expect(names.filter((n) => /^T\d+\.json$/.test(n))).toEqual(['T2.json']);
    // The fresh state holds only the new task; its id does not reuse the corrupt one's.
    expect(run.stdout()).toContain('poli: task T2 completed in 1 round(s).');
    const state = await world.publicState();
    expect(state.tasks.map((t) => [t.id, t.status])).toEqual([['T2', 'completed']]);
    expect(dialogueOf((await world.task('T2')).messages)).toEqual(oneRoundDialogue('c.txt', 'C'));
  });

  it('a task file of the wrong shape is named by --state and left out; --state only reads, so the file stays as it is', async () => {
    world = await createFaultWorld();
    const tasksDir = path.join(world.stateDir, 'tasks');
    await mkdir(tasksDir, { recursive: true });
    const wrong = '{"id":"T1","task":"x","status":"sleeping"}\n';
    await writeFile(path.join(tasksDir, 'T1.json'), wrong);
    const r = await runPoli(['--state', '--json', '--state-dir', world.stateDir]);
    expect(r.code).toBe(0);
    const file = path.join(tasksDir, 'T1.json');
    expect(r.stderr).toBe(`poli: state file ${file} is corrupt (wrong shape: "status" is "sleeping"); left the task out\n`);
    expect(JSON.parse(r.stdout)).toEqual({ tasks: [] });
    expect(await readdir(tasksDir)).toEqual(['T1.json']);
    expect(await readFile(file, 'utf8')).toBe(wrong);
  });
});
