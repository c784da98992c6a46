/**
 * The usage transcript of poli's mock CLIs (mocks/lib/usage-transcript.ts, `--usage-dir` / MOCK_USAGE_DIR): a prompt
 * record per submission and call records already in poli's four disjoint counts. Lets the usage ledger, totals and
 * budgets run offline; the real CLIs' parsers sit beside this one.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { TranscriptSource } from '../types.ts';
import type { TokenCounts, UsageEntry, UsageParser } from '../../usage/types.ts';

/**
 * The folder the mocks write a project's transcripts to: the same hash of the working directory as
 * mocks/lib/usage-transcript.ts (mocks may not import poli's profiles; a test checks the two agree).
 */
export function mockUsageFolder(usageDir: string, projectDir: string): string {
  return path.join(usageDir, createHash('sha256').update(projectDir).digest('hex').slice(0, 16));
}

/** The mock profile's transcript: read for usage only (its screen stays the one source of replies, faults and all). */
export const mockTranscript: TranscriptSource = {
  dirs: (projectDir, env) => (env.MOCK_USAGE_DIR ? [mockUsageFolder(path.resolve(env.MOCK_USAGE_DIR), projectDir)] : []),
  file: /^session-.*\.jsonl$/,
  assistantTexts: () => [],
  usageOnly: true,
  usage: () => new MockUsageParser(),
};

class MockUsageParser implements UsageParser {
  feed(record: unknown): UsageEntry[] {
    if (typeof record !== 'object' || record === null) return [];
    const r = record as Record<string, unknown>;
    if (r.type === 'prompt' && typeof r.text === 'string') return [{ kind: 'prompt', text: r.text }];
    if (r.type !== 'call' || typeof r.id !== 'string') return [];
    return [{ kind: 'call', callId: r.id, model: typeof r.model === 'string' ? r.model : null, counts: countsOf(r.usage) }];
  }
}

function countsOf(usage: unknown): TokenCounts {
  const u = (typeof usage === 'object' && usage !== null ? usage : {}) as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return { input: n(u.input), output: n(u.output), cacheRead: n(u.cacheRead), cacheWrite: n(u.cacheWrite) };
}
