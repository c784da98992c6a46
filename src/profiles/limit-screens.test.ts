import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type LimitScreen, limitReaderFor, parseResetTime } from './limit-screens.ts';
import { readProviderError } from './limit-screens-more.ts';

/** A limit screen from the notes (fixtures/limits/README.md), as lines. */
function fixture(name: string): string[] {
  return readFileSync(new URL(`./fixtures/limits/${name}.txt`, import.meta.url), 'utf8').replace(/\n$/, '').split('\n');
}

/** 2026-11-28 05:03 UTC, the morning the notes' screens were captured (the machine's zone was UTC). */
const NOW = Date.UTC(2026, 10, 28, 5, 3);
const clock = { now: NOW, timeZone: 'UTC' };

describe('parseResetTime', () => {
  it.each([
    ['7:30am (UTC)', 'UTC', Date.UTC(2026, 10, 28, 7, 30)],
    ['7:30am', 'UTC', Date.UTC(2026, 10, 28, 7, 30)],
    ['Dec 1, 5:08am (UTC)', 'UTC', Date.UTC(2026, 11, 1, 5, 8)],
    ['7:27 AM', 'UTC', Date.UTC(2026, 10, 28, 7, 27)],
    ['Dec 1st, 2026 5:11 AM', 'UTC', Date.UTC(2026, 11, 1, 5, 11)],
    ['7:39 AM UTC', 'UTC', Date.UTC(2026, 10, 28, 7, 39)],
    // A time earlier in the day than now (beyond the slack) is tomorrow's.
    ['1:15am (UTC)', 'UTC', Date.UTC(2026, 10, 29, 1, 15)],
    // A reset that just passed stays today's: poli acts on it now.
    ['4:30 AM', 'UTC', Date.UTC(2026, 10, 28, 4, 30)],
    // Local times are read in the CLI's zone: 7:27 AM in Berlin (UTC+1 in November) is 6:27 UTC.
    ['7:27 AM', 'Europe/Berlin', Date.UTC(2026, 10, 28, 6, 27)],
    ['Dec 1st, 2026 5:11 AM', 'America/New_York', Date.UTC(2026, 11, 1, 10, 11)],
    // A zone on the screen wins over the machine's.
    ['7:30am (UTC)', 'Asia/Tokyo', Date.UTC(2026, 10, 28, 7, 30)],
    ['12:05pm (UTC)', 'UTC', Date.UTC(2026, 10, 28, 12, 5)],
    ['12:05am (UTC)', 'UTC', Date.UTC(2026, 10, 29, 0, 5)],
  ])('%s in %s', (text, timeZone, expected) => {
    expect(parseResetTime(text, { now: NOW, timeZone })).toBe(expected);
  });

  it('a date months ago is next year', () => {
    expect(parseResetTime('Jan 2, 5:08am (UTC)', clock)).toBe(Date.UTC(2027, 0, 2, 5, 8));
  });

  it('is undefined for text that is no time', () => {
    expect(parseResetTime('later', clock)).toBeUndefined();
  });
});

type Expected = Partial<LimitScreen> & { kind: LimitScreen['kind'] } | undefined;

describe.each([
  [
    'claude',
    [
      ['claude-sub-usage', { kind: 'usage', resetAt: Date.UTC(2026, 10, 28, 7, 30), resetText: '7:30am (UTC)', autoContinue: true, line: "⎿ You've hit your 5-hour limit · resets 7:30am (UTC)" }],
      ['claude-sub-usage-shortly', { kind: 'usage', resetAt: Date.UTC(2026, 10, 28, 7, 30), autoContinue: true }],
      ['claude-sub-usage-autocontinued', undefined],
      ['claude-sub-usage-3days-dialog', { kind: 'usage', resetAt: Date.UTC(2026, 11, 1, 5, 8), dialog: true }],
      ['claude-sub-usage-3days-stopped', { kind: 'usage', resetAt: Date.UTC(2026, 11, 1, 5, 10), resetText: 'Dec 1, 5:10am (UTC)' }],
      ['claude-usage-apikey', { kind: 'failed', line: '● API Error: Request rejected (429) · Error' }],
      ['claude-rate-retrying', { kind: 'retrying', attempt: { k: 1, of: 10 }, retryInSec: 24 }],
      ['claude-rate-gaveup', { kind: 'failed' }],
      ['claude-sub-rate-gaveup', { kind: 'failed' }],
      ['claude-197-rate-retrying', { kind: 'retrying', attempt: { k: 2, of: 10 }, retryInSec: 3 }],
      // Real Claude Code 2.1.197 in a subscription session (test/real-cli/limits-subscription.test.ts): no
      // auto-continue line, the error two lines above the turn's summary.
      ['claude-197-sub-usage', { kind: 'usage', resetAt: Date.UTC(2026, 10, 28, 9, 14), resetText: '9:14am (UTC)', line: "⎿ You've hit your session limit · resets 9:14am (UTC)" }],
      ['claude-overload-retrying', { kind: 'retrying', attempt: { k: 5, of: 10 }, retryInSec: 10 }],
      ['claude-overload-gaveup', { kind: 'failed' }],
      ['claude-auth-apikey', { kind: 'auth', line: '⎿ Invalid API key · Fix external API key' }],
      ['claude-sub-auth', { kind: 'auth', line: '● Please run /login · API Error: 401 Invalid authentication credentials' }],
      ['claude-old-error-answered', undefined],
      ['claude-context-low', { kind: 'compacting' }],
      ['claude-context-full', { kind: 'context_full' }],
    ],
  ],
  [
    'codex',
    [
      ['codex-usage', { kind: 'usage', resetAt: Date.UTC(2026, 10, 28, 7, 27), resetText: '7:27 AM' }],
      ['codex-usage-pro-date', { kind: 'usage', resetAt: Date.UTC(2026, 11, 1, 5, 11), resetText: 'Dec 1st, 2026 5:11 AM' }],
      ['codex-quota', { kind: 'usage', resetAt: undefined, line: '■ Quota exceeded. Check your plan and billing details.' }],
      ['codex-rate-retrying', { kind: 'retrying', attempt: { k: 1, of: 5 } }],
      ['codex-stream-rate-retrying', { kind: 'retrying', attempt: { k: 1, of: 5 } }],
      ['codex-auth-retrying', { kind: 'retrying', attempt: { k: 3, of: 5 } }],
      ['codex-rate-gaveup', { kind: 'failed', line: '■ exceeded retry limit, last status: 429 Too Many Requests, request id: req_0123' }],
      ['codex-overload-gaveup', { kind: 'failed' }],
      ['codex-auth', { kind: 'auth' }],
      ['codex-context-full', { kind: 'context_full' }],
      ['codex-old-error-answered', undefined],
    ],
  ],
  [
    'gemini',
    [
      ['gemini-usage-daily', { kind: 'usage', dialog: true, resetAt: undefined, line: 'Usage limit reached for all Pro models.' }],
      ['gemini-usage-hours', { kind: 'usage', dialog: true, resetAt: Date.UTC(2026, 10, 28, 7, 39), resetText: '7:39 AM UTC' }],
      ['gemini-usage-stopped', { kind: 'usage', resetAt: undefined }],
      ['gemini-rate-retrying', undefined],
      ['gemini-auth', { kind: 'auth' }],
      // Whole screens of the real CLI (limit-probe.ts against fake-gemini.ts's GEMINI_ERRORS).
      ['gemini-usage-daily-screen', { kind: 'usage', dialog: true, resetAt: undefined, line: 'Usage limit reached for gemini-3.8-flash.' }],
      // After poli answered the hours-away quota's dialog with "2. Stop" (its profile's dialog rule): the reset time
      // left with the dialog; still a usage limit, not a failed request.
      ['gemini-usage-hours-stopped-screen', { kind: 'usage', resetAt: undefined }],
      ['gemini-usage-hours-screen', { kind: 'usage', dialog: true, resetAt: Date.UTC(2026, 10, 28, 11, 51), resetText: '11:51 AM UTC' }],
      ['gemini-auth-screen', { kind: 'auth', line: '✕ [API Error: {"error":{"code":400,"message":"API key not valid. Please pass a valid API' }],
      ['gemini-context-full-screen', { kind: 'context_full' }],
    ],
  ],
  [
    'qwen',
    [
      [
        'qwen-usage',
        {
          kind: 'usage',
          resetAt: Date.UTC(2026, 10, 28, 10, 42, 55),
          resetText: '2026-11-28T10:42:55Z',
          resetExact: true,
          line: '✕ Quota exhausted: Your usage quota for this plan has been exhausted. Your quota will reset at 2026-11-28T10:42:55Z.',
        },
      ],
      ['qwen-auth', { kind: 'auth', line: '✕ [API Error: 401 Incorrect API key provided: sk-fake****0000. You can find your API key at https://platform.openai.com/account/api-keys.] (Press Ctrl+Y to retry)' }],
      ['qwen-context-full', { kind: 'context_full' }],
      // 429 and 503 are retried silently (only the spinner), past 75 s.
      ['qwen-overload-retrying-silently', undefined],
    ],
  ],
  [
    'pi',
    [
      ['pi-usage-gaveup', { kind: 'usage', resetAt: Date.UTC(2026, 10, 28, 10, 42, 56), resetText: '2026-11-28T10:42:56Z' }],
      ['pi-overload-retrying', { kind: 'retrying', attempt: { k: 2, of: 3 }, retryInSec: 4, line: '⠦ Retrying (2/3) in 4s... (escape to cancel)' }],
      ['pi-overload-gaveup', { kind: 'failed', line: 'Error: Retry failed after 3 attempts: 503 The server is overloaded or not ready yet.' }],
      ['pi-auth', { kind: 'auth', line: 'Error: 401 Incorrect API key provided: sk-fake****0000. You can find your API key at https://platform.openai.com/account/api-keys.' }],
      // pi's OpenAI client retried a 503 by itself, unseen, and the answer came: nothing.
      ['pi-answered', undefined],
      // pi's first attempt failed (its error line stays), its retry was answered: history, not a limit.
      ['pi-old-error-answered', undefined],
      ['pi-context-full', { kind: 'context_full', line: 'Context overflow recovery failed after one compact-and-retry attempt. Try reducing context or switching to a larger-context model.' }],
    ],
  ],
  [
    'copilot',
    [
      [
        'copilot-usage-gaveup',
        {
          kind: 'usage',
          resetAt: Date.UTC(2026, 10, 28, 10, 52, 8),
          resetText: '2026-11-28T10:52:08Z',
          line: '✗ Failed to get response from the AI model; retried 5 times (total retry wait time: 58.64 seconds) Last error: 429 Your usage quota for this plan has been exhausted. Your quota will reset at 2026-11-28T10:52:08Z.',
        },
      ],
      ['copilot-rate-gaveup', { kind: 'failed' }],
      ['copilot-overload-gaveup', { kind: 'failed', line: '✗ Failed to get response from the AI model; retried 5 times (total retry wait time: 16.94 seconds) Last error: 503 The server is overloaded or not ready yet.' }],
      ['copilot-auth-retrying', { kind: 'retrying', line: '● Request failed due to a transient API error. Retrying...' }],
      // The retry note, then the answer: nothing.
      ['copilot-old-retry-answered', undefined],
      ['copilot-auth', { kind: 'auth', line: '✗ Authentication failed with provider at http://127.0.0.1:37651/v1 (HTTP 401).' }],
    ],
  ],
  [
    'opencode',
    [
      // The bare message above the turn's summary, repeated as a notice above the input.
      ['opencode-auth', { kind: 'auth', line: 'Incorrect API key provided: sk-fake****0000. You can find your API key at https://platform.openai.com/account/api-keys.' }],
      // A context overflow: the error, then it compacted ("Fake session") and answered by itself.
      ['opencode-context-compacted', undefined],
      // A 503 retried by itself, then the answer.
      ['opencode-answered', undefined],
      // 429s retried silently: only the busy bar.
      ['opencode-usage-retrying-silently', undefined],
    ],
  ],
] as const)('%s limit screens', (profile, cases) => {
  const read = limitReaderFor(profile);
  it.each(cases as readonly (readonly [string, Expected])[])('%s', (name, expected) => {
    const got = read?.(fixture(name), clock);
    if (expected === undefined) expect(got).toBeUndefined();
    else {
      const { resetAt, ...rest } = expected;
      expect(got).toMatchObject(rest);
      expect(got?.resetAt).toBe(resetAt);
    }
  });
});

describe('limit screens of other profiles', () => {
  it('none for a CLI whose screens were not measured', () => {
    expect(limitReaderFor('aider')).toBeUndefined();
  });
});

describe('ordinary screens are no limit', () => {
  it.each([
    ['claude', 'claude-reply-done'],
    ['claude', 'claude-busy'],
    ['claude', 'claude-idle-startup'],
    ['codex', 'codex-reply-done'],
    ['codex', 'codex-busy'],
    ['codex', 'codex-idle-startup'],
  ])('%s %s', (profile, name) => {
    const lines = readFileSync(new URL(`./fixtures/${name}.txt`, import.meta.url), 'utf8').split('\n');
    expect(limitReaderFor(profile)?.(lines, clock)).toBeUndefined();
  });

  it('the old API error fixture (400) is a failed request', () => {
    const lines = readFileSync(new URL('./fixtures/claude-api-error.txt', import.meta.url), 'utf8').split('\n');
    expect(limitReaderFor('claude')?.(lines, clock)).toMatchObject({ kind: 'failed', line: '● API Error: 400 fake: request rejected by the test' });
  });
});

describe("readProviderError: the provider's words in a CLI's error line", () => {
  it.each([
    ['429 Your quota will reset at 2026-11-28T10:42:55Z.', { kind: 'usage', resetAt: Date.UTC(2026, 10, 28, 10, 42, 55), resetExact: true }],
    ['429 Usage limit exceeded; resets at 7:30 AM UTC (plan: pro)', { kind: 'usage', resetAt: Date.UTC(2026, 10, 28, 7, 30), resetText: '7:30 AM UTC' }],
    ['429 You exceeded your current quota, please check your plan and billing details.', { kind: 'usage', resetAt: undefined }],
    ['429 Rate limit reached for fake-model … Please try again in 20s.', { kind: 'failed' }],
    ['401 Incorrect API key provided: sk-…', { kind: 'auth' }],
    ["400 This model's maximum context length is 128000 tokens.", { kind: 'context_full' }],
    ['500 Internal server error', { kind: 'failed' }],
  ] as const)('%s', (text, expected) => {
    const { resetAt, ...rest } = expected as Partial<LimitScreen>;
    const got = readProviderError(`Error: ${text}`, text, clock);
    expect(got).toMatchObject({ line: `Error: ${text}`, ...rest });
    expect(got.resetAt).toBe(resetAt);
  });
});
