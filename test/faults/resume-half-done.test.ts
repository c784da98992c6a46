/**
 * What a kill -9 can leave half-done, resumed through real tmux (issue 18, items 14 and 15). The kill moments are
 * too narrow to hit by timing, so the state file is set to what poli leaves behind at that instant:
 * - the plan's text was pasted into the executer's input box, but poli was killed before it recorded `pasted`
 *   (its receipt says `written`): resume must submit the text in the box, not paste a second copy behind it;
 * - the planner's `complete` was recorded, but poli was killed before it ended the task: resume must end it, not send
 *   the review again (and record `complete` twice).
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectLine } from '../../src/dialogue/machine.ts';
import { formatBlock } from '../../src/protocol/format-block.ts';
import {
  type FaultWorld,
  FAULT_TEST_TIMEOUT_MS,
  ONE_ROUND_SHAPE,
  createFaultWorld,
  shapeOf,
  waitForReceivedBlock,
  waitUntil,
} from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

/** Rewrites the task file as a poli killed at that instant would have left it. */
async function editTask(w: FaultWorld, id: string, edit: (task: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(w.stateDir, 'tasks', `${id}.json`);
  const task = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(task);
  await writeFile(file, `${JSON.stringify(task, null, 2)}\n`);
}

describe('resume after a kill at a half-done step', { timeout: FAULT_TEST_TIMEOUT_MS * 2 }, () => {
  it('submits a message already pasted into the input box instead of pasting it a second time', async () => {
    world = await createFaultWorld();
    const w = world;
    const first = w.start(['--mock', '--task', 'Create w.txt containing W'], { MOCK_PLANNER_THINK_MS: '3000' });
    await waitForReceivedBlock(w, 'PLANNER');
    first.child.kill('SIGKILL');
    await first.exited;
    // The state poli leaves when killed right after pasting the plan into the executer's box: the plan recorded, its
    // receipt written (the paste was not seen yet), and the text (block and expected-reply line) in the box.
    const plan = '<PLAN>\n1. Create w.txt containing W\n</PLAN>';
    const id = 'T1-R1-abc123';
    const at = new Date().toISOString();
    await editTask(w, 'T1', (task) => {
      const messages = task.messages as { id: string }[];
      const taskId = messages[0]?.id ?? '';
      messages.push({ from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: taskId, body: plan, at } as never);
      task.rounds = 1;
      const deliveries = task.deliveries as { stage: string }[];
      for (const d of deliveries) d.stage = 'answered';
      deliveries.push({ id, to: 'EXECUTER', type: 'plan', body: plan, stage: 'written', at, after: 2 } as never);
    });
    const text = `${formatBlock({ to: 'EXECUTER', type: 'plan', id }, plan)}\n${expectLine('EXECUTER', id)}`;
    const pane = await w.paneOf('EXECUTER');
    execFileSync('tmux', ['-L', w.socket, 'load-buffer', '-b', 'half-done', '-', ';', 'paste-buffer', '-p', '-r', '-d', '-b', 'half-done', '-t', pane], { input: text });
    await waitUntil('the plan shows in the executer\'s input box', () => /\[Pasted text #\d+ \+\d+ lines\]/.test(w.tmux(['capture-pane', '-p', '-t', pane]))).catch((e: Error) => {
      throw new Error(`${e.message}:\n${w.tmux(['capture-pane', '-p', '-t', pane]).split('\n').slice(-8).join('\n')}`);
    });

    const second = w.start(['--mock', '--resume', 'T1', '--kill-on-exit'], { MOCK_PLANNER_THINK_MS: '3000' });
    expect(await second.exited, `${second.stdout()}\n${second.stderr()}`).toBe(0);
    const task = await w.task('T1');
    expect(task.status).toBe('completed');
    // One submission with one plan in it: the text that sat in the box, not a second copy pasted behind it.
    const got = (await w.received('EXECUTER')).filter((r) => r.text.includes(id));
    expect(got.length).toBe(1);
    expect(got[0]?.text.split(`[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"${id}"}]]`).length, got[0]?.text).toBe(2);
    expect(got[0]?.blocks.map((b) => [b.header.id, b.body])).toEqual([[id, plan]]);
    expect(await readFile(path.join(w.projectDir, 'w.txt'), 'utf8')).toBe('W\n');
  });

  it('ends a task whose complete was recorded before the kill, without sending the review again', async () => {
    world = await createFaultWorld();
    const first = world.start(['--mock', '--task', 'Create c.txt containing C']);
    expect(await first.exited, first.stderr()).toBe(0);
    await editTask(world, 'T1', (task) => {
      task.status = 'running';
      task.endedAt = null;
    });
    const plannerGot = (await world.received('PLANNER')).length;

    const second = world.start(['--mock', '--resume', 'T1', '--kill-on-exit']);
    expect(await second.exited, `${second.stdout()}\n${second.stderr()}`).toBe(0);
    const task = await world.task('T1');
    expect(task.status).toBe('completed');
    expect(shapeOf(task.messages)).toEqual(ONE_ROUND_SHAPE);
    expect((await world.received('PLANNER')).length).toBe(plannerGot);
  });
});
