/**
 * `kill -9` at many different moments, then `--resume` (issue 18, item 7): after every kill the resumed task must be
 * clean — it completes, every recorded body is exact, no message is recorded twice, no CLI is handed the same
 * message twice, and every delivery receipt ends `answered`.
 *
 * The kill moments are swept: after each of the dialogue's submissions (the planner's task, the executer's plan, the
 * planner's review) plus a delay from 0 to ~1 s, which lands the kill before, during and after each paste, Enter,
 * status, reply and state write. The delays only choose a moment; no outcome depends on a timing.
 * POLI_KILL_SWEEP_TRIALS (default 4) sets how many moments run; the report for issue 18 runs 21.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaultWorld,
  createFaultWorld,
  dialogueOf,
  expectWellFormedDialogue,
  oneRoundDialogue,
  sleep,
  waitForReceivedBlock,
} from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

interface Delivery {
  id: string;
  to: string;
  type: string;
  stage: string;
}

/** Kill moments: after the Nth block submission to a role, plus a delay. */
const TRIGGERS: readonly { role: 'PLANNER' | 'EXECUTER'; n: number }[] = [
  { role: 'PLANNER', n: 1 },
  { role: 'EXECUTER', n: 1 },
  { role: 'PLANNER', n: 2 },
];
const DELAYS_MS = [0, 20, 60, 120, 250, 500, 900];
const ALL = TRIGGERS.flatMap((trigger) => DELAYS_MS.map((delayMs) => ({ ...trigger, delayMs })));
const TRIALS = Math.min(ALL.length, Number(process.env.POLI_KILL_SWEEP_TRIALS ?? 4));
/** Spread the chosen trials over the whole sweep. */
const CHOSEN = Array.from({ length: TRIALS }, (_, i) => ALL[Math.floor((i * ALL.length) / TRIALS)]!);

describe('kill -9 at swept moments, then --resume', () => {
  it.each(CHOSEN)('killed $delayMs ms after $role got block #$n: the resumed dialogue is clean', { timeout: 120_000 }, async ({ role, n, delayMs }) => {
    world = await createFaultWorld();
    const env = { MOCK_THINK_MS: '300', MOCK_ROUNDS: '1' };
    const first = world.start(['--mock', '--task', 'Create k.txt containing K'], env);
    await waitForReceivedBlock(world, role, n, 60_000);
    await sleep(delayMs);
    first.child.kill('SIGKILL');
    await first.exited;

    const before = await world.task('T1').catch(() => undefined);
    // Killed after the task ended: nothing to resume, but what the kill left must be as clean as a resumed task.
    if (before?.status !== 'completed') {
      const resumed = world.start(['--mock', '--resume', 'T1', '--kill-on-exit'], env);
      expect(await resumed.exited, `${resumed.stdout()}\n${resumed.stderr()}`).toBe(0);
    }
    const task = await world.task('T1');
    expect(task.status).toBe('completed');

    // Every body exact, in order, each recorded once; what was recorded before the kill kept as it was.
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('k.txt', 'K'));
    expectWellFormedDialogue(task.messages);
    if (before) expect(task.messages.slice(0, before.messages.length)).toEqual(before.messages);
    expect(await readFile(path.join(world.projectDir, 'k.txt'), 'utf8')).toBe('K\n');

    // No CLI was handed a message it had taken already: each id reached each role once.
    for (const who of ['PLANNER', 'EXECUTER'] as const) {
      const ids = (await world.received(who)).flatMap((r) => r.blocks).filter((b) => b.header.to === who).map((b) => b.header.id);
      expect(ids.length, `${who} received ${JSON.stringify(ids)}`).toBe(new Set(ids).size);
    }

    // Every message poli typed has a receipt, and each was answered in the end.
    const deliveries = (task as unknown as { deliveries?: Delivery[] }).deliveries ?? [];
    expect(deliveries.map((d) => `${d.to} ${d.type}`)).toEqual(['PLANNER task', 'EXECUTER plan', 'PLANNER review']);
    expect(deliveries.filter((d) => d.stage !== 'answered'), JSON.stringify(deliveries)).toEqual([]);
  });
});
