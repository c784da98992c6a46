/**
 * The reading engine against stand-in CLIs that draw like real, messy TUIs (issue "Reading that never loses a
 * reply"): each case runs a whole dialogue through poli and real tmux with the mocks misbehaving on demand, and checks
 * that it completes and that every body poli recorded is byte-exact what the mock sent (MOCK_SENT_FILE).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, eventsWith, sleep, waitForReceivedBlock } from '../faults/fault-world.ts';

interface Sent {
  role: 'PLANNER' | 'EXECUTER';
  header: { to: string; type: string; id: string };
  body: string;
}

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

async function sentBlocks(file: string): Promise<Sent[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Sent);
}

/**
 * Runs one task with `env` for the mocks; expects it completed, and every block a mock sent recorded with exactly
 * its body (the bodies of the mocks' replies, as written, against the state file).
 */
async function runDialogue(
  env: Record<string, string>,
  extra: readonly string[] = [],
  during?: (world: FaultWorld) => Promise<void>,
): Promise<{ world: FaultWorld; sent: Sent[] }> {
  world = await createFaultWorld();
  const sentFile = path.join(world.root, 'sent.jsonl');
  const run = world.start(['--mock', '--task', 'Create m.txt containing M', '--kill-on-exit', ...extra], { MOCK_SENT_FILE: sentFile, ...env });
  await during?.(world);
  const code = await run.exited;
  const task = await world.task('T1');
  expect(task.status, `${task.error ?? ''}\n${run.stderr()}`).toBe('completed');
  expect(code).toBe(0);
  const sent = await sentBlocks(sentFile);
  const replies = sent.filter((s) => s.header.type !== 'status');
  expect(replies.length).toBeGreaterThan(0);
  for (const reply of replies) {
    const recorded = task.messages.find((m) => m.id === reply.header.id && m.from === reply.role && m.type === reply.header.type);
    expect(recorded, `${reply.role} ${reply.header.type} ${reply.header.id} was not recorded`).toBeDefined();
    expect(recorded?.body).toBe(reply.body);
  }
  return { world, sent };
}

describe('replies from TUIs that draw anywhere', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a TUI that repaints its whole normal screen by cursor addressing (content top-aligned, input box at the bottom)', async () => {
    await runDialogue({ MOCK_DRAW: 'repaint' });
  });

  it('the same on the alternate screen', async () => {
    await runDialogue({ MOCK_DRAW: 'alt' });
  });

  it('a reply of 60 lines on a 50-row alternate screen (it never shows whole): asked for in a reply file, recorded exact', async () => {
    const { world: w, sent } = await runDialogue({ MOCK_DRAW: 'alt', MOCK_EXECUTER_REPLY_LINES: '60', MOCK_ROUNDS: '1' });
    expect(sent.find((s) => s.header.type === 'result')?.body.split('\n')).toHaveLength(60);
    // Which part poli saw depends on when it looked (the mock draws the 60 lines in one go; on a loaded machine poli
    // may first look once they are all drawn): either way it asks once for the file.
    expect(eventsWith(await w.log(), /its (start|end) showed on the screen but never its (end|start)/).length).toBe(1);
  });

  it('an animated full-screen TUI (one row changes every 100 ms): priming and every send go through', async () => {
    await runDialogue({ MOCK_DRAW: 'alt', MOCK_ANIMATE_MS: '100' });
  });

  it('a TUI that clears the screen and its scrollback right before each reply', async () => {
    await runDialogue({ MOCK_CLEAR_BEFORE_REPLY: '1' });
  });

  it('a TUI with a bottom area taller than 8 rows that prints new output from its top', async () => {
    await runDialogue({ MOCK_BOTTOM_ROWS: '16' });
  });

  it('a reply body quoting a close tag inside a ``` fence is recorded whole', async () => {
    await runDialogue({ MOCK_QUOTE_CLOSE_IN_FENCE: '1' });
  });

  it.each(['same', 'other'])('a reply body quoting a whole example block (%s id) is recorded whole', async (kind) => {
    await runDialogue({ MOCK_QUOTE_EXAMPLE: kind });
  });

  it('a reply of 20,000 lines is taken whole', async () => {
    const { sent } = await runDialogue({ MOCK_EXECUTER_REPLY_LINES: '20000', MOCK_ROUNDS: '1' });
    expect(sent.find((s) => s.header.type === 'result')?.body.split('\n')).toHaveLength(20_000);
  });

  it('a reply of 5,100 lines is taken whole', async () => {
    await runDialogue({ MOCK_EXECUTER_REPLY_LINES: '5100', MOCK_ROUNDS: '1' });
  });

  it('reply files written in two pieces 1.5 s apart are taken whole, once complete', async () => {
    await runDialogue({ MOCK_REPLY_FILE_PIECES: '1', MOCK_ROUNDS: '1' });
  });

  it('a window resized to 80×24 while a reply streams: the reply is not taken as drawn, but asked for again and recorded exact', async () => {
    const { world: w } = await runDialogue(
      { MOCK_EXECUTER_PRINT_RATE: '50', MOCK_EXECUTER_PRINT_SECONDS: '3', MOCK_ROUNDS: '1' },
      [],
      async (w) => {
        await waitForReceivedBlock(w, 'EXECUTER');
        await sleep(800);
        w.tmux(['resize-window', '-t', 'poli', '-x', '80', '-y', '24']);
        await sleep(800);
        w.tmux(['resize-window', '-t', 'poli', '-x', '501', '-y', '50']);
      },
    );
    expect(eventsWith(await w.log(), /was resized \(.*\) while the reply was on its way/).length).toBeGreaterThanOrEqual(1);
  });

  it('a CLI that restarts itself and clears, then answers the reminder with a valid block, completes', async () => {
    await runDialogue({ MOCK_EXECUTER_RESTART_AT: '1', MOCK_ROUNDS: '1' }, ['--exec-timeout', '9']);
  });
});

describe('submission to TUIs with odd input handling', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  /**
   * Each message submitted exactly once, the primers included (each CLI's turn on its primer really ran): the mocks
   * record every submission they received.
   */
  async function expectEachSubmittedOnce(): Promise<void> {
    const received = (await world?.received()) ?? [];
    const texts = received.map((r) => `${r.role}:${r.text}`);
    const twice = texts.filter((text, i) => texts.indexOf(text) !== i).map((text) => text.slice(0, 300));
    expect(twice, 'submitted more than once').toEqual([]);
    for (const role of ['PLANNER', 'EXECUTER'] as const) {
      expect(received.filter((r) => r.role === role && r.text.startsWith(`You are the ${role}`))).toHaveLength(1);
    }
  }

  it('a CLI that submits on paste gets every message exactly once', async () => {
    await runDialogue({ MOCK_SUBMIT_ON_PASTE: '1' });
    await expectEachSubmittedOnce();
  });

  it('a CLI that needs two Enters gets every message exactly once', async () => {
    await runDialogue({ MOCK_ENTERS: '2' });
    await expectEachSubmittedOnce();
  });

  it('a CLI that needs two Enters, driven with the generic profile (it cannot read the input box)', async () => {
    await runDialogue({ MOCK_ENTERS: '2' }, ['--planner-profile', 'generic', '--executer-profile', 'generic']);
    await expectEachSubmittedOnce();
  });

  it('a CLI whose echo arrives one character per 5 ms gets every message exactly once', async () => {
    await runDialogue({ MOCK_ECHO_CHAR_MS: '5', MOCK_ROUNDS: '1' });
    await expectEachSubmittedOnce();
  });

  it('a CLI that swallows the first Enter after a paste gets every message exactly once', async () => {
    await runDialogue({ MOCK_SWALLOW_FIRST_ENTER: '1' });
    await expectEachSubmittedOnce();
  });
});
