/**
 * Two polis with different state directories (and sockets) on one project (issue 18, item 16): both number their
 * first task T1, and their long messages go through files in the project's `.poli/messages/`. The one that finishes
 * first removes its own message files only, never the other's unread ones.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, waitForReceivedBlock } from './fault-world.ts';

let worlds: FaultWorld[] = [];
afterEach(async () => {
  for (const w of worlds) await w.cleanup();
  worlds = [];
});

const messageFiles = async (projectDir: string): Promise<string[]> =>
  (await readdir(path.join(projectDir, '.poli', 'messages')).catch(() => [] as string[])).filter((n) => n.endsWith('.md')).sort();

describe('two polis on one project', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('the first to finish removes only its own message files', async () => {
    const a = await createFaultWorld();
    const b = await createFaultWorld();
    worlds = [a, b];
    // Every message is over 256 bytes (the expected-reply line alone is ~250): all of them go through files.
    const threshold = ['--file-threshold', '256'];
    // A's executer never answers: A stays running with its messages handed over in files.
    const runA = a.start(['--mock', '--task', 'Create a.txt containing A', '--kill-on-exit', ...threshold], { MOCK_EXECUTER_SILENT_AT: '1' });
    await waitForReceivedBlock(a, 'EXECUTER', 1, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${runA.stdout()}\n${runA.stderr()}`);
    });
    const filesOfA = await messageFiles(a.projectDir);
    expect(filesOfA.length).toBeGreaterThanOrEqual(2);
    expect(filesOfA.every((n) => n.startsWith('T1-'))).toBe(true);

    // B: another socket and state directory, the same project; its task is T1 too, and it completes.
    const runB = b.start(['--mock', '--task', 'Create b.txt containing B', '--kill-on-exit', ...threshold], {}, [
      '--socket', b.socket, '--project-dir', a.projectDir, '--state-dir', b.stateDir,
    ]);
    expect(await runB.exited, runB.stderr()).toBe(0);
    expect((await b.task('T1')).status).toBe('completed');

    // A's unread files are all still there; B left none of its own.
    expect(await messageFiles(a.projectDir)).toEqual(filesOfA);
    expect(runA.child.exitCode).toBeNull();
  });
});
