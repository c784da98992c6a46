/**
 * `--resume` in the session the task ran in: the CLIs' screens and histories still show the blocks of the task's
 * earlier turns. They are expected history, logged at debug: the terminal gets no warning for each (it got ~37).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliWorld, createWorld, runPoli, startPoli } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('--resume in the session the task ran in', () => {
  it('prints no warning about the blocks of the task\'s earlier turns', async () => {
    world = await createWorld();
    // Kept session (no --kill-on-exit); the EXECUTER never answers its third round, poli is interrupted there.
    const run = startPoli(['--mock', '--task', 'Create r.txt containing R', ...world.flags], {
      env: { MOCK_ROUNDS: '4', MOCK_EXECUTER_SILENT_AT: '3' },
    });
    await run.waitFor('(round 3)');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(1);

    const resumed = await runPoli(['--mock', '--resume', 'T1', '--kill-on-exit', ...world.flags], { env: { MOCK_ROUNDS: '4', MOCK_EXECUTER_SILENT_AT: '3' } });
    expect(resumed.code, resumed.stderr).toBe(0);
    const warnings = `${resumed.stdout}\n${resumed.stderr}`.split('\n').filter((l) => /ignored .*block with id/.test(l));
    expect(warnings).toEqual([]);
  });
});
