import { describe, expect, it } from 'vitest';
import { formatBlock } from '../protocol/format-block.ts';
import type { BlockHeader } from '../protocol/types.ts';
import { BUSY_STABLE_MS, PROVISIONAL_IDLE_MS, STABLE_MS, newTurn, takeReplies } from './turn.ts';

const block = (h: BlockHeader, body: string) => formatBlock(h, body);

function collect() {
  const seen: [string, string, boolean][] = [];
  return { seen, onIgnored: (role: string, reason: string, expected: boolean) => seen.push([role, reason, expected]) };
}

describe('takeReplies', () => {
  it('takes the reply with the issued id once, however often it is re-read', () => {
    const turn = newTurn('EXECUTER', 'T1-R1-a', 0, '');
    const screen = [
      block({ to: 'EXECUTER', type: 'plan', id: 'T1-R1-a' }, 'echo of what poli typed'),
      block({ to: 'PLANNER', type: 'status', id: 'T1-R1-a' }, 'working'),
      block({ to: 'PLANNER', type: 'status', id: 'T1-R1-a' }, 'working'),
    ].join('\n');
    expect(takeReplies(turn, screen, true).map((b) => [b.header.type, b.body])).toEqual([['status', 'working']]);
    expect(takeReplies(turn, `${screen}\n${block({ to: 'PLANNER', type: 'result', id: 'T1-R1-a' }, 'done')}`, true).map((b) => b.body)).toEqual([
      'done',
    ]);
  });

  it('waits for a settled screen: idle, or the same candidates for STABLE_MS (a status) or BUSY_STABLE_MS (a reply that ends the turn)', () => {
    const turn = newTurn('PLANNER', 'T1-R0-a', 0, '');
    const screen = block({ to: 'EXECUTER', type: 'plan', id: 'T1-R0-a' }, 'p');
    expect(takeReplies(turn, screen, false, undefined, new Set(), 1_000)).toEqual([]);
    expect(takeReplies(turn, screen, false, undefined, new Set(), 1_000 + STABLE_MS)).toEqual([]);
    expect(takeReplies(turn, screen, false, undefined, new Set(), 1_000 + BUSY_STABLE_MS - 1)).toEqual([]);
    expect(takeReplies(turn, screen, false, undefined, new Set(), 1_000 + BUSY_STABLE_MS).map((b) => b.body)).toEqual(['p']);
    const idle = newTurn('PLANNER', 'T1-R0-a', 0, '');
    expect(takeReplies(idle, screen, true, undefined, new Set(), 5).map((b) => b.body)).toEqual(['p']);
    const status = newTurn('EXECUTER', 'T1-R1-a', 0, '');
    const working = block({ to: 'PLANNER', type: 'status', id: 'T1-R1-a' }, 'working');
    expect(takeReplies(status, working, false, undefined, new Set(), 1_000)).toEqual([]);
    expect(takeReplies(status, working, false, undefined, new Set(), 1_000 + STABLE_MS).map((b) => b.body)).toEqual(['working']);
  });

  it('takes the block still on the screen once the CLI looks done, not a draft it drew while busy and redrew since', () => {
    const turn = newTurn('EXECUTER', 'T1-R1-a', 0, '');
    const draft = block({ to: 'PLANNER', type: 'result', id: 'T1-R1-a' }, 'draft');
    expect(takeReplies(turn, draft, false, undefined, new Set(), 1_000)).toEqual([]);
    expect(takeReplies(turn, draft, false, undefined, new Set(), 2_500)).toEqual([]);
    const final = block({ to: 'PLANNER', type: 'result', id: 'T1-R1-a' }, 'final');
    expect(takeReplies(turn, `${final}\n✻ Worked for 2s`, true, undefined, new Set(), 2_600).map((b) => b.body)).toEqual(['final']);
  });

  it('an idle pause right after a whole example block inside a reply still open: the example is not taken (for PROVISIONAL_IDLE_MS)', () => {
    const turn = newTurn('EXECUTER', 'T1-R1-a', 0, '');
    const header = { to: 'PLANNER', type: 'result', id: 'T1-R1-a' } as const;
    const partial = [`[[POLI:MSG ${JSON.stringify(header)}]]`, 'line 1', block(header, 'example')].join('\n');
    expect(takeReplies(turn, partial, true, undefined, new Set(), 1_000)).toEqual([]);
    expect(takeReplies(turn, partial, true, undefined, new Set(), 1_000 + PROVISIONAL_IDLE_MS - 1)).toEqual([]);
    const whole = `${partial}\nline 5\n[[/POLI:MSG]]`;
    expect(takeReplies(turn, whole, true, undefined, new Set(), 1_000 + PROVISIONAL_IDLE_MS - 1).map((b) => b.body)).toEqual([
      `line 1\n${block(header, 'example')}\nline 5`,
    ]);
    // A CLI that never goes on: the block is taken in the end (poli asked for a reply file meanwhile).
    const stuck = newTurn('EXECUTER', 'T1-R1-a', 0, '');
    takeReplies(stuck, partial, true, undefined, new Set(), 1_000);
    expect(takeReplies(stuck, partial, true, undefined, new Set(), 1_000 + PROVISIONAL_IDLE_MS).map((b) => b.body)).toEqual(['example']);
  });

  it('takes the real reply when its body quotes an example block with the same id, or a close tag in a fence', () => {
    const turn = newTurn('EXECUTER', 'T1-R1-a', 0, '');
    const header = { to: 'PLANNER', type: 'result', id: 'T1-R1-a' } as const;
    const example = `[[POLI:MSG ${JSON.stringify(header)}]]\nexample\n[[/POLI:MSG]]`;
    const screen = [
      `[[POLI:MSG ${JSON.stringify(header)}]]`,
      'line 1', '```', '[[/POLI:MSG]]', '```', example, 'line 5',
      '[[/POLI:MSG]]',
    ].join('\n');
    expect(takeReplies(turn, screen, true).map((b) => b.body)).toEqual([`line 1\n\`\`\`\n[[/POLI:MSG]]\n\`\`\`\n${example}\nline 5`]);
  });

  it('says which ignored blocks are leftovers of earlier turns and which are news', () => {
    const turn = newTurn('PLANNER', 'T1-R1-b', 0, '');
    const { seen, onIgnored } = collect();
    const screen = [
      block({ to: 'EXECUTER', type: 'plan', id: 'T1-R0-a' }, 'the old plan'),
      block({ to: 'EXECUTER', type: 'plan', id: 'guessed' }, 'a guess'),
      block({ to: 'ORCHESTRATOR', type: 'plan', id: 'T1-R1-b' }, 'misaddressed'),
      '[[POLI:MSG {"to":"EXECUTER","type":"plan",}]]',
      '[[/POLI:MSG]]',
    ].join('\n');
    expect(takeReplies(turn, screen, true, onIgnored, new Set(['T1-R0-a']))).toEqual([]);
    expect(seen).toEqual([
      ['PLANNER', expect.stringMatching(/^ignored a malformed block: invalid JSON header/), false],
      ['PLANNER', 'ignored a plan block with id "T1-R0-a": expected id "T1-R1-b"', true],
      ['PLANNER', 'ignored a plan block with id "guessed": expected id "T1-R1-b"', false],
      ['PLANNER', 'ignored a plan block to ORCHESTRATOR from PLANNER: not a valid reply here', false],
    ]);
    // Each is reported once per turn.
    takeReplies(turn, screen, true, onIgnored, new Set(['T1-R0-a']));
    expect(seen).toHaveLength(4);
  });
});
