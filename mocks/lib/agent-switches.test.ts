/** The agent-side misbehaviour switches, with a recording turn and fake file effects (no TUI, no disk). */
import { describe, expect, it } from 'vitest';
import { formatBlock } from '../../src/protocol/format-block.ts';
import { createAgent, type AgentEffects, type SentRecord } from './agent.ts';
import { createExecuterBrain } from './executer-brain.ts';
import { DEFAULT_MOCK_OPTIONS, type MockOptions } from './options.ts';
import { createPlannerBrain } from './planner-brain.ts';
import { REPLY_PIECE_GAP_MS } from './outbox.ts';
import type { Turn } from './tui.ts';

const PLAN = '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>';
const task = formatBlock({ to: 'PLANNER', type: 'task', id: 'T1' }, 'Create hello.txt containing Hello');
const plan = formatBlock({ to: 'EXECUTER', type: 'plan', id: 'T1' }, PLAN);

/** A turn whose clock moves only when it sleeps, logging what it prints. */
function fakeTurn() {
  const log: string[] = [];
  let clock = 0;
  const turn: Turn = {
    reply: (text) => log.push(text),
    print: (lines) => log.push(`<print ${lines.length}>`),
    sleep: async (ms) => {
      clock += ms;
      log.push(`<sleep ${ms}>`);
    },
    confirm: async () => true,
    choose: async (question) => {
      log.push(`<choose ${question}>`);
      return 1;
    },
    crash: (code, message) => log.push(`<crash ${code}: ${message}>`),
    clearScreen: () => log.push('<clear>'),
    restart: () => log.push('<restart>'),
    replaceLast: (text) => log.push(`<replace> ${text}`),
    idle: async (ms) => {
      log.push(`<idle ${ms}>`);
    },
  };
  return { turn, log, now: () => clock };
}

function fakeEffects(files: Record<string, string> = {}) {
  const sent: SentRecord[] = [];
  const effects: AgentEffects = {
    countCrashes: () => 0,
    noteCrash: () => undefined,
    record: () => undefined,
    recordSent: (entry) => sent.push(entry),
    appendFile: (path, text) => (files[path] = (files[path] ?? '') + text),
    readFile: (path) => files[path],
  };
  return { effects, sent, files };
}

async function run(texts: readonly string[], options: Partial<MockOptions>, files?: Record<string, string>, brain = createPlannerBrain(3)) {
  const { turn, log, now } = fakeTurn();
  const { effects, sent } = fakeEffects(files);
  const agent = createAgent(brain, { ...DEFAULT_MOCK_OPTIONS, thinkMs: 0, ...options }, effects, now);
  for (const text of texts) await agent(text, turn);
  return { log: log.filter((entry) => entry !== '<sleep 0>'), sent };
}

describe('agent switches', () => {
  it('--restart-at: restarts instead of answering, then answers that block when a reminder names its id', async () => {
    const reminder = 'Reminder from poli: I am still waiting for your reply to message T1. Reply with exactly one block…';
    const { log } = await run([task, 'hello?', reminder], { restartAt: 1 });
    expect(log).toEqual(['<restart>', 'Ready. I am the PLANNER.', plan]);
  });

  it('--clear-before-reply clears right before each reply, greetings included', async () => {
    const { log } = await run(['hi', task], { clearBeforeReply: true });
    expect(log).toEqual(['<clear>', 'Ready. I am the PLANNER.', '<clear>', plan]);
  });

  it('--sent-file records each real block with the exact body between its tags', async () => {
    const { sent, log } = await run([task], { quoteCloseInFence: true, noise: ['self'] });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ role: 'PLANNER', header: { to: 'EXECUTER', type: 'plan', id: 'T1' } });
    expect(sent[0]?.body).toBe('<PLAN>\n```\n[[/POLI:MSG]]\n```\n1. Create hello.txt containing Hello\n</PLAN>');
    expect(log.at(-1)).toBe(`[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1"}]]\n${sent[0]?.body}\n[[/POLI:MSG]]`);
  });

  it('--reply-file-pieces writes the block to .poli/replies/<id>.md in two pieces and prints one line', async () => {
    const files: Record<string, string> = {};
    const { log } = await run([task], { replyFilePieces: true }, files);
    expect(log).toEqual(['wrote my reply to .poli/replies/T1.md', `<sleep ${REPLY_PIECE_GAP_MS}>`]);
    expect(files['.poli/replies/T1.md']).toBe(`${plan}\n`);
  });

  it("reads poli's message file when a block points to it", async () => {
    const pointer = formatBlock(
      { to: 'PLANNER', type: 'task', id: 'T1' },
      'This message is long, so poli wrote it to the file .poli/messages/T1.md in the project directory\n(/p/.poli/messages/T1.md). Read that file now.',
    );
    const { log } = await run([pointer], {}, { '/p/.poli/messages/T1.md': `${task}\nReply with exactly one block…\n` });
    expect(log).toEqual([plan]);
  });

  it('--print-rate prints N lines a second for S seconds before answering', async () => {
    const { log } = await run([task], { printRate: 50, printSeconds: 2 });
    const printed = log.filter((entry) => entry.startsWith('<print ')).reduce((sum, entry) => sum + Number(entry.slice(7, -1)), 0);
    expect(printed).toBe(100);
    expect(log.at(-1)).toBe(plan);
  });

  it('--reply-lines with --quote-example other: N numbered lines around the quoted example', async () => {
    const executer = createExecuterBrain('/nonexistent-poli-dir');
    const verify = formatBlock({ to: 'EXECUTER', type: 'plan', id: 'T2' }, '<PLAN>\n1. Note the weather\n</PLAN>');
    const { sent } = await run([verify], { replyLines: 4, quoteExample: 'other' }, {}, executer);
    const result = sent.find((s) => s.header.type === 'result');
    expect(result?.body.split('\n')).toEqual([
      "line 00001 of 4: the mock executer's numbered result",
      "line 00002 of 4: the mock executer's numbered result",
      '[[POLI:MSG {"to":"PLANNER","type":"result","id":"example-T2"}]]',
      'An example body line: this quoted block is not the reply.',
      '[[/POLI:MSG]]',
      "line 00003 of 4: the mock executer's numbered result",
      "line 00004 of 4: the mock executer's numbered result",
    ]);
  });
});
