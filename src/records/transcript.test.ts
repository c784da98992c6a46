import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRecord, TaskUsage } from '../state/types.ts';
import { renderTranscript, writeTranscript } from './transcript.ts';

const TASK: TaskRecord = {
  id: 'T3',
  task: 'Add a --version flag',
  status: 'completed',
  rounds: 1,
  startedAt: '2026-01-02T03:04:05.000Z',
  endedAt: '2026-01-02T03:09:00.000Z',
  messages: [
    {
      from: 'ORCHESTRATOR',
      to: 'PLANNER',
      type: 'task',
      id: 't1',
      body: 'Add a --version flag',
      at: '2026-01-02T03:04:05.000Z',
    },
    {
      from: 'PLANNER',
      to: 'EXECUTER',
      type: 'plan',
      id: 'p1',
      body: 'Edit `cli.ts`:\n```ts\nversion()\n```',
      at: '2026-01-02T03:05:10.000Z',
    },
    { from: 'EXECUTER', to: 'PLANNER', type: 'result', id: 'r1', body: '', at: '2026-01-02T03:08:00.000Z' },
    { from: 'PLANNER', to: 'ORCHESTRATOR', type: 'complete', id: 'c1', body: 'Done. ````', at: '2026-01-02T03:09:00.000Z' },
  ],
  pid: 10,
  socket: 'poli',
  projectDir: '/p',
};

const EXPECTED = `# T3: Add a --version flag

**Status:** completed · **Rounds:** 1 · **Started:** 2026-01-02T03:04:05.000Z · **Ended:** 2026-01-02T03:09:00.000Z

### 1. ORCHESTRATOR → PLANNER · task · t1 · 03:04:05

\`\`\`
Add a --version flag
\`\`\`

### 2. PLANNER → EXECUTER · plan · p1 · 03:05:10

\`\`\`\`
Edit \`cli.ts\`:
\`\`\`ts
version()
\`\`\`
\`\`\`\`

### 3. EXECUTER → PLANNER · result · r1 · 03:08:00

\`\`\`
\`\`\`

### 4. PLANNER → ORCHESTRATOR · complete · c1 · 03:09:00

\`\`\`\`\`
Done. \`\`\`\`
\`\`\`\`\`
`;

describe('renderTranscript', () => {
  it('renders the title, the status line and each message in a fence longer than its backtick runs', () => {
    expect(renderTranscript(TASK)).toBe(EXPECTED);
  });

  it('shows a running task, its error, and a long multi-line task text in full under a short title', () => {
    const task: TaskRecord = {
      ...TASK,
      task: `${'x'.repeat(120)}\nsecond line`,
      status: 'interrupted',
      endedAt: null,
      error: 'poli process 10 died while the task was running',
      messages: [],
    };
    expect(renderTranscript(task)).toBe(
      `# T3: ${'x'.repeat(99)}…\n\n` +
        `\`\`\`\n${'x'.repeat(120)}\nsecond line\n\`\`\`\n\n` +
        '**Status:** interrupted · **Rounds:** 1 · **Started:** 2026-01-02T03:04:05.000Z · **Ended:** —\n\n' +
        '**Error:** poli process 10 died while the task was running\n',
    );
  });
});

describe('renderTranscript with usage', () => {
  const totals = (cost: number | null, costComplete: boolean) => ({ calls: 1, input: 100, output: 40, cacheRead: 2000, cacheWrite: null, cost, costComplete, models: ['gemini-3.8-flash'] });
  const usage: TaskUsage = {
    total: { ...totals(0.5, false), calls: 2, input: 1234 },
    byRole: { PLANNER: totals(0.0042, true), EXECUTER: totals(0.4958, false) },
    // The plan p1 went to the EXECUTER typed under a new id (its delivery's, below): its turn is charged there.
    byMessage: { t1: totals(0.0042, true), 'T3-R1-d1': totals(0.4958, false) },
    unknown: ['EXECUTER (gemini) records no cache-write tokens'],
    prices: { file: '/poli/config/prices.json', date: '2026-12-07' },
  };

  it('adds a **Usage:** line after the status line and the cost of the turn each message caused to its heading', () => {
    const deliveries = [{ id: 'T3-R1-d1', to: 'EXECUTER' as const, type: 'plan' as const, body: 'the plan', stage: 'answered' as const, at: '2026-01-02T03:05:11.000Z', after: 2 }];
    const lines = renderTranscript({ ...TASK, usage, deliveries }).split('\n');
    expect(lines.slice(2, 7)).toEqual([
      '**Status:** completed · **Rounds:** 1 · **Started:** 2026-01-02T03:04:05.000Z · **Ended:** 2026-01-02T03:09:00.000Z',
      '',
      '**Usage:** ≥$0.50 (PLANNER $0.0042, EXECUTER ≥$0.4958) · 2 calls · input 1,234 · output 40 · cache read 2,000 · cache write unknown · gemini-3.8-flash · **Prices:** /poli/config/prices.json (2026-12-07)',
      '',
      '**Unknown:** EXECUTER (gemini) records no cache-write tokens',
    ]);
    expect(lines.filter((l) => l.startsWith('### '))).toEqual([
      '### 1. ORCHESTRATOR → PLANNER · task · t1 · 03:04:05 · turn $0.0042',
      '### 2. PLANNER → EXECUTER · plan · p1 · 03:05:10 · turn ≥$0.4958',
      '### 3. EXECUTER → PLANNER · result · r1 · 03:08:00',
      '### 4. PLANNER → ORCHESTRATOR · complete · c1 · 03:09:00',
    ]);
  });
});

describe('writeTranscript', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'poli-transcript-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes <dir>/transcripts/<id>.md and leaves no temp file', async () => {
    const file = await writeTranscript(dir, TASK, 77);
    expect(file).toBe(path.join(dir, 'transcripts', 'T3.md'));
    expect(await readFile(file, 'utf8')).toBe(EXPECTED);
    await writeTranscript(dir, { ...TASK, messages: [] }, 77);
    expect(await readdir(path.join(dir, 'transcripts'))).toEqual(['T3.md']);
  });
});
