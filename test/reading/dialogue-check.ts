/**
 * Runs one whole dialogue through poli and real tmux with the mocks misbehaving as `env` asks, and checks what the
 * reading tests of issue 18 need: the task completed, and every block a mock sent (MOCK_SENT_FILE) is recorded with
 * exactly its body. The same check as messy-tuis.test.ts, shared by the newer reading tests.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { type FaultWorld, type TaskFile, createFaultWorld } from '../faults/fault-world.ts';

export interface Sent {
  role: 'PLANNER' | 'EXECUTER';
  header: { to: string; type: string; id: string };
  body: string;
}

export async function sentBlocks(file: string): Promise<Sent[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Sent);
}

/** The worlds started here, for the caller's afterEach to clean up. */
export const worlds: FaultWorld[] = [];

export async function cleanUpWorlds(): Promise<void> {
  for (const world of worlds.splice(0)) await world.cleanup();
}

/**
 * Runs one task (`--mock`, `--kill-on-exit`, `extra`) with `env` for the mocks; `during` runs while it goes. Expects
 * it completed and every non-status block a mock sent recorded with exactly its body.
 */
export async function runDialogue(
  env: Record<string, string>,
  extra: readonly string[] = [],
  during?: (world: FaultWorld) => Promise<void>,
): Promise<{ world: FaultWorld; sent: Sent[]; task: TaskFile }> {
  const world = await createFaultWorld();
  worlds.push(world);
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
  return { world, sent, task };
}
