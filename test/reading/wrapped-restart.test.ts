/**
 * Issue 18, item 6: a CLI that breaks long lines itself on its screen (opencode) exits mid-turn and is started again.
 * The exact body must then come from the new session's transcript or export; a body only its screen could give must
 * say so in the state (channel `screen`, `mayBeWrapped`), never pass for exact.
 *
 * The EXECUTER runs under poli's opencode profile, played by the mock executer drawn as opencode `--mini` draws
 * (`--input-box opencode`), breaking its replies at the pane width itself, behind a program that answers opencode's
 * `session list` and `export` from the mock's session database (`--session-db`, at opencode's place under
 * XDG_DATA_HOME). It crashes on the plan (exit 3, once), poli starts it again and types the plan again: the new process
 * writes a new session. Its result ends with a 600-character line, which the 250-column pane cannot show whole.
 */
import { realpathSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OPENCODE_TRANSCRIPT } from '../../src/profiles/opencode.ts';
import { FAULT_TEST_TIMEOUT_MS, createFaultWorld, eventsWith, type FaultWorld } from '../faults/fault-world.ts';
import { REPO_ROOT } from '../helpers/poli-process.ts';
import { type Sent, cleanUpWorlds, sentBlocks, worlds } from './dialogue-check.ts';

/** Longer than the 250-column pane: opencode's screen (and the mock's) breaks it. */
const LONG_LINE = 600;

const copies: string[] = [];
afterEach(async () => {
  await cleanUpWorlds();
  for (const dir of copies.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface RecordedMessage {
  from: string;
  to: string;
  type: string;
  id: string;
  body: string;
  channel?: string;
  mayBeWrapped?: boolean;
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A program named `opencode`: `session …` and `export …` answered from the session database (mocks/opencode-export.ts),
 * anything else (poli adds `--mini`) runs the mock executer with `mockArgs`.
 */
async function writeStandIn(world: FaultWorld, mockArgs: readonly string[]): Promise<string> {
  const node = [process.execPath, '--import', import.meta.resolve('tsx')].map(quote).join(' ');
  const mocks = path.join(REPO_ROOT, 'mocks');
  const bin = path.join(world.root, 'bin');
  await mkdir(bin, { recursive: true });
  const program = path.join(bin, 'opencode');
  await writeFile(
    program,
    [
      '#!/bin/sh',
      'case "$1" in',
      `  session|export) exec ${node} ${quote(path.join(mocks, 'opencode-export.ts'))} "$@" ;;`,
      'esac',
      `exec ${node} ${quote(path.join(mocks, 'mock-executer.ts'))} ${mockArgs.map(quote).join(' ')}`,
      '',
    ].join('\n'),
  );
  await chmod(program, 0o755);
  return program;
}

/**
 * Runs one task with the EXECUTER as the opencode stand-in (`sessions`: it keeps a session database) crashing once on
 * the plan; returns what the mocks sent and the task as `--state --json` shows it.
 */
async function runRestartedOpencode(sessions: boolean): Promise<{ world: FaultWorld; sent: Sent[]; messages: RecordedMessage[] }> {
  const world = await createFaultWorld();
  worlds.push(world);
  const data = path.join(world.root, 'data');
  const sentFile = path.join(world.root, 'sent.jsonl');
  const executer = await writeStandIn(world, [
    '--input-box', 'opencode', '--think-ms', '100', '--long-line', String(LONG_LINE),
    '--crash-at', '1', '--crash-limit', '1', '--crash-file', world.crashFile,
    '--sent-file', sentFile, '--record-file', world.recordFile,
    ...(sessions ? ['--session-db', path.join(data, 'opencode', 'opencode.db')] : []),
  ]);
  const planner = [process.execPath, '--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'mocks', 'mock-planner.ts')].map(quote).join(' ');
  // poli's copy of opencode's session is kept under the temporary directory, named after HOME and the project.
  const env = { ...process.env, XDG_DATA_HOME: data };
  copies.push(...OPENCODE_TRANSCRIPT.dirs(realpathSync(world.projectDir), env, new Date()));
  const run = world.start(
    ['--planner-cmd', planner, '--planner-profile', 'mock', '--executer-cmd', executer, '--executer-profile', 'opencode', '--task', 'Create m.txt containing M', '--kill-on-exit'],
    { XDG_DATA_HOME: data, MOCK_SENT_FILE: sentFile },
  );
  const code = await run.exited;
  const task = (await world.publicState()).tasks.find((t) => t.id === 'T1');
  expect(task?.status, run.stderr()).toBe('completed');
  expect(code).toBe(0);
  // The EXECUTER exited once mid-turn and was started again.
  expect((await world.crashes()).map((c) => [c.role, c.n])).toEqual([['EXECUTER', 1]]);
  expect(eventsWith(await world.log(), /the EXECUTER CLI .*restarting it/)).toHaveLength(1);
  return { world, sent: await sentBlocks(sentFile), messages: (task?.messages ?? []) as RecordedMessage[] };
}

/** The EXECUTER's replies as recorded, each beside the block the mock sent (its body exactly as it meant it). */
function executerReplies(sent: readonly Sent[], messages: readonly RecordedMessage[]): { sent: Sent; recorded: RecordedMessage | undefined }[] {
  return sent
    .filter((s) => s.role === 'EXECUTER')
    .map((s) => ({ sent: s, recorded: messages.find((m) => m.from === 'EXECUTER' && m.id === s.header.id && m.type === s.header.type) }));
}

/**
 * Each look at the transcript runs the stand-in's `session list` and `export` (a Node process each, like opencode's own
 * export, a second or more of CPU), several times around the restart: twice a fault test's usual limit.
 */
const TEST_TIMEOUT_MS = 2 * FAULT_TEST_TIMEOUT_MS;

describe('a self-wrapping CLI restarted mid-turn (issue 18, item 6)', { timeout: TEST_TIMEOUT_MS }, () => {
  it("the new session's export holds the replies: each recorded byte for byte, through the transcript, not flagged", async () => {
    const { sent, messages } = await runRestartedOpencode(true);
    const replies = executerReplies(sent, messages);
    expect(replies.map((r) => r.sent.header.type)).toEqual(['status', 'result']);
    expect(replies.find((r) => r.sent.header.type === 'result')?.sent.body.split('\n').at(-1)).toHaveLength(LONG_LINE);
    for (const { sent: s, recorded } of replies) {
      expect(recorded, `EXECUTER ${s.header.type} ${s.header.id} was not recorded`).toBeDefined();
      expect({ type: s.header.type, body: recorded?.body, channel: recorded?.channel, mayBeWrapped: recorded?.mayBeWrapped }).toEqual({
        type: s.header.type,
        body: s.body,
        channel: 'transcript',
        mayBeWrapped: undefined,
      });
    }
  });

  it('no export can be read (the stand-in keeps none): the body from the screen says so, channel screen and mayBeWrapped', async () => {
    const { sent, messages } = await runRestartedOpencode(false);
    const replies = executerReplies(sent, messages);
    expect(replies.map((r) => r.sent.header.type)).toEqual(['status', 'result']);
    for (const { sent: s, recorded } of replies) {
      expect(recorded, `EXECUTER ${s.header.type} ${s.header.id} was not recorded`).toBeDefined();
      expect({ type: s.header.type, channel: recorded?.channel, mayBeWrapped: recorded?.mayBeWrapped }).toEqual({ type: s.header.type, channel: 'screen', mayBeWrapped: true });
    }
    // The screen broke the long line where the mock wrote none: exactly what the flag warns of.
    const result = replies.find((r) => r.sent.header.type === 'result');
    expect(result?.recorded?.body).not.toBe(result?.sent.body);
    expect(result?.recorded?.body.replace(/\s+/g, '')).toBe(result?.sent.body.replace(/\s+/g, ''));
  });
});
