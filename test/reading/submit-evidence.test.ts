/**
 * What counts as "submitted" (src/tmux/submit-evidence.ts), through poli and real tmux with stand-in CLIs that take
 * input oddly (issue 18, items 1, 2, 5 and 9): each whole dialogue completes, every body poli recorded is byte-exact
 * what the mock sent, and each primer and message reached its CLI exactly once, on its own (no reminder needed to push
 * a message that sat in the input box).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld } from '../faults/fault-world.ts';

interface Sent {
  role: 'PLANNER' | 'EXECUTER';
  header: { to: string; type: string; id: string };
  body: string;
}

const GENERIC = ['--planner-profile', 'generic', '--executer-profile', 'generic'];

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

async function jsonLines<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/**
 * Runs one task with `env` for the mocks and expects: completed; every block a mock sent recorded with exactly its
 * body; each primer received once; each message received once, alone (one block per submission, never glued to a
 * reminder); no reminder sent (a message that sat unsubmitted in a box is what reminders push through).
 */
async function expectCleanDialogue(env: Record<string, string>, extra: readonly string[] = []): Promise<void> {
  world = await createFaultWorld();
  const w = world;
  const sentFile = path.join(w.root, 'sent.jsonl');
  const run = w.start(['--mock', '--task', 'Create m.txt containing M', '--kill-on-exit', ...extra], { MOCK_SENT_FILE: sentFile, ...env });
  const code = await run.exited;
  const task = await w.task('T1');
  expect(task.status, `${task.error ?? ''}\n${run.stderr()}`).toBe('completed');
  expect(code).toBe(0);

  const sent = (await jsonLines<Sent>(sentFile)).filter((s) => s.header.type !== 'status');
  expect(sent.length).toBeGreaterThan(0);
  for (const reply of sent) {
    const recorded = task.messages.find((m) => m.id === reply.header.id && m.from === reply.role && m.type === reply.header.type);
    expect(recorded, `${reply.role} ${reply.header.type} ${reply.header.id} was not recorded`).toBeDefined();
    expect(recorded?.body).toBe(reply.body);
  }

  const received = await w.received();
  for (const role of ['PLANNER', 'EXECUTER'] as const) {
    expect(received.filter((r) => r.role === role && r.text.startsWith(`You are the ${role}`)), `${role} primers`).toHaveLength(1);
  }
  const messages = received.filter((r) => r.text.startsWith('[[POLI:MSG'));
  const ids = messages.flatMap((r) => r.blocks.map((b) => b.header.id));
  expect(messages.map((r) => r.blocks.length), 'blocks per submission').toEqual(messages.map(() => 1));
  expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'messages received twice').toEqual([]);
  // Every message poli typed was received: its own to the PLANNER, and each one to the EXECUTER (whose replies carry
  // the id it was given).
  const typed = task.messages.filter((m) => m.from === 'ORCHESTRATOR' || m.from === 'EXECUTER').map((m) => m.id);
  expect(new Set(ids)).toEqual(new Set(typed));
  const events = await jsonLines<{ event: string }>(path.join(w.stateDir, 'events.jsonl'));
  expect(events.filter((e) => e.event === 'reminder'), 'reminders sent').toEqual([]);
}

describe('what counts as submitted', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  // A turn of 0 ms: poli never sees the CLI busy, only what the submission left on the screen.
  it('a CLI that submits on paste, Claude-like input box, turns too short to be seen busy: each primer and message once', async () => {
    await expectCleanDialogue({ MOCK_SUBMIT_ON_PASTE: '1', MOCK_THINK_MS: '0' });
  });

  it('a CLI that submits on paste, with a plain "> " prompt poli cannot read: each primer and message once', async () => {
    await expectCleanDialogue({ MOCK_SUBMIT_ON_PASTE: '1', MOCK_INPUT_BOX: 'plain' });
  });

  it('the same under the generic profile', async () => {
    await expectCleanDialogue({ MOCK_SUBMIT_ON_PASTE: '1', MOCK_INPUT_BOX: 'plain' }, GENERIC);
  });

  it('a CLI whose first Enter inserts a line break, under the generic profile: each primer and message once', async () => {
    await expectCleanDialogue({ MOCK_ENTER_NEWLINE_FIRST: '1' }, GENERIC);
  });

  // The blank half hides the short turn's spinner, and the clock row never lets the idle screen stay still: only the
  // answer after the primer's echo tells that the primer was answered.
  it('an animated alternate-screen TUI that blanks half its screen at each submission: priming finishes', async () => {
    await expectCleanDialogue({ MOCK_DRAW: 'alt', MOCK_REDRAW_HALF_ON_SUBMIT: '1', MOCK_ANIMATE_MS: '100' }, ['--plan-timeout', '25']);
  });

  // (Not animated: the generic profile cannot tell idle, and takes a screen as settled only when it stays still.)
  it('an alternate-screen TUI that blanks half its screen at each submission, under the generic profile', async () => {
    await expectCleanDialogue({ MOCK_DRAW: 'alt', MOCK_REDRAW_HALF_ON_SUBMIT: '1' }, GENERIC);
  });

  // Two rounds: the planner answers the executer's result while the executer's spinner still runs, so the next
  // message is typed into a busy CLI.
  it('a CLI still busy for 3 s after each reply gets Enter for a message typed meanwhile', async () => {
    await expectCleanDialogue({ MOCK_BUSY_AFTER_REPLY_MS: '3000', MOCK_ROUNDS: '2' });
  });

  it('the same under the generic profile', async () => {
    await expectCleanDialogue({ MOCK_BUSY_AFTER_REPLY_MS: '3000', MOCK_ROUNDS: '2' }, GENERIC);
  });
});
