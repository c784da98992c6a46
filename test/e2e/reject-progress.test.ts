/**
 * After the person rejects a reply at the approval prompt, the progress lines say what happened: the reply was
 * rejected and not forwarded, and the reason went back to its author. (They printed the PLANNER's message as
 * `PLANNER → EXECUTER plan: …`, as if forwarded.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliWorld, createWorld, startPoli } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

/** A progress line without its `[m:ss] rN ` head. */
const bare = (line: string) => line.replace(/^\[\d+:\d\d\] r\d+ /, '');

describe('the progress after a reject', () => {
  it('says the plan was rejected and not forwarded, and the reason was sent back to the PLANNER', async () => {
    world = await createWorld();
    const run = startPoli(['--mock', '--approve', 'plans', '--task', 'Create a.txt containing A', '--kill-on-exit', ...world.flags], {
      env: { MOCK_ROUNDS: '2' },
    });
    await run.waitFor('Approve, edit or reject? [a/e/r] ');
    run.child.stdin?.write('r\n');
    await run.waitFor('Reason for rejecting: ');
    run.child.stdin?.write('name the file b.txt\n');
    await run.waitFor(/Approve, edit or reject\? \[a\/e\/r\] [\s\S]*Approve, edit or reject\? \[a\/e\/r\] /);
    run.child.stdin?.end('a\n');
    expect(await run.exited, run.stderr()).toBe(0);

    const out = run.stdout();
    const from = out.indexOf('Reason for rejecting: ');
    const next = out.indexOf('Approve, edit or reject?', from);
    // The lines between the reason and the next question's box.
    const between = out.slice(from, out.lastIndexOf('── approve?', next)).split('\n').slice(1).map(bare).filter((l) => l.trim() !== '');
    expect(between).toEqual([
      'PLANNER → EXECUTER plan (rejected by you, not forwarded): 1. Create a.txt containing A',
      'PLANNER working · plan rejected by you (not forwarded to the EXECUTER); your reason was sent back to the PLANNER',
    ]);
  });
});
