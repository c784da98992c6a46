import { describe, expect, it } from 'vitest';
import { ATTACHED, createFakeProcess, reply } from '../../test/helpers/fake-control-process.ts';
import { createTmuxClient } from './client.ts';
import { ControlClientClosedError } from './control-client.ts';
import type { TmuxRunner } from './types.ts';

const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

/** A client attached over a fake control process whose answers `answer` decides; process runs are recorded. */
async function attachedClient(answer: (line: string, n: number) => string) {
  const process = createFakeProcess(answer);
  const processRuns: string[][] = [];
  const processRun: TmuxRunner = async (args) => {
    processRuns.push([...args]);
    return { stdout: `by process: ${args[0]}\n`, stderr: '', exitCode: 0 };
  };
  const warnings: string[] = [];
  const client = createTmuxClient({ socket: 'poli-test-x', clock, processRun, spawnControl: () => process, warn: (m) => warnings.push(m) });
  const attaching = client.attach('poli');
  process.emit(ATTACHED);
  expect(await attaching).toBe(true);
  processRuns.length = 0;
  return { client, process, processRuns, warnings };
}

/** Answers the set-up commands; leaves every later command unanswered, as tmux does once it detached the client. */
const silentAfterSetUp = (line: string, n: number): string => (line.startsWith("'refresh-client'") ? reply(n, []) + reply(n, []) : '');

describe('createTmuxClient when only its control client stops (a person’s `tmux attach -d`)', () => {
  it('runs a read that was in flight again as its own tmux process', async () => {
    const { client, process, processRuns, warnings } = await attachedClient(silentAfterSetUp);
    const read = client.run(['list-panes', '-a', '-F', '#{pane_id}']);
    process.emit('%exit detached\n');
    process.end();
    await expect(read).resolves.toEqual({ stdout: 'by process: list-panes\n', stderr: '', exitCode: 0 });
    expect(processRuns).toEqual([['display-message', '-p', '#{pid}'], ['list-panes', '-a', '-F', '#{pane_id}']]);
    expect(client.mode).toBe('poll');
    expect(warnings).toEqual(['tmux control mode stopped: tmux said %exit (detached); polling the panes instead (every --poll-ms)']);
  });

  it('does not type twice: a send in flight still fails, for the sender’s own checks to decide', async () => {
    const { client, process, processRuns } = await attachedClient(silentAfterSetUp);
    const send = client.run(['send-keys', '-t', '%1', 'Enter']);
    process.emit('%exit detached\n');
    process.end();
    await expect(send).rejects.toBeInstanceOf(ControlClientClosedError);
    expect(processRuns).toEqual([['display-message', '-p', '#{pid}']]);
  });
});
