import { describe, expect, it } from 'vitest';
import { startedDialogue } from '../../test/helpers/fake-dialogue.ts';
import { endWait, watchLimits } from './limit-watch.ts';

const HOUR = 3600_000;

describe('watchLimits', () => {
  it('goes on when the CLI shows no limit', async () => {
    const { dialogue } = await startedDialogue();
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed())).toBe('go');
  });

  it('waits out a usage limit until its reset time (held, status waiting), then types the message again', async () => {
    const fake = await startedDialogue();
    const { dialogue, panes } = fake;
    const resetAt = dialogue.clock.now() + HOUR;
    panes.PLANNER.limitScreen = { kind: 'usage', line: 'You have hit your limit', resetAt };
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed())).toBe('held');
    expect(dialogue.limitWaits.wait).toMatchObject({ kind: 'usage', role: 'PLANNER', until: resetAt + 60_000 });
    expect(fake.waits).toHaveLength(1);
    const loopStart = dialogue.elapsed();
    fake.advance(1_000);
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', loopStart)).toBe('held');
    expect(dialogue.held.ms).toBe(1_000);
    fake.advance(HOUR + 60_000);
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed())).toBe('restart');
    expect(fake.waits.at(-1)).toBeNull();
    expect(panes.PLANNER.submitted).toHaveLength(2);
    // The old limit line still stands right after: not a new limit.
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed())).toBe('go');
  });

  it('ends a usage wait when the CLI goes on by itself', async () => {
    const fake = await startedDialogue();
    const { dialogue, panes } = fake;
    panes.PLANNER.limitScreen = { kind: 'usage', line: 'limit', resetAt: dialogue.clock.now() + HOUR };
    await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed());
    panes.PLANNER.limitScreen = undefined;
    expect(await watchLimits(dialogue, dialogue.turn!, 'busy', dialogue.elapsed())).toBe('held');
    expect(dialogue.limitWaits.wait).toBeNull();
    expect(fake.notices.at(-1)?.text).toBe('the wait for the PLANNER is over (the PLANNER went on by itself)');
    expect(panes.PLANNER.submitted).toHaveLength(1);
  });

  it('waits for a login until the pane is idle without it, or poli resume cuts it short', async () => {
    const fake = await startedDialogue({ socket: 'sock' });
    const { dialogue, panes } = fake;
    panes.PLANNER.limitScreen = { kind: 'auth', line: 'Please run /login' };
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed())).toBe('held');
    expect(dialogue.limitWaits.wait?.reason).toBe('log in to fake in pane %1 (tmux -L sock attach): Please run /login');
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed())).toBe('held');
    dialogue.limitWaits.cutShort = true;
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed())).toBe('restart');
    expect(fake.notices.map((n) => n.text)).toContain('the wait for the PLANNER is over (cut short by poli resume)');
    expect(panes.PLANNER.submitted).toHaveLength(2);
  });

  it('fails the task when nobody logs in within --limit-wait', async () => {
    const fake = await startedDialogue({ limitPolicy: { limitWaitMs: 10_000 } });
    const { dialogue, panes } = fake;
    panes.PLANNER.limitScreen = { kind: 'auth', line: 'Please run /login' };
    await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed());
    fake.advance(10_000);
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed())).toBe('restart');
    expect(fake.ends).toEqual([{ status: 'failed', reason: 'nobody logged in to the PLANNER within --limit-wait: Please run /login' }]);
  });

  it('switches a role at its usage limit to its fallback CLI and sends it the message again with the context', async () => {
    const fake = await startedDialogue({ switchCli: async () => ({ program: 'codex', context: 'CONTEXT' }) });
    const { dialogue, panes } = fake;
    panes.PLANNER.limitScreen = { kind: 'usage', line: 'limit' };
    expect(await watchLimits(dialogue, dialogue.turn!, 'idle', dialogue.elapsed())).toBe('restart');
    expect(fake.waits).toEqual([]);
    expect(panes.PLANNER.submitted).toHaveLength(2);
    expect(panes.PLANNER.submitted[1]).toContain('the task\n\nCONTEXT');
    expect(panes.PLANNER.submitted[1]).toContain('"id":"m1"');
  });

  it('endWait does nothing outside a wait', async () => {
    const fake = await startedDialogue();
    await endWait(fake.dialogue, 'why');
    expect(fake.waits).toEqual([]);
  });
});
