import { describe, expect, it } from 'vitest';
import { formatBlock } from '../protocol/format-block.ts';
import type { BlockHeader } from '../protocol/types.ts';
import { STABLE_MS, newTurn, takeReplies } from './turn.ts';

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

  it('waits for a settled screen: idle, or the same candidates for STABLE_MS', () => {
    const turn = newTurn('PLANNER', 'T1-R0-a', 0, '');
    const screen = block({ to: 'EXECUTER', type: 'plan', id: 'T1-R0-a' }, 'p');
    expect(takeReplies(turn, screen, false, undefined, new Set(), 1_000)).toEqual([]);
    expect(takeReplies(turn, screen, false, undefined, new Set(), 1_000 + STABLE_MS - 1)).toEqual([]);
    expect(takeReplies(turn, screen, false, undefined, new Set(), 1_000 + STABLE_MS).map((b) => b.body)).toEqual(['p']);
    const idle = newTurn('PLANNER', 'T1-R0-a', 0, '');
    expect(takeReplies(idle, screen, true, undefined, new Set(), 5).map((b) => b.body)).toEqual(['p']);
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
