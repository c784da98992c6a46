/**
 * A reply file that is a FIFO (issue 18, item 18): poli must never block on it. Before, reading it blocked the
 * dialogue loop in open(2) for good: no timeout fired, SIGTERM was ignored and the task stayed `running`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, sleep, waitForReceivedBlock } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('a FIFO in .poli/replies', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('named like the pending reply file, it neither hangs the loop nor keeps SIGTERM from ending the task', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create f.txt containing F', '--kill-on-exit'], { MOCK_EXECUTER_SILENT_AT: '1' });
    await waitForReceivedBlock(world, 'EXECUTER');
    const task = (await world.task('T1')) as unknown as { deliveries: { id: string; to: string }[] };
    const id = task.deliveries.filter((d) => d.to === 'EXECUTER').at(-1)?.id ?? '';
    expect(id).toMatch(/^T1-R1-/);
    const replies = path.join(world.projectDir, '.poli', 'replies');
    await mkdir(replies, { recursive: true });
    execFileSync('mkfifo', [path.join(replies, `${id}.md`)]);
    // Let poli look at its reply files a few times (it does on every wake of the loop).
    await sleep(3_000);
    run.child.kill('SIGTERM');
    expect(await run.exited, run.stderr()).toBe(1);
    expect(run.stderr()).toMatch(/poli: task T1 ended interrupted: .*SIGTERM/);
    expect((await world.task('T1')).status).toBe('interrupted');
  });
});
