/**
 * Issue 18, reading: replies poli cannot see whole or final on the screen (a block taller than an alternate screen
 * drawn at once, a reply file shown folded, a draft redrawn, a pause mid-reply). Whole dialogues through poli and
 * real tmux; every body poli recorded is byte-exact what the mock sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_TEST_TIMEOUT_MS, eventsWith, sleep, waitForReceivedBlock } from '../faults/fault-world.ts';
import { startTerminal } from '../helpers/tty.ts';
import { cleanUpWorlds, runDialogue } from './dialogue-check.ts';

afterEach(cleanUpWorlds);

describe('replies poli cannot see whole on the screen', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a 60-line reply drawn at once on a 50-row alternate screen, its open tag never shown: asked for in a reply file at once, recorded exact', async () => {
    const { world, sent } = await runDialogue(
      { MOCK_DRAW: 'alt', MOCK_EXECUTER_REPLY_LINES: '60', MOCK_ROUNDS: '1', MOCK_NO_STATUS: '1' },
      ['--exec-timeout', '40'],
    );
    expect(sent.find((s) => s.header.type === 'result')?.body.split('\n')).toHaveLength(60);
    expect(eventsWith(await world.log(), /its end showed on the screen but never its start/).length).toBe(1);
  });

  it('a reply file shown with cat and folded like Codex (two head lines, "… +12 lines", two tail lines): the file wins over the fold', async () => {
    const { task } = await runDialogue({ MOCK_EXECUTER_CAT_FOLD: '1', MOCK_EXECUTER_REPLY_LINES: '14', MOCK_ROUNDS: '1' });
    const result = task.messages.find((m) => m.type === 'result');
    expect(result?.body.split('\n')).toHaveLength(14);
    expect((result as { channel?: string } | undefined)?.channel).toBe('file');
  });
});

describe('replies poli must not take before they are final', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a complete block drawn as a draft, erased 1.5 s later and drawn corrected in its place: the corrected one is recorded', async () => {
    await runDialogue({ MOCK_DRAFT_MS: '1500', MOCK_ROUNDS: '1' });
  });

  it('a CLI that looks idle for 4 s mid-reply, right after quoting a whole example block with the same id: the whole reply is recorded', async () => {
    await runDialogue({ MOCK_QUOTE_EXAMPLE: 'same', MOCK_IDLE_AFTER_EXAMPLE_MS: '4000', MOCK_ROUNDS: '1' });
  });
});

describe('a person attaches while a reply streams', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a 120-line reply streamed at 25 ms a line while a person attaches at 80×24 and detaches: recorded exact', async () => {
    await runDialogue(
      { MOCK_EXECUTER_REPLY_LINES: '120', MOCK_EXECUTER_STREAM_MS: '25', MOCK_ROUNDS: '1' },
      ['--exec-timeout', '40'],
      async (world) => {
        await waitForReceivedBlock(world, 'EXECUTER');
        await sleep(800);
        // A real client, in a real terminal of 80×24, attaches to poli's server and detaches again.
        const terminal = await startTerminal({ shell: `tmux -L ${world.socket} attach -t poli`, cols: 80, rows: 24 });
        try {
          // The client shows poli's window (its top-left 80×24: poli keeps the window at 250×50, window-size manual).
          await terminal.step('attached', (screen) => screen.split('\n').length > 5, { timeoutMs: 10_000 });
          await sleep(1_000);
          await terminal.press('C-b', 'd');
          await terminal.exited(10_000);
        } finally {
          await terminal.cleanup();
        }
      },
    );
  });

  it('the same reply while a person attaches with `attach -d`, which detaches every other client (poli\'s control client too): recorded exact', async () => {
    // Found from outside: `tmux attach -d` (a common habit, `tmux a -d`) sends %exit to poli's control-mode client. poli
    // went on polling, but read the reply from its terminal model, which no output reached any more: the reply was
    // never complete there and the task timed out.
    await runDialogue(
      { MOCK_EXECUTER_REPLY_LINES: '120', MOCK_EXECUTER_STREAM_MS: '25', MOCK_ROUNDS: '1' },
      ['--exec-timeout', '40'],
      async (world) => {
        await waitForReceivedBlock(world, 'EXECUTER');
        await sleep(800);
        const terminal = await startTerminal({ shell: `tmux -L ${world.socket} attach -d -t poli`, cols: 80, rows: 24 });
        try {
          await terminal.step('attached', (screen) => screen.split('\n').length > 5, { timeoutMs: 10_000 });
          await sleep(1_000);
          await terminal.press('C-b', 'd');
          await terminal.exited(10_000);
        } finally {
          await terminal.cleanup();
        }
      },
    );
  });
});
