/** A task that stopped at --max-rounds continues with a higher --max-rounds; without one, poli says to pass it. */
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliWorld, createWorld, runPoli } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('--resume of a max_rounds task', () => {
  it('is refused without a higher --max-rounds, and completes with one', async () => {
    world = await createWorld();
    const env = { MOCK_ROUNDS: '2' };
    const first = await runPoli(['--mock', '--task', 'Create m.txt containing M', '--max-rounds', '1', '--kill-on-exit', ...world.flags], { env });
    expect(first.stderr).toContain('max_rounds');

    const refused = await runPoli(['--mock', '--resume', 'T1', '--max-rounds', '1', '--kill-on-exit', ...world.flags], { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'cannot resume: task T1 stopped at --max-rounds after 1 rounds; to continue it, pass a higher --max-rounds (2 or more)',
    );

    const resumed = await runPoli(['--mock', '--resume', 'T1', '--max-rounds', '3', '--kill-on-exit', ...world.flags], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    // The PLANNER's continue refused at round 2 is acted on now (the mock, started afresh, may ask for more).
    expect(resumed.stdout).toContain('resuming: acting on the recorded continue');
    expect(resumed.stdout).toContain('continue sent to EXECUTER (round 2)');
    expect(resumed.stdout).toMatch(/poli: task T1 completed in \d+ round\(s\)\./);
  });
});
