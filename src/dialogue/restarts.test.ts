import { describe, expect, it } from 'vitest';
import { startedDialogue } from '../../test/helpers/fake-dialogue.ts';
import { checkLiveness, watchRestarts } from './restarts.ts';

describe('restarts', () => {
  it('does nothing while both CLIs live', async () => {
    const { dialogue } = await startedDialogue();
    expect(await checkLiveness(dialogue)).toBeNull();
    expect(await watchRestarts(dialogue)).toBe(false);
  });

  it('types the pending message again, same text and id, into a restarted CLI', async () => {
    const deaths: string[] = [];
    const fake = await startedDialogue({
      onPaneDied: async (role) => {
        deaths.push(role);
        fake.panes[role].dead = false;
        return true;
      },
    });
    const { dialogue, panes } = fake;
    const before = dialogue.turn!;
    panes.PLANNER.dead = true;
    expect(await watchRestarts(dialogue)).toBe(true);
    expect(deaths).toEqual(['PLANNER']);
    expect(panes.PLANNER.submitted).toEqual([before.text, before.text]);
    expect(dialogue.turn).not.toBe(before);
    expect(fake.notices.at(-1)?.text).toBe('re-sent message m1 to the restarted PLANNER');
  });

  it('a restarted CLI that is not the pending one is not sent anything', async () => {
    const fake = await startedDialogue({ onPaneDied: async () => true });
    fake.panes.EXECUTER.dead = true;
    expect(await checkLiveness(fake.dialogue)).toEqual(['EXECUTER']);
    expect(await watchRestarts(fake.dialogue)).toBe(false);
    expect(fake.panes.EXECUTER.submitted).toEqual([]);
  });

  it('fails the task with the last lines of a CLI that died and was not restarted', async () => {
    const fake = await startedDialogue();
    fake.panes.EXECUTER.output = ['panic: out of tea'];
    fake.panes.EXECUTER.dead = true;
    expect(await watchRestarts(fake.dialogue)).toBe(false);
    expect(fake.ends).toHaveLength(1);
    expect(fake.ends[0]?.status).toBe('failed');
    expect(fake.ends[0]?.reason).toMatch(/^the EXECUTER CLI in pane %2 .*Last lines of its screen:\npanic: out of tea$/s);
  });
});
