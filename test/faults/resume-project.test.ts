/**
 * `poli --resume ID` from another directory: the task resumes in the project it was started in (saying so), even when
 * the running session works in another one, whose panes are then started again in the task's project; it is refused
 * with a clear message when that project is gone or another one is asked for with --project-dir.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPoli } from '../helpers/poli-process.ts';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('--resume and the task\'s project directory', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('resumes in the task\'s own project from another directory, restarting a session that works elsewhere there', async () => {
    world = await createFaultWorld();
    const w = world;
    const other = path.join(w.root, 'other');
    await mkdir(other);
    // Without --project-dir: poli works in the directory it is started from.
    const flags = ['--socket', w.socket, '--state-dir', w.stateDir];
    // T1 times out in the project: its EXECUTER never answers the plan.
    const first = w.start(['--mock', '--task', 'Create a.txt containing A', '--exec-timeout', '2', '--project-dir', w.projectDir], { MOCK_EXECUTER_SILENT_AT: '1' }, flags);
    expect(await first.exited).toBe(1);
    expect((await w.task('T1')).status).toBe('timeout');
    // T2 runs in the other directory: the session now works there.
    const second = await runPoli(['--mock', '--task', 'Create b.txt containing B', ...flags], { cwd: other, env: { MOCK_ROUNDS: '1', MOCK_THINK_MS: '100' } });
    expect(second.code, second.stderr).toBe(0);
    expect(existsSync(path.join(other, 'b.txt'))).toBe(true);

    const resumed = await runPoli(['--mock', '--resume', 'T1', '--kill-on-exit', ...flags], { cwd: other, env: { MOCK_ROUNDS: '1', MOCK_THINK_MS: '100' } });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`poli: task T1 was started in ${w.projectDir}; resuming it there (not in the current directory ${other}).\n`);
    expect(resumed.stderr).toContain(`the session on socket "${w.socket}" works in ${other}; restarting both CLIs in ${w.projectDir}`);
    expect((await w.task('T1')).status).toBe('completed');
    expect(await readFile(path.join(w.projectDir, 'a.txt'), 'utf8')).toBe('A\n');
    expect(existsSync(path.join(other, 'a.txt'))).toBe(false);
  });

  it('refuses another --project-dir, and a project that is gone, before starting anything', async () => {
    world = await createFaultWorld();
    const w = world;
    const other = path.join(w.root, 'other');
    await mkdir(other);
    const first = w.start(['--mock', '--task', 'Create a.txt containing A', '--exec-timeout', '2', '--kill-on-exit'], { MOCK_EXECUTER_SILENT_AT: '1' });
    expect(await first.exited).toBe(1);

    const flags = ['--socket', w.socket, '--state-dir', w.stateDir];
    const elsewhere = await runPoli(['--mock', '--resume', 'T1', '--project-dir', other, ...flags]);
    expect(elsewhere).toMatchObject({ code: 2, stdout: '' });
    expect(elsewhere.stderr).toBe(
      `poli: cannot resume T1 in ${other} (--project-dir): it was started in ${w.projectDir}, where its CLIs left their work. ` +
        `Leave out --project-dir to resume it there, or give --project-dir ${w.projectDir}.\n`,
    );

    await rm(w.projectDir, { recursive: true, force: true });
    const gone = await runPoli(['--mock', '--resume', 'T1', ...flags], { cwd: other });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe(
      `poli: cannot resume T1: it was started in ${w.projectDir}, which no longer exists (or is not a directory). poli resumes a task ` +
        'only in its own project, where its CLIs left their work. Restore that directory, or start the task again as a new one with --task.\n',
    );
    // Nothing was started: no tmux server on the socket, the task as it was.
    expect((await w.task('T1')).status).toBe('timeout');
  });
});
