/**
 * Malformed blocks: bad JSON, missing fields, unknown type, wrong addressee, duplicate ids, an unterminated block
 * followed by a good one, a block torn by a screen redraw. Each is ignored with a reason in the log
 * (`<state-dir>/poli_orchestrator.log`, JSON lines, event `ignored`); the right block still wins and the dialogue
 * goes on to the exact messages of a clean run.
 *
 * Both mocks print the decoys (MOCK_GARBAGE, MOCK_WRONG_ID, MOCK_NOISE: see mocks/lib/agent.ts) around every block
 * they send, so each kind is met in the PLANNER's pane and in the EXECUTER's.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, dialogueOf, expectWellFormedDialogue, oneRoundDialogue } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

interface Case {
  name: string;
  env: Record<string, string>;
  /** Every one of these must match the message of at least one `ignored` log event. */
  reasons: RegExp[];
}

const CASES: Case[] = [
  {
    name: 'bad JSON and a wrong id (MOCK_GARBAGE)',
    env: { MOCK_GARBAGE: '1' },
    reasons: [/malformed block: invalid JSON header: /, /ignored a plan block with id "stale-T1-R0-[0-9a-z]{6}": expected id "T1-R0-[0-9a-z]{6}"/, /ignored a result block with id "stale-T1-R1-[0-9a-z]{6}"/],
  },
  {
    name: 'a wrong id first, the right one later (MOCK_WRONG_ID)',
    env: { MOCK_WRONG_ID: '1' },
    reasons: [/ignored a plan block with id "stale-T1-R0-[0-9a-z]{6}": expected id "T1-R0-[0-9a-z]{6}"/, /ignored a status block with id "stale-T1-R1-/],
  },
  { name: 'a missing field', env: { MOCK_NOISE: 'missing-field' }, reasons: [/malformed block: missing field: type/] },
  { name: 'an unknown type', env: { MOCK_NOISE: 'unknown-type' }, reasons: [/malformed block: unknown type: bogus/] },
  {
    name: 'a wrong addressee (right id and type)',
    env: { MOCK_NOISE: 'wrong-addressee' },
    reasons: [/ignored a plan block to ORCHESTRATOR from PLANNER/, /ignored a result block to ORCHESTRATOR from EXECUTER/],
  },
  {
    name: 'a duplicate id (a second block with the same header after the reply)',
    env: { MOCK_NOISE: 'duplicate' },
    reasons: [/duplicate.*plan.*T1-R0-[0-9a-z]{6}|plan.*T1-R0-[0-9a-z]{6}.*duplicate/i, /duplicate.*result.*T1-R1-[0-9a-z]{6}|result.*T1-R1-[0-9a-z]{6}.*duplicate/i],
  },
  {
    name: 'an unterminated block followed by the good one',
    env: { MOCK_NOISE: 'unterminated' },
    reasons: [/malformed block: unterminated: another block started/],
  },
  {
    name: 'a block torn by a redraw (open tag cut inside its JSON) followed by the good one',
    env: { MOCK_NOISE: 'torn' },
    // The cut open tag is reported as a block cut short by the next one (or as a bad header); either way, named.
    reasons: [
      /malformed block: .*\(header: (\[\[POLI:MSG )?\{"to":"EXECUTER","type":"plan","id":"T1-R0-/,
      /malformed block: .*\(header: (\[\[POLI:MSG )?\{"to":"PLANNER","type":"result","id":"T1-R1-/,
    ],
  },
];

describe('malformed blocks are ignored with a logged reason; the right block wins', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it.each(CASES)('$name', async ({ env, reasons }) => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create m.txt containing M', '--kill-on-exit', '--exec-timeout', '20', '--plan-timeout', '20'], env);
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await world.task('T1');
    expect(task.status).toBe('completed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('m.txt', 'M'));
    expectWellFormedDialogue(task.messages);
    expect(await readFile(path.join(world.projectDir, 'm.txt'), 'utf8')).toBe('M\n');

    const ignored = (await world.log()).filter((e) => e.event === 'ignored').map((e) => e.message);
    for (const reason of reasons) {
      expect(ignored.some((m) => reason.test(m)), `no "ignored" log event matches ${reason}; the ignored events were:\n${ignored.join('\n')}`).toBe(true);
    }
  });
});
