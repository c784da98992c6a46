/**
 * `--usage-dir DIR`: the mock keeps a session transcript with token usage, as the real CLIs do (issue 22), so poli's
 * usage ledger, totals and budgets run offline. The file is `<DIR>/<hash of the working directory>/session-<pid>-<n>.jsonl`
 * (both mocks of a pair share the folder, as two Claude Codes in one project share theirs: poli must tell the files
 * apart by what was typed into them). Per submission, written before the reply shows (a record may also come late in
 * a real CLI; the ledger reads again at the next turn and at the task's end):
 *   {"type":"prompt","text":"…what was typed…"}
 *   {"type":"call","id":"mock-…-3","model":"mock-model","final":false,"usage":{…output lower…}}   a streaming snapshot
 *   {"type":"call","id":"mock-…-3","model":"mock-model","final":true,"usage":{"input":…,"output":…,"cacheRead":…,"cacheWrite":…}}
 * The snapshot repeats the call id, as Claude Code writes one call several times: counted once, the last one wins.
 * `final` is for tests only (they sum the final records to know what the mock "served"); poli does not read it.
 * Usage numbers are four disjoint counts (Anthropic's meaning), different per turn and per role, all non-zero.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Role } from '../../src/protocol/types.ts';
import type { SubmitHandler } from './turn.ts';

/** The model name the mock's calls carry (a price file may price it). */
export const MOCK_MODEL = 'mock-model';

export interface MockUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * The folder of a working directory's mock transcripts. poli's mock profile computes the same (src/profiles/basic.ts;
 * a test checks both agree): mocks may not import poli beyond the protocol.
 */
export function mockUsageFolder(usageDir: string, cwd: string): string {
  return path.join(usageDir, createHash('sha256').update(cwd).digest('hex').slice(0, 16));
}

/** The usage of the `turn`th call (1-based) of a role: distinct per turn and role, so a lost or doubled call shows in a sum. */
export function mockUsage(role: Role, turn: number): MockUsage {
  const base = role === 'PLANNER' ? 0 : 50;
  return { input: 100 + base + turn, output: 40 + base + turn, cacheRead: 2000 + 10 * turn, cacheWrite: 300 + base + turn };
}

/** Writes one mock's usage transcript. */
export class UsageTranscript {
  private calls = 0;
  private readonly file: string;

  constructor(
    private readonly role: Role,
    usageDir: string,
    cwd: string,
    pid: number,
  ) {
    const folder = mockUsageFolder(usageDir, cwd);
    mkdirSync(folder, { recursive: true });
    // The time in the name keeps a pid reused by a later mock from appending to an old session.
    this.file = path.join(folder, `session-${pid}-${Date.now()}.jsonl`);
  }

  /** Records a submission and the call that answers it. Synchronous: on disk before the reply can show. */
  record(text: string): void {
    this.calls += 1;
    const id = `mock-${this.role}-${path.basename(this.file, '.jsonl')}-${this.calls}`;
    const usage = mockUsage(this.role, this.calls);
    const lines = [
      { type: 'prompt', text },
      { type: 'call', id, model: MOCK_MODEL, final: false, usage: { ...usage, output: 1 } },
      { type: 'call', id, model: MOCK_MODEL, final: true, usage },
    ];
    appendFileSync(this.file, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  }
}

/** The handler, recording each submission's usage first when the mock keeps a usage transcript. */
export function recordingUsage(handler: SubmitHandler, transcript: UsageTranscript | undefined): SubmitHandler {
  if (transcript === undefined) return handler;
  return (text, turn) => {
    transcript.record(text);
    return handler(text, turn);
  };
}
