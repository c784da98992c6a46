/**
 * Long task texts (issue 18, item 31): a 1 MB specification cannot pass as one argument (Linux's MAX_ARG_STRLEN is
 * 128 KiB), so it comes through --task-file FILE, or stdin with --task - / --task-file -. The state keeps it whole;
 * the terminal shows a short head of it.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliWorld, createWorld, runPoli, startPoli } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

/** `Create big.txt containing B`, then about 1 MB of specification. */
const SPEC = `Create big.txt containing B\n\n${Array.from({ length: 16_000 }, (_, i) => `- requirement ${i}: ${'keep the output exact. '.repeat(2).trimEnd()}`).join('\n')}\n`;

async function taskOf(w: PoliWorld, id: string): Promise<{ status: string; task: string }> {
  const r = await runPoli(['--state', id, '--json', '--state-dir', w.stateDir]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { tasks: { status: string; task: string }[] }).tasks[0] as { status: string; task: string };
}

describe('a 1 MB task', () => {
  it.each([
    ['--task-file FILE', (file: string) => ['--task-file', file], false],
    ['--task - (stdin)', () => ['--task', '-'], true],
    ['--task-file - (stdin)', () => ['--task-file', '-'], true],
  ] as const)('%s: takes it whole into the state, and shows one short line for it', async (_name, source, viaStdin) => {
    expect(Buffer.byteLength(SPEC)).toBeGreaterThan(1_000_000);
    world = await createWorld();
    const file = path.join(world.projectDir, '..', 'spec.md');
    await writeFile(file, SPEC);
    // The mock PLANNER would make a plan step of each of the 16,000 requirements: the task is stopped once it started.
    const run = startPoli(['--mock', ...source(file), '--kill-on-exit', ...world.flags], { env: { MOCK_PLANNER_SILENT_AT: '1' } });
    if (viaStdin) run.child.stdin?.end(SPEC);
    else run.child.stdin?.end();
    await run.waitFor('poli: task T1 started', 60_000);
    run.child.kill('SIGINT');
    expect(await run.exited, run.stderr()).toBe(1);
    const started = run.stdout().split('\n').filter((l) => l.startsWith('poli: task T1 started'));
    expect(started).toEqual(['poli: task T1 started: Create big.txt containing B (16,002 lines, 1,036 KB)']);
    expect(run.stdout().length).toBeLessThan(2_000);
    // cleanBody drops the final newline of the text, as it does for --task.
    const task = await taskOf(world, 'T1');
    expect(task.task).toBe(SPEC.trimEnd());
    expect(task.status).toBe('interrupted');
  }, 90_000);

  it('refuses --approve with the task on stdin: the answers would have to come from there too', async () => {
    world = await createWorld();
    const r = await runPoli(['--mock', '--task', '-', '--approve', 'plans', ...world.flags], { input: 'Create a.txt containing A\n' });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'poli: --approve plans asks you on stdin, but the task is read from stdin (-): give the task in a file (--task-file FILE), or use --approve off.\n',
    });
  });
});
