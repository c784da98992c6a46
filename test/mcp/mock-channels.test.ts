/**
 * The structured channel with the mock CLIs and real tmux: each mock hands its replies to poli through the poli_reply
 * tool of `poli mcp` (MOCK_REPLY_VIA=tool: an MCP client over stdio, as a real CLI is) or the `poli reply` command
 * (MOCK_REPLY_VIA=command), instead of printing them. Every reply must be recorded once, with exactly the body the mock
 * sent and the channel it came through.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld } from '../faults/fault-world.ts';

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

async function runWith(env: Record<string, string>): Promise<{ sent: Sent[]; messages: { from: string; type: string; id: string; body: string; channel?: string }[] }> {
  world = await createFaultWorld();
  const sentFile = path.join(world.root, 'sent.jsonl');
  const run = world.start(['--mock', '--task', 'Create m.txt containing M', '--kill-on-exit'], { MOCK_SENT_FILE: sentFile, ...env });
  const code = await run.exited;
  const task = await world.task('T1');
  expect(task.status, `${task.error ?? ''}\n${run.stderr()}`).toBe('completed');
  expect(code).toBe(0);
  const sent = (await readFile(sentFile, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Sent);
  const messages = task.messages as { from: string; type: string; id: string; body: string; channel?: string }[];
  const fromClis = messages.filter((m) => m.from === 'PLANNER' || m.from === 'EXECUTER');
  // Each block sent recorded once, byte for byte, and nothing else from the CLIs.
  expect(fromClis.map((m) => [m.from, m.type, m.id, m.body])).toEqual(sent.map((s) => [s.role, s.header.type, s.header.id, s.body]));
  return { sent, messages: fromClis };
}

describe('replies through poli mcp and poli reply (mock CLIs)', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('both mocks reply through the poli_reply tool: recorded exact, channel tool', async () => {
    const { messages } = await runWith({ MOCK_REPLY_VIA: 'tool', MOCK_ROUNDS: '2' });
    expect(new Set(messages.map((m) => m.channel))).toEqual(new Set(['tool']));
    expect(messages.some((m) => m.type === 'status')).toBe(true);
  });

  it('both mocks reply through the poli reply command: recorded exact, channel command', async () => {
    const { messages } = await runWith({ MOCK_REPLY_VIA: 'command', MOCK_ROUNDS: '1' });
    expect(new Set(messages.map((m) => m.channel))).toEqual(new Set(['command']));
  });

  it('bodies with edge blank lines, trailing blanks, tabs, no-break spaces, a CRLF and a control byte arrive byte-exact through the poli_reply tool', async () => {
    const { messages } = await runWith({ MOCK_REPLY_VIA: 'tool', MOCK_ROUNDS: '1', MOCK_EDGE_BODIES: '1' });
    expect(new Set(messages.map((m) => m.channel))).toEqual(new Set(['tool']));
    expect(messages.find((m) => m.type === 'result')?.body).toMatch(/^\n {3}\n.* {2}\na Markdown hard break {2}\n.*\t\n.*\u00a0\na CRLF line\r\na bell \u0007 in it\n\n$/s);
  });

  it('the same bodies arrive byte-exact through poli reply (stdin)', async () => {
    const { messages } = await runWith({ MOCK_REPLY_VIA: 'command', MOCK_ROUNDS: '1', MOCK_EDGE_BODIES: '1' });
    expect(new Set(messages.map((m) => m.channel))).toEqual(new Set(['command']));
    expect(messages.find((m) => m.type === 'plan')?.body).toMatch(/^\n {3}\n.*\u00a0\na CRLF line\r\na bell \u0007 in it\n\n$/s);
  });

  it('the planner prints its blocks, the executer sends a 20,000-line result through the command: each channel recorded', async () => {
    const { messages, sent } = await runWith({ MOCK_EXECUTER_REPLY_VIA: 'command', MOCK_EXECUTER_REPLY_LINES: '20000', MOCK_ROUNDS: '1' });
    expect(messages.filter((m) => m.from === 'PLANNER').map((m) => m.channel)).toEqual(['screen', 'screen']);
    expect(new Set(messages.filter((m) => m.from === 'EXECUTER').map((m) => m.channel))).toEqual(new Set(['command']));
    expect(sent.find((s) => s.header.type === 'result')?.body.split('\n')).toHaveLength(20_000);
  });
});

describe('a reply for a turn already closed (interactive mode)', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a late poli reply after the task timed out is refused as closed (exit 3), not told "delivered"', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--kill-on-exit', '--exec-timeout', '3'], { MOCK_ROUNDS: '1', MOCK_EXECUTER_SILENT_AT: '1' });
    await run.waitFor('poli> ');
    run.child.stdin?.write('Create w.txt containing W\n');
    await run.waitFor(/task T1 ended timeout/, 60_000);
    // The id poli typed into the EXECUTER (a forwarded plan gets its own id): its delivery receipt.
    const task = (await world.task('T1')) as unknown as { deliveries: { id: string; to: string; type: string }[] };
    const plan = task.deliveries.find((d) => d.to === 'EXECUTER');
    expect(plan?.type).toBe('plan');
    // The executer CLI's own environment, as poli gave it to its pane (role, socket, and what else binds it).
    const pane = await world.paneOf('EXECUTER');
    const pid = world.tmux(['display-message', '-p', '-t', pane, '#{pane_pid}']).trim();
    const env = Object.fromEntries(
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter((entry) => entry.includes('='))
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
    const late = spawnSync(process.execPath, [env.POLI_BIN ?? '', 'reply', '--id', plan?.id ?? '', '--to', 'PLANNER', '--type', 'result'], {
      env,
      input: 'done, late',
      encoding: 'utf8',
    });
    expect(late.stderr).toMatch(new RegExp(`^poli reply: message ${plan?.id} is closed: poli no longer waits for a reply to it .*not recorded`));
    expect(late.status).toBe(3);
    run.child.stdin?.end(':quit\n');
    await run.exited;
    expect((await world.task('T1')).messages.filter((m) => m.from === 'EXECUTER')).toEqual([]);
  });
});
