/**
 * Echoes and stale replies: nothing poli typed (primers, tasks, forwarded blocks) is ever taken as a reply, even
 * when the CLI echoes it verbatim or scrolls it back into view; a block with an id poli did not issue for the
 * current turn, or addressed to the pane's own role, is ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaultWorld,
  FAULT_TEST_TIMEOUT_MS,
  createFaultWorld,
  dialogueOf,
  expectWellFormedDialogue,
  oneRoundDialogue,
  shapeOf,
} from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('echoes and stale replies', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a CLI that re-prints every block it receives (MOCK_ECHO_BLOCKS): the echoes are never taken as replies', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create e.txt containing E', '--kill-on-exit'], { MOCK_ECHO_BLOCKS: '1' });
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await world.task('T1');
    expect.soft(task.status).toBe('completed');
    expect.soft(dialogueOf(task.messages)).toEqual(oneRoundDialogue('e.txt', 'E'));
    expectWellFormedDialogue(task.messages);
  });

  it('a block with the current id addressed to the pane\'s own role is ignored', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create o.txt containing O', '--kill-on-exit'], { MOCK_NOISE: 'self' });
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await world.task('T1');
    expect.soft(task.status).toBe('completed');
    expect.soft(dialogueOf(task.messages)).toEqual(oneRoundDialogue('o.txt', 'O'));
  });

  it('old blocks scrolled back into view (earlier messages and earlier replies, old ids) are ignored, with a logged reason', async () => {
    world = await createFaultWorld();
    // Two rounds, so that both CLIs have earlier blocks to re-print; before every block it sends, each re-prints
    // all it received before (primer included) and all it sent, and echoes each message it gets.
    const run = world.start(['--mock', '--task', 'Create old.txt containing Old', '--kill-on-exit'], {
      MOCK_NOISE: 'stale',
      MOCK_ECHO_BLOCKS: '1',
      MOCK_ROUNDS: '2',
    });
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await world.task('T1');
    expect.soft(task.status).toBe('completed');
    expect.soft(shapeOf(task.messages)).toEqual([
      'ORCHESTRATOR → PLANNER task',
      'PLANNER → EXECUTER plan',
      'EXECUTER → PLANNER status',
      'EXECUTER → PLANNER result',
      'ORCHESTRATOR → PLANNER review',
      'PLANNER → EXECUTER continue',
      'EXECUTER → PLANNER status',
      'EXECUTER → PLANNER result',
      'ORCHESTRATOR → PLANNER review',
      'PLANNER → ORCHESTRATOR complete',
    ]);
    expect.soft(dialogueOf(task.messages)).toEqual([
      ...oneRoundDialogue('old.txt', 'Old').slice(0, 5),
      ['PLANNER', 'EXECUTER', 'continue', 'Continue: step 2 — append a line to old.txt\n<PLAN>\n2. Append round 2 to old.txt\n</PLAN>'],
      ['EXECUTER', 'PLANNER', 'status', 'Working on step 2: Append round 2 to old.txt'],
      ['EXECUTER', 'PLANNER', 'result', 'Appended 8 bytes to old.txt (now 12 bytes)'],
      ['ORCHESTRATOR', 'PLANNER', 'review', 'Appended 8 bytes to old.txt (now 12 bytes)'],
      [
        'PLANNER',
        'ORCHESTRATOR',
        'complete',
        'Task complete after 2 rounds: Create old.txt containing Old\nLast report:\nAppended 8 bytes to old.txt (now 12 bytes)',
      ],
    ]);
    expectWellFormedDialogue(task.messages);
    // The planner's first plan (the task's id) was re-printed during the review turn and ignored for its old id.
    const taskId = task.messages[0]?.id ?? '(none)';
    const ignored = (await world.log()).filter((e) => e.event === 'ignored').map((e) => e.message);
    expect.soft(ignored.some((m) => m.includes(`ignored a plan block with id "${taskId}"`)), ignored.join('\n')).toBe(true);
    // The primer, scrolled back into view, holds an example reply; its placeholder id is no id poli issued.
    expect.soft(ignored.some((m) => m.includes('with id "ID_FROM_THE_MESSAGE"')), ignored.join('\n')).toBe(true);
  });
});
