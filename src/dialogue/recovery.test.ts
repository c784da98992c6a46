import { describe, expect, it } from 'vitest';
import { startedDialogue } from '../../test/helpers/fake-dialogue.ts';
import { formatBlock } from '../protocol/format-block.ts';
import type { Block } from '../protocol/types.ts';
import { CROSS_CHECK_MS, RESUME_LOST_MS, askForLostReply, damageReminder, recoverMissingReply, refuseDamaged, startsReply } from './recovery.ts';

const reply = formatBlock({ to: 'EXECUTER', type: 'plan', id: 'm1' }, 'do it');
const block: Block = { header: { to: 'EXECUTER', type: 'plan', id: 'm1' }, body: 'do it', startLine: 0, endLine: 0 };

describe('startsReply', () => {
  const open = reply.split('\n')[0]!;
  it.each([
    ['no id on the screen', 'nothing here', [], false],
    ['its open tag', `● ${open}\n  half a reply`, [], true],
    ['poli’s own message (to the role)', formatBlock({ to: 'PLANNER', type: 'task', id: 'm1' }, 'x'), [], false],
    ['a block delivered through the tool', open, [block], false],
  ] as const)('%s', (_name, screen, structured, expected) => {
    expect(startsReply(screen, 'PLANNER', 'm1', structured)).toBe(expected);
  });
});

describe('recovery', () => {
  it('says what was damaged and how to send the reply again', () => {
    expect(damageReminder('EXECUTER', 'm2', 'the pane was resized')).toMatch(
      /^Reminder from poli: I could not read your reply to message m2 reliably: the pane was resized\. Send the same reply again now, unchanged and with the same id \(or write it to \.poli\/replies\/m2\.md\)\. Reply with blocks addressed to PLANNER/,
    );
  });

  it('takes no reply the screen may have damaged: marks it suspect and asks for it again', async () => {
    const { dialogue, panes } = await startedDialogue();
    const turn = dialogue.turn!;
    expect(await refuseDamaged(dialogue, turn, [block])).toEqual([block]);
    panes.PLANNER.damaged = 'the pane was resized';
    expect(await refuseDamaged(dialogue, turn, [block])).toEqual([]);
    expect(turn.suspect.size).toBe(1);
    expect(panes.PLANNER.submitted.at(-1)).toBe(damageReminder('PLANNER', 'm1', 'the pane was resized'));
  });

  it('cross-checks the reader once the CLI looked done without a reply for a while', async () => {
    const fake = await startedDialogue();
    const { dialogue, panes } = fake;
    const turn = dialogue.turn!;
    await recoverMissingReply(dialogue, turn, '', 'idle', 0);
    expect(panes.PLANNER.crossChecks).toBe(0);
    fake.advance(CROSS_CHECK_MS);
    await recoverMissingReply(dialogue, turn, '', 'idle', 0);
    expect(panes.PLANNER.crossChecks).toBe(1);
    await recoverMissingReply(dialogue, turn, '', 'busy', 0);
    expect(turn.idleSince).toBeUndefined();
  });

  it('asks once for a reply file when only the reply’s start showed and the CLI sits idle', async () => {
    const fake = await startedDialogue();
    const { dialogue, panes } = fake;
    const turn = dialogue.turn!;
    const screen = `● ${reply.split('\n')[0]!}\n  the start of a tall reply`;
    turn.idleSince = dialogue.elapsed();
    await askForLostReply(dialogue, turn, screen, 'idle');
    expect(turn.sawOpen).toBe(true);
    expect(panes.PLANNER.submitted).toHaveLength(1);
    fake.advance(CROSS_CHECK_MS);
    await askForLostReply(dialogue, turn, screen, 'idle');
    await askForLostReply(dialogue, turn, screen, 'idle');
    expect(panes.PLANNER.submitted.slice(1)).toEqual([
      'Reminder from poli: I could not read your reply to message m1: its start showed on the screen but never its end ' +
        '(a reply taller than an alternate screen, which keeps no history, or stopped half-way). Please write the whole ' +
        'reply block to the file .poli/replies/m1.md in the project directory (only the block, exactly as you would ' +
        'print it), then say done.',
    ]);
  });

  it('types a resumed message again when its CLI shows no reply and sits idle', async () => {
    const fake = await startedDialogue();
    const { dialogue } = fake;
    const turn = dialogue.turn!;
    let typed = 0;
    turn.lost = async () => void (typed += 1);
    turn.idleSince = dialogue.elapsed();
    expect(await recoverMissingReply(dialogue, turn, '', 'idle', 0)).toBe(false);
    fake.advance(RESUME_LOST_MS);
    expect(await recoverMissingReply(dialogue, turn, '', 'idle', 1)).toBe(false);
    expect(await recoverMissingReply(dialogue, turn, '', 'idle', 0)).toBe(true);
    expect(await recoverMissingReply(dialogue, turn, '', 'idle', 0)).toBe(false);
    expect(typed).toBe(1);
    expect(fake.notices.at(-1)?.text).toBe('resuming: PLANNER shows no reply to m1; sending it again (same id)');
  });
});
