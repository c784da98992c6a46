/**
 * What poli must record as the token usage of a real Chat Completions CLI (Qwen Code, opencode, pi, GitHub Copilot
 * CLI) in a dialogue against test/real-cli/fake-chat.ts: the sum of what the fake served for main turns, read the way
 * each CLI records it (src/profiles/fixtures/usage/README.md). Side requests (titles, Qwen's classifier and
 * suggestions) are billed but recorded by none of them: they are not in the sum.
 */
import type { FakeServer, FakeUsage } from './fake-server.ts';
import type { CacheStyle } from './fake-chat.ts';

export type ChatCli = 'qwen' | 'opencode' | 'pi' | 'copilot';

export interface RecordedCounts {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  calls: number;
}

/** The cache style each CLI's fake speaks: pi assumes OpenRouter's (cached_tokens includes the writes). */
export const CHAT_CACHE_STYLE: Record<ChatCli, CacheStyle> = { qwen: 'openai', opencode: 'openai', pi: 'openrouter', copilot: 'openai' };

/**
 * The totals poli must record for the CLI's role: every main turn the fake served, once. Qwen Code has no cache-write
 * count (the writes stay in its input, cacheWrite unknown); opencode through @ai-sdk/openai-compatible records
 * `cache.write` 0 with the writes in its input; pi and Copilot CLI record all four exactly.
 */
export function expectedChatUsage(cli: ChatCli, server: FakeServer): RecordedCounts {
  const turns = server.served.filter((s) => s.kind === 'turn');
  const sum = turns.reduce<FakeUsage>(
    (a, { usage: u }) => ({ input: a.input + u.input, output: a.output + u.output, cacheRead: a.cacheRead + u.cacheRead, cacheWrite: a.cacheWrite + u.cacheWrite }),
    { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  );
  const calls = turns.length;
  switch (cli) {
    case 'qwen':
      return { input: sum.input + sum.cacheWrite, output: sum.output, cacheRead: sum.cacheRead, cacheWrite: null, calls };
    case 'opencode':
      return { input: sum.input + sum.cacheWrite, output: sum.output, cacheRead: sum.cacheRead, cacheWrite: 0, calls };
    case 'pi':
    case 'copilot':
      return { ...sum, calls };
  }
}

/** The counts of a recorded UsageTotals (cost and models apart). */
export function recordedCounts(totals: RecordedCounts | undefined): RecordedCounts | undefined {
  if (!totals) return undefined;
  const { input, output, cacheRead, cacheWrite, calls } = totals;
  return { input, output, cacheRead, cacheWrite, calls };
}
