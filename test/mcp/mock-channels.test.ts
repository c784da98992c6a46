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
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, waitForReceivedBlock } from '../faults/fault-world.ts';
import { runtimeDir } from '../../src/host.ts';
import { intakeSocketPath } from '../../src/mcp/wire.ts';
import { REPO_ROOT } from '../helpers/poli-process.ts';

const POLI_BIN = path.join(REPO_ROOT, 'bin', 'poli.js');

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

/** A CLI's own environment, as poli gave it to its pane (role, socket, pane token), read from its process. */
async function paneEnv(world: FaultWorld, role: 'PLANNER' | 'EXECUTER'): Promise<Record<string, string>> {
  const pane = await world.paneOf(role);
  const pid = world.tmux(['display-message', '-p', '-t', pane, '#{pane_pid}']).trim();
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((entry) => entry.includes('='))
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

function poliReply(env: Record<string, string>, id: string, body: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [POLI_BIN, 'reply', '--id', id, '--to', 'PLANNER', '--type', 'result'], { env, input: body, encoding: 'utf8' });
}

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
    const env = await paneEnv(world, 'EXECUTER');
    const late = poliReply(env, plan?.id ?? '', 'done, late');
    expect(late.stderr).toMatch(new RegExp(`^poli reply: message ${plan?.id} is closed: poli no longer waits for a reply to it .*not recorded`));
    expect(late.status).toBe(3);
    run.child.stdin?.end(':quit\n');
    await run.exited;
    expect((await world.task('T1')).messages.filter((m) => m.from === 'EXECUTER')).toEqual([]);
  });
});

describe('who may reply for the EXECUTER', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a process that only sets POLI_ROLE=EXECUTER, or the PLANNER CLI claiming it, is refused (exit 5); the EXECUTER CLI itself is taken', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create w.txt containing W', '--kill-on-exit', '--exec-timeout', '120'], { MOCK_ROUNDS: '1', MOCK_EXECUTER_SILENT_AT: '1' });
    await run.waitFor(/plan sent to EXECUTER/, 60_000);
    const task = (await world.task('T1')) as unknown as { deliveries: { id: string; to: string; type: string }[] };
    const id = task.deliveries.find((d) => d.to === 'EXECUTER')?.id ?? '';
    const socketPath = intakeSocketPath(runtimeDir(process.env, process.getuid?.() ?? 0), world.socket);
    const forged = poliReply({ ...(process.env as Record<string, string>), POLI_ROLE: 'EXECUTER', POLI_SOCKET_PATH: socketPath }, id, 'forged result');
    expect(forged.stderr).toMatch(/^poli reply: no pane token \(POLI_PANE_TOKEN\): only the CLI poli started in the EXECUTER's pane can reply for the EXECUTER/);
    expect(forged.status).toBe(5);
    const planner = await paneEnv(world, 'PLANNER');
    const posing = poliReply({ ...planner, POLI_ROLE: 'EXECUTER' }, id, 'the planner posing as the executer');
    expect(posing.stderr).toMatch(/^poli reply: the pane token is not the EXECUTER's: a CLI replies only for its own pane/);
    expect(posing.status).toBe(5);
    const own = poliReply(await paneEnv(world, 'EXECUTER'), id, 'the real result');
    expect(own.stdout).toMatch(/^delivered/);
    expect(own.status).toBe(0);
    expect(await run.exited).toBe(0);
    const done = await world.task('T1');
    expect(done.messages.filter((m) => m.from === 'EXECUTER').map((m) => [m.type, m.body])).toEqual([['result', 'the real result']]);
  });
});

describe('"delivered" survives kill -9', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a result poli reply was told "delivered" for, before poli recorded it in the task, is taken on --resume and not asked for again', async () => {
    world = await createFaultWorld();
    // --approve all holds the dialogue between reading the reply and recording it (the person is asked): poli is
    // killed exactly in that window. No --kill-on-exit: the session and its CLIs outlive the first poli.
    const first = world.start(['--mock', '--approve', 'all', '--task', 'Create d.txt containing D'], { MOCK_EXECUTER_SILENT_AT: '1' });
    await first.waitFor('Approve, edit or reject? [a/e/r] ', 60_000);
    first.child.stdin?.write('a\n');
    await waitForReceivedBlock(world, 'EXECUTER');
    const id = ((await world.task('T1')) as unknown as { deliveries: { id: string; to: string }[] }).deliveries.find((d) => d.to === 'EXECUTER')?.id ?? '';
    const body = 'the result, delivered just before the kill  \n';
    const delivered = poliReply(await paneEnv(world, 'EXECUTER'), id, body);
    expect(delivered.stdout).toMatch(/^delivered/);
    await first.waitFor(/Approve, edit or reject\? \[a\/e\/r\] [\s\S]*Approve, edit or reject\? \[a\/e\/r\] /, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await world.task('T1')).messages.filter((m) => m.from === 'EXECUTER')).toEqual([]);

    const second = world.start(['--mock', '--resume', 'T1', '--kill-on-exit'], { MOCK_EXECUTER_SILENT_AT: '1' });
    expect(await second.exited, second.stderr()).toBe(0);
    const task = await world.task('T1');
    expect(task.status).toBe('completed');
    expect(task.messages.filter((m) => m.from === 'EXECUTER').map((m) => [m.type, m.id, m.body])).toEqual([['result', id, body]]);
    // The plan reached the executer once: the work was not typed into it again.
    expect((await world.received('EXECUTER')).filter((r) => r.blocks.some((b) => b.header.id === id))).toHaveLength(1);
  });
});
