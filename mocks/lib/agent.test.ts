import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBlock } from '../../src/protocol/format-block.ts';
import type { BlockHeader } from '../../src/protocol/types.ts';
import { createAgent, DUPLICATE_BODY, type AgentEffects, type Brain, type ReceivedRecord } from './agent.ts';
import { createExecuterBrain } from './executer-brain.ts';
import { DEFAULT_MOCK_OPTIONS, type MockOptions } from './options.ts';
import { createPlannerBrain } from './planner-brain.ts';
import type { Turn } from './tui.ts';

/** A turn that records what the mock printed; sleeping and approval are instant. */
function recordingTurn(approve = true): { turn: Turn; log: string[] } {
  const log: string[] = [];
  const turn: Turn = {
    reply: (text) => log.push(text),
    sleep: async () => undefined,
    confirm: async (title, detail) => {
      log.push(`<confirm ${title}: ${detail}>`);
      return approve;
    },
    choose: async (question) => {
      log.push(`<choose ${question}>`);
      return 1;
    },
    crash: (code, message) => log.push(`<crash ${code}: ${message}>`),
    print: (lines) => log.push(`<print ${lines.length} lines>`),
    clearScreen: () => log.push('<clear>'),
    restart: () => log.push('<restart>'),
    replaceLast: (text) => log.push(`<replace> ${text}`),
    idle: async (ms) => {
      log.push(`<idle ${ms}>`);
    },
  };
  return { turn, log };
}

async function submit(brain: Brain, texts: readonly string[], options: Partial<MockOptions> = {}): Promise<string[]> {
  const agent = createAgent(brain, { ...DEFAULT_MOCK_OPTIONS, ...options });
  const { turn, log } = recordingTurn();
  for (const text of texts) await agent(text, turn);
  return log;
}

const block = (header: BlockHeader, body: string) => formatBlock(header, body);
const task = block({ to: 'PLANNER', type: 'task', id: 'T1' }, 'Create hello.txt containing Hello');
/** poli sends every review under a fresh id, as it does for real. */
const review = (body: string, id = 'T1') => block({ to: 'PLANNER', type: 'review', id }, body);

describe('mock planner', () => {
  it('acknowledges text without a block for it', async () => {
    expect(await submit(createPlannerBrain(3), ['You are the PLANNER. Reply with blocks.'])).toEqual([
      'Ready. I am the PLANNER.',
    ]);
  });

  it('plans, continues with a checkable step, then completes after the configured rounds', async () => {
    const log = await submit(createPlannerBrain(3), [
      task,
      review('Created hello.txt (5 bytes)', 'T1-R1-a'),
      review('ok', 'T1-R2-b'),
      review('Appended', 'T1-R3-c'),
    ]);
    expect(log).toEqual([
      block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>'),
      block(
        { to: 'EXECUTER', type: 'continue', id: 'T1-R1-a' },
        'Continue: step 2 — append a line to hello.txt\n<PLAN>\n2. Append round 2 to hello.txt\n</PLAN>',
      ),
      block(
        { to: 'EXECUTER', type: 'continue', id: 'T1-R2-b' },
        'Continue: step 3 — append a line to hello.txt\n<PLAN>\n3. Append round 3 to hello.txt\n</PLAN>',
      ),
      block(
        { to: 'ORCHESTRATOR', type: 'complete', id: 'T1-R3-c' },
        'Task complete after 3 rounds: Create hello.txt containing Hello\nLast report:\nAppended',
      ),
    ]);
  });

  it('answers an error review with a revision that keeps paths inside the working directory', async () => {
    const bad = block({ to: 'PLANNER', type: 'task', id: 'T2' }, 'Create ../x.txt containing X');
    const error = block({ to: 'PLANNER', type: 'review', id: 'T2' }, 'Step 1 failed: path escapes the working directory: ../x.txt');
    const log = await submit(createPlannerBrain(2), [bad, error]);
    expect(log[1]).toBe(
      block(
        { to: 'EXECUTER', type: 'revision', id: 'T2' },
        'Revision: the previous attempt failed (Step 1 failed: path escapes the working directory: ../x.txt).\n' +
          '<PLAN>\n1. Create x.txt containing X\n</PLAN>',
      ),
    );
  });
});

describe('fault injection', () => {
  it('--garbage prints a malformed and a wrong-id block before the real one', async () => {
    const log = await submit(createPlannerBrain(3), [task], { garbage: true });
    expect(log).toEqual([
      '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1",}]]\nThis block has a malformed header and must be rejected.\n[[/POLI:MSG]]',
      block({ to: 'EXECUTER', type: 'plan', id: 'stale-T1' }, '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>'),
      block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>'),
    ]);
  });

  it('--wrong-id, --echo-blocks and --fence', async () => {
    const log = await submit(createPlannerBrain(3), [task], { wrongId: true, echoBlocks: true, fence: true });
    const plan = '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>';
    expect(log).toEqual([
      `\`\`\`\n${task}\n\`\`\``,
      `\`\`\`\n${block({ to: 'EXECUTER', type: 'plan', id: 'stale-T1' }, plan)}\n\`\`\``,
      `\`\`\`\n${block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, plan)}\n\`\`\``,
    ]);
  });

  it('--silent-at, --crash-at and --approval-at count the blocks addressed to the mock', async () => {
    const other = block({ to: 'EXECUTER', type: 'plan', id: 'X' }, 'not mine');
    expect(await submit(createPlannerBrain(3), [other, task], { silentAt: 1 })).toEqual(['Ready. I am the PLANNER.']);
    expect(await submit(createPlannerBrain(3), [task, task], { crashAt: 2 })).toEqual([
      block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>'),
      '<crash 3: API Error: mock PLANNER crashed on message 2 (--crash-at 2)>',
    ]);
    expect((await submit(createPlannerBrain(3), [task], { approvalAt: 1 }))[0]).toBe(
      '<confirm Bash command: poli-mock answer task T1>',
    );
  });
  it('--hold-at waits before answering the Nth block while --hold-file can be read, and only that block', async () => {
    const present = new Set(['hold']);
    let sleeps = 0;
    const effects: AgentEffects = {
      countCrashes: () => 0,
      noteCrash: () => undefined,
      record: () => undefined,
      readFile: (path) => (present.has(path) ? '' : undefined),
    };
    const agent = createAgent(createPlannerBrain(3), { ...DEFAULT_MOCK_OPTIONS, holdAt: 1, holdFile: 'hold' }, effects);
    const { turn, log } = recordingTurn();
    // The third sleep while held removes the file: the answer comes after it, not before.
    turn.sleep = async () => {
      sleeps++;
      if (sleeps === 4) present.delete('hold');
    };
    await agent(task, turn);
    expect(sleeps).toBe(4);
    expect(log).toEqual([block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>')]);
  });
});

describe('fault injection with files and decoys', () => {
  const plan = '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>';

  it('--crash-limit crashes only while --crash-file holds fewer crashes; both files are written', async () => {
    const crashes: string[] = [];
    const records: ReceivedRecord[] = [];
    const effects: AgentEffects = {
      countCrashes: () => crashes.length,
      noteCrash: (line) => crashes.push(line),
      record: (entry) => records.push(entry),
    };
    const options = { ...DEFAULT_MOCK_OPTIONS, crashAt: 1, crashLimit: 1 };
    const first = recordingTurn();
    await createAgent(createPlannerBrain(3), options, effects, () => 42)(task, first.turn);
    expect(first.log).toEqual(['<crash 3: API Error: mock PLANNER crashed on message 1 (--crash-at 1)>']);
    expect(crashes).toEqual(['42 PLANNER 1']);
    // A restarted mock (a new agent) counts from 1 again, but the limit is reached.
    const second = recordingTurn();
    await createAgent(createPlannerBrain(3), options, effects, () => 43)(task, second.turn);
    expect(second.log).toEqual([block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, plan)]);
    expect(records).toEqual([
      { role: 'PLANNER', at: 42, text: task, blocks: [{ header: { to: 'PLANNER', type: 'task', id: 'T1' }, body: 'Create hello.txt containing Hello' }] },
      { role: 'PLANNER', at: 43, text: task, blocks: [{ header: { to: 'PLANNER', type: 'task', id: 'T1' }, body: 'Create hello.txt containing Hello' }] },
    ]);
  });

  it('--limit-after-crash: only a mock started after a crash in --crash-file answers its first primers with the limit', async () => {
    const crashes: string[] = [];
    const effects: AgentEffects = { countCrashes: () => crashes.length, noteCrash: (line) => crashes.push(line), record: () => undefined };
    const options = { ...DEFAULT_MOCK_OPTIONS, limitAfterCrash: 1 };
    const primer = 'You are the PLANNER. Reply with blocks.';
    const fresh = recordingTurn();
    await createAgent(createPlannerBrain(3), options, effects)(primer, fresh.turn);
    expect(fresh.log).toEqual(['Ready. I am the PLANNER.']);
    crashes.push('42 PLANNER 1');
    const restarted = recordingTurn();
    const agent = createAgent(createPlannerBrain(3), options, effects);
    await agent(primer, restarted.turn);
    await agent(primer, restarted.turn);
    expect(restarted.log).toEqual(['<print 1 lines>', 'Ready. I am the PLANNER.']);
  });

  it('--noise prints each decoy in a fixed order, and the duplicate after the real block', async () => {
    const log = await submit(createPlannerBrain(3), [task], {
      noise: ['missing-field', 'unknown-type', 'wrong-addressee', 'self', 'unterminated', 'torn', 'duplicate'],
    });
    expect(log).toEqual([
      '[[POLI:MSG {"to":"EXECUTER","id":"T1"}]]\nThis block has no type and must be rejected.\n[[/POLI:MSG]]',
      block({ to: 'EXECUTER', type: 'bogus' as BlockHeader['type'], id: 'T1' }, 'This block has an unknown type and must be rejected.'),
      block({ to: 'ORCHESTRATOR', type: 'plan', id: 'T1' }, 'A plan addressed to ORCHESTRATOR, where it may not go: poli must ignore it.'),
      block({ to: 'PLANNER', type: 'plan', id: 'T1' }, 'A plan addressed to my own role (PLANNER): poli must ignore it.'),
      '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1"}]]\nThis block never closes: poli must not take it.',
      '[[POLI:MSG {"to":"EXECUTER","type":"plan","id"',
      block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, plan),
      block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, DUPLICATE_BODY),
    ]);
  });

  it('--noise stale re-prints everything received and every block sent before', async () => {
    const primer = 'You are the PLANNER.';
    const log = await submit(createPlannerBrain(3), [primer, task, review('Created hello.txt (5 bytes)', 'T1-R1-a')], { noise: ['stale'] });
    const sentPlan = block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, plan);
    expect(log).toEqual([
      'Ready. I am the PLANNER.',
      primer,
      sentPlan,
      primer,
      sentPlan,
      task,
      block(
        { to: 'EXECUTER', type: 'continue', id: 'T1-R1-a' },
        'Continue: step 2 — append a line to hello.txt\n<PLAN>\n2. Append round 2 to hello.txt\n</PLAN>',
      ),
    ]);
  });
});

describe('mock executer', () => {
  it('reports status per step, performs the steps, and sends the result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poli-mock-agent-'));
    try {
      const plan = block({ to: 'EXECUTER', type: 'plan', id: 'T1' }, '<PLAN>\n1. Create hello.txt containing Hello\n2. mkdir ../out\n</PLAN>');
      const log = await submit(createExecuterBrain(dir), [plan]);
      expect(log).toEqual([
        block({ to: 'PLANNER', type: 'status', id: 'T1' }, 'Working on step 1: Create hello.txt containing Hello'),
        block({ to: 'PLANNER', type: 'status', id: 'T1' }, 'Working on step 2: mkdir ../out'),
        block(
          { to: 'PLANNER', type: 'error', id: 'T1' },
          'Created hello.txt (6 bytes)\nStep 2 failed: path escapes the working directory: ../out',
        ),
      ]);
      expect(await readFile(join(dir, 'hello.txt'), 'utf8')).toBe('Hello\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
