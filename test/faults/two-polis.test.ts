/**
 * Two poli processes on the same socket: the second refuses with a clear message (exit non-zero, stderr naming the
 * socket and the other pid), and input from two orchestrators never interleaves — whatever state directory the
 * second one was given.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPoli } from '../helpers/poli-process.ts';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, dialogueOf, oneRoundDialogue, waitForReceivedBlock } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('a second poli on the same socket', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it.each([
    { name: 'same state directory', otherStateDir: false },
    { name: 'another state directory', otherStateDir: true },
  ])('refuses, naming the socket and the pid of the first ($name); the first task is undisturbed', async ({ otherStateDir }) => {
    world = await createFaultWorld();
    const w = world;
    // Slow mocks: the first task is still running when the second poli starts.
    const first = w.start(['--mock', '--task', 'Create one.txt containing 1', '--kill-on-exit'], { MOCK_THINK_MS: '1500' });
    await waitForReceivedBlock(w, 'PLANNER');

    const stateDir = otherStateDir ? path.join(w.root, 'other-state') : w.stateDir;
    await mkdir(stateDir, { recursive: true });
    const secondRun = w.start(['--mock', '--task', 'Create two.txt containing 2'], {}, [
      '--socket', w.socket, '--project-dir', w.projectDir, '--state-dir', stateDir,
    ]);
    secondRun.child.stdin?.end();
    const second = { code: await secondRun.exited, stdout: secondRun.stdout(), stderr: secondRun.stderr() };
    expect(second.code).toBe(1);
    expect.soft(second.stderr).toBe(
      `poli: another poli process (pid ${first.child.pid}) is already driving the tmux socket "${w.socket}". ` +
        'Wait for it to finish, stop it, or use a different --socket.\n',
    );
    expect.soft(second.stdout).toBe('');

    expect(await first.exited, first.stderr()).toBe(0);
    const task = await w.task('T1');
    expect.soft(task.status).toBe('completed');
    expect.soft(dialogueOf(task.messages)).toEqual(oneRoundDialogue('one.txt', '1'));
    // Nothing of the second task reached either CLI, and it left no task behind.
    const received = await w.received();
    expect.soft(received.filter((r) => r.text.includes('two.txt'))).toEqual([]);
    expect.soft(received.filter((r) => r.blocks.some((b) => b.header.type === 'task')).length).toBe(1);
    const other = await runPoli(['--state', '--json', '--state-dir', stateDir]);
    expect.soft((JSON.parse(other.stdout) as { tasks: { task: string }[] }).tasks.map((t) => t.task)).toEqual(
      otherStateDir ? [] : ['Create one.txt containing 1'],
    );
  });
});
