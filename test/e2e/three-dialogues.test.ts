/**
 * Many dialogues in one process (issue 19 item 3): one tmux server, one control-mode client and one terminal model per
 * pane serve three dialogues at once, each between its own pair of mock CLIs in its own project directory, run with
 * poli's own modules (PoliSession, runTask) in this test process. Each task must complete, every block a mock sent
 * must be recorded with exactly its body by its own dialogue, and nothing of one dialogue may reach another.
 *
 * Each pair lives in its own tmux session (`SessionOptions.session`). tmux sends a control-mode client the output of
 * the panes of the session it is attached to only (tmux-facts.md), so the pairs' windows are linked into a hub session
 * (`TmuxServer.linkWindow`), the one the shared client attaches to: then one client hears all six panes. Unlinked, the
 * dialogues still complete, read by the cross-check's capture, but the other pairs' terminal models get no output.
 * The second case puts all three pairs in one project with every message handed over in a file
 * (`.poli/messages/<id>.md`): the files' names carry the ids, so the dialogues' files sit side by side.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPrimer, realClock } from '../../src/host.ts';
import { runTask, type TaskRecorder } from '../../src/dialogue/run-task.ts';
import type { EndStatus } from '../../src/dialogue/machine.ts';
import { selectProfile } from '../../src/profiles/select.ts';
import { messageFile } from '../../src/reading/handoff.ts';
import type { Role } from '../../src/protocol/types.ts';
import type { CliSpec } from '../../src/session/cli-spec.ts';
import { PoliSession } from '../../src/session/session.ts';
import { StateStore } from '../../src/state/store.ts';
import { createTmuxClient, type TmuxClient } from '../../src/tmux/client.ts';
import { createTmuxRunner, DEFAULT_TMUX_CONFIG } from '../../src/tmux/runner.ts';
import { type Sent, sentBlocks } from '../reading/dialogue-check.ts';
import { createSandbox, REPO_ROOT, type Sandbox, TSX_BIN } from '../helpers/tmux-sandbox.ts';

/** One dialogue's world: its tmux session, project, mocks' sent file, and its task in the shared state store. */
interface Pair {
  name: string;
  task: string;
  file: string;
  projectDir: string;
  sentFile: string;
  session?: PoliSession;
  taskId?: string;
  finished?: { status: EndStatus; reason: string };
}

const PAIRS = [
  { name: 'pair-a', task: 'Create alpha.txt containing ALPHA-1', file: 'alpha.txt' },
  { name: 'pair-b', task: 'Create bravo.txt containing BRAVO-2', file: 'bravo.txt' },
  { name: 'pair-c', task: 'Create charlie.txt containing CHARLIE-3', file: 'charlie.txt' },
];

let sandbox: Sandbox | undefined;
let client: TmuxClient | undefined;
let root: string | undefined;
const sessions: PoliSession[] = [];

afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close().catch(() => undefined);
  await client?.close();
  await sandbox?.cleanup();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
  sandbox = undefined;
  client = undefined;
  root = undefined;
});

async function cliSpec(role: Role, sentFile: string, shape: Shape): Promise<CliSpec> {
  const file = role === 'PLANNER' ? 'mock-planner.ts' : 'mock-executer.ts';
  const command = [TSX_BIN, path.join(REPO_ROOT, 'mocks', file), '--think-ms', '0', '--rounds', '2', '--sent-file', sentFile].join(' ');
  const profile = selectProfile(command, 'mock');
  const primer = await readPrimer(role === 'PLANNER' ? 'planner' : 'executer');
  // In one project, every message goes through `.poli/messages/<id>.md` (handoff.ts): three dialogues' files side by side.
  return { command, env: { ...profile.launch.env }, profile, primer, ...(shape.sharedProject ? { fileThreshold: 1 } : {}) };
}

/** Records into the pair's own task of the store all three dialogues share, as the session layer does. */
function recorderFor(pair: Pair, store: StateStore, taskId: string): TaskRecorder {
  const at = (): string => new Date().toISOString();
  return {
    record: async (message) => {
      await store.appendMessage(taskId, { ...message, at: at() });
    },
    delivery: async (report) => {
      await store.recordDelivery(taskId, { ...report, at: at() });
    },
    setRounds: async (rounds) => {
      await store.update(taskId, { rounds });
    },
    finish: async (status, reason) => {
      pair.finished = { status, reason };
      await store.update(taskId, { status, endedAt: at() });
    },
  };
}

/** The ids of blocks the mocks of one pair sent. */
const idsOf = (sent: readonly Sent[]): Set<string> => new Set(sent.map((s) => s.header.id));

/** How the three pairs are laid out: a project each, or one project and every message handed over in a file. */
interface Shape {
  sharedProject: boolean;
}

describe('three dialogues in one process', () => {
  it('share one tmux server and one control-mode client, each body exact, no cross-talk', () => runThree({ sharedProject: false }), 240_000);

  it('share one project too, every message in a file of its own id, with no cross-talk', () => runThree({ sharedProject: true }), 240_000);
});

async function runThree(shape: Shape): Promise<void> {
  sandbox = createSandbox();
  root = await mkdtemp(path.join(tmpdir(), 'poli-three-'));
  const warnings: string[] = [];
  client = createTmuxClient({ socket: sandbox.socket, configFile: DEFAULT_TMUX_CONFIG, clock: realClock, warn: (m) => warnings.push(m) });
  const shared = client;
  const pairs: Pair[] = [];
  for (const spec of PAIRS) {
    const projectDir = path.join(root, shape.sharedProject ? 'project' : spec.name);
    await mkdir(projectDir, { recursive: true });
    pairs.push({ ...spec, projectDir, sentFile: path.join(root, `${spec.name}.sent.jsonl`) });
  }

  // The shared client attaches to a hub session holding no pair, first: it attaches once, to the first session it
  // is asked for (or the session of the first pane waited on, as priming does), and stays there.
  const hub = 'hub';
  const created = await shared.run(['new-session', '-d', '-s', hub, '-x', '80', '-y', '24', 'sleep 600']);
  expect(created.exitCode, created.stderr).toBe(0);
  expect(await shared.attach(hub)).toBe(true);
  expect(shared.mode).toBe('control');

  // One after the other, each in its own session, its window then linked into the hub so the client hears it.
  for (const pair of pairs) {
    pair.session = await PoliSession.open({
      run: shared.run,
      client: shared,
      waitForChange: (paneIds, ms) => shared.waitForChange(paneIds, ms),
      socket: sandbox.socket,
      session: pair.name,
      clock: realClock,
      projectDir: pair.projectDir,
      clis: { PLANNER: await cliSpec('PLANNER', pair.sentFile, shape), EXECUTER: await cliSpec('EXECUTER', pair.sentFile, shape) },
      readyTimeoutMs: 60_000,
      pollMs: 50,
    });
    sessions.push(pair.session);
    await pair.session.server.linkWindow(pair.name, hub);
  }
  const paneIds = pairs.flatMap((pair) => Object.values(pair.session?.paneIds ?? {}));
  expect(new Set(paneIds).size).toBe(6);

  // Which panes the one client heard output from while the dialogues ran.
  const heard = new Map<string, number>();
  shared.onOutput((paneId) => heard.set(paneId, (heard.get(paneId) ?? 0) + 1));
  let stops = 0;
  shared.onStop?.(() => (stops += 1));

  // One state store for all three: the tasks are created at once and must still get numbers of their own.
  const store = new StateStore({ dir: path.join(root, 'state'), clock: realClock, pid: process.pid, isPidAlive: () => true });
  const createdTasks = await Promise.all(pairs.map((pair) => store.createTask(pair.task, { socket: sandbox?.socket ?? '', projectDir: pair.projectDir })));
  expect(new Set(createdTasks.map((task) => task.id)).size).toBe(3);
  const outcomes = await Promise.all(
    pairs.map((pair, index) => {
      const taskId = createdTasks[index]?.id ?? missing(`${pair.name}'s task`);
      pair.taskId = taskId;
      return runTask({
        channels: pair.session?.channels ?? missing(`${pair.name}'s session`),
        recorder: recorderFor(pair, store, taskId),
        clock: realClock,
        limits: { maxRounds: 8, planTimeoutSec: 120, execTimeoutSec: 120 },
        taskNumber: Number(taskId.slice(1)),
        start: { task: pair.task },
        newId: (r) => `${taskId}-R${r}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`,
        pollMs: 50,
      });
    }),
  );
  const records = await Promise.all(pairs.map((pair) => store.get(pair.taskId ?? '')));

  // One control-mode client served all six panes, all along.
  expect(shared.mode).toBe('control');
  expect(stops).toBe(0);
  expect(warnings).toEqual([]);
  expect(await controlClients(sandbox)).toBe(1);
  for (const paneId of paneIds) expect(heard.get(paneId) ?? 0, `no output of pane ${paneId} reached the client`).toBeGreaterThan(0);

  const sentByPair = await Promise.all(pairs.map((pair) => sentBlocks(pair.sentFile)));
  for (const [index, pair] of pairs.entries()) {
    const outcome = outcomes[index];
    const record = records[index] ?? missing(`${pair.name}'s task record`);
    const recorded = record.messages;
    expect(record.task).toBe(pair.task);
    expect(record.status).toBe('completed');
    expect(outcome?.status, `${pair.name}: ${outcome?.reason ?? ''}`).toBe('completed');
    expect(pair.finished?.status).toBe('completed');
    // The pair's executer did its own task, in its own project.
    expect((await readFile(path.join(pair.projectDir, pair.file), 'utf8')).trim()).toContain(pair.task.split(' ').at(-1));
    if (!shape.sharedProject) {
      for (const other of pairs) if (other !== pair) await expect(readFile(path.join(other.projectDir, pair.file))).rejects.toThrow();
    } else {
      // The messages poli typed went through files, this dialogue's beside the others' in the one project.
      expect(record.deliveries?.length ?? 0).toBeGreaterThan(0);
      for (const delivery of record.deliveries ?? []) {
        const text = await readFile(path.join(pair.projectDir, messageFile(delivery.id)), 'utf8');
        expect(text).toContain(`"id":"${delivery.id}"`);
        expect(text).toContain(delivery.body);
      }
    }

    const sent = (sentByPair[index] ?? []).filter((s) => s.header.type !== 'status');
    expect(sent.length).toBeGreaterThan(0);
    for (const block of sent) {
      const found = recorded.find((m) => m.id === block.header.id && m.from === block.role && m.type === block.header.type);
      expect(found, `${pair.name}: ${block.role} ${block.header.type} ${block.header.id} was not recorded`).toBeDefined();
      expect(found?.body).toBe(block.body);
    }
    // Every id this dialogue recorded is its own (its task number), and none of another pair's mocks sent it.
    const others = pairs.filter((p) => p !== pair).flatMap((p) => [...idsOf(sentByPair[pairs.indexOf(p)] ?? [])]);
    for (const message of recorded) {
      expect(message.id.startsWith(`${record.id}-`), `${pair.name} recorded ${message.id}`).toBe(true);
      expect(others).not.toContain(message.id);
    }
    // No body of another dialogue was recorded here, and no id of another dialogue reached this pair's panes.
    const otherBodies = records.filter((r) => r !== record).flatMap((r) => r?.messages.map((m) => m.body) ?? []);
    // (A short body, a status such as "working", may be the same in two dialogues by itself.)
    for (const message of recorded) if (message.body.length > 40) expect(otherBodies).not.toContain(message.body);
    const screens = await paneTexts(sandbox, Object.values(pair.session?.paneIds ?? {}));
    for (const other of records) {
      if (other === record) continue;
      for (const message of other?.messages ?? []) expect(screens, `${other?.id}'s ${message.id} in ${pair.name}'s panes`).not.toContain(message.id);
    }
  }
}

function missing(what: string): never {
  throw new Error(`the test lost track of ${what}`);
}

/** The control-mode clients attached to the server (tmux lists them with `client_control_mode`). */
async function controlClients(box: Sandbox): Promise<number> {
  // A separate process: over the control client itself, it would list itself anyway.
  const run = createTmuxRunner({ socket: box.socket });
  const listed = await run(['list-clients', '-F', '#{client_control_mode}']);
  return listed.stdout.split('\n').filter((line) => line.trim() === '1').length;
}

/** Each pane's screen and whole history, joined. */
async function paneTexts(box: Sandbox, panes: readonly string[]): Promise<string> {
  const texts = await Promise.all(panes.map((pane) => box.run(['capture-pane', '-p', '-J', '-S', '-', '-t', pane]).then((r) => r.stdout)));
  return texts.join('\n');
}
