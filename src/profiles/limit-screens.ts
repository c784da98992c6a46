/**
 * What a CLI's screen says when its model API refused a turn: a usage limit (with the reset time when shown), a rate
 * limit or overload the CLI is retrying through, a request that failed for good, an expired login or invalid key, or
 * a full context. Pure functions of the bottom lines (ANSI stripped) and an injected "now" and time zone.
 *
 * Screen facts: /work/shared/notes/limits-screens.md (Claude Code 2.1.332, Codex 0.171.0, Gemini CLI 0.61.0), and the
 * strings in the CLIs' bundles for the context states. Fixtures: ./fixtures/limits/*.txt. Kept apart from the
 * profiles' classify(): a limit is a reason behind 'idle'/'busy'/'error', read only while poli waits for a reply.
 */
import { findLine, latestTurn, trimLineEnds } from './screen-lines.ts';
import { type LimitClock, parseResetTime } from './reset-time.ts';
import { readCopilotLimit, readOpencodeLimit, readPiLimit, readQwenLimit } from './limit-screens-more.ts';
import type { LimitReader } from './limit-types.ts';

export { parseResetTime };

export type { LimitKind, LimitReader, LimitScreen } from './limit-types.ts';
export type { LimitClock };


// ---------------------------------------------------------------------------------------------------------------
// Claude Code

const CLAUDE_RULE = /^─{20,}$/;
/** A prompt's echo (`❯ text`) or a finished turn (`✻ Churned for 3s`, `✻ Cooked for 25s · done 5:03 AM`). */
const CLAUDE_TURN_EDGE = /^❯[\u00a0 ]\S|^[·✢✳✶✻✽*] \S+ for \d+[smh]|^● Usage limit reset · Continuing automatically/;
const CLAUDE_SUMMARY = /^[·✢✳✶✻✽*] \S+ for \d+[smh]/;
const CLAUDE_ERRORISH = /API Error|Invalid API key|hit your .*limit|Prompt is too long/;
const CLAUDE_HIT = /You['’]ve hit your (?:.+ )?limit · resets (.+?)\s*$/;
const CLAUDE_AUTO = /set to continue automatically at (.+?)\s*$|Continuing automatically at (.+?) · Esc to cancel|Continuing shortly · Esc to cancel|will continue automatically at (.+?)\. Keep this session open/;
const CLAUDE_FOOTER_LIMIT = /⚠ Usage limit reached · limit resets (.+?)\s*$/;
const CLAUDE_LIMIT_DIALOG = /Stop and wait for limit to reset/;
const CLAUDE_LIMIT_RESET_ENTER = /Usage limit has reset · Press enter to continue/;
/** `· retrying in 24s · attempt 1/10` (2.1.332); `· Retrying in 2s · attempt 1/10` (2.1.197). */
const CLAUDE_RETRYING = /· [Rr]etrying(?: in (\d+)s|…|\.\.\.) · attempt (\d+)\/(\d+)/;
const CLAUDE_AUTH =
  /Invalid API key · Fix external API key|Please run \/login · API Error|API Error: 40[13]\b|Not logged in · Run \/login|OAuth token (?:has )?expired|Credit balance is too low/;
const CLAUDE_CONTEXT_FULL = /Context limit reached|Prompt is too long/;
const CLAUDE_COMPACTING = /Compacting conversation/;
/** The turn's reply is the error (`● API Error: …`); a bare `API Error` line is something else's (a crash message). */
const CLAUDE_FAILED = /^[●⎿]\s+API Error\b/;

/** Splits a Claude screen into the latest turn's output (above the input box) and the footer (below it). */
function claudeParts(lines: readonly string[]): { turn: string[]; footer: string[] } {
  let bottomRule = -1;
  let topRule = -1;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (!CLAUDE_RULE.test(lines[i] ?? '')) continue;
    if (bottomRule < 0) bottomRule = i;
    else {
      topRule = i;
      break;
    }
  }
  const above = topRule < 0 ? [...lines] : lines.slice(0, topRule);
  // A failed turn may still end with its summary (`● API Error: 400 …` then `✻ Brewed for 0s`, 2.1.197): that summary
  // closes the error's own turn, not an older one.
  // Its error may sit a line or more above the summary (2.1.197's `⎿  You've hit your session limit · resets …` and
  // `/login to switch to an API usage-billed account.`): any errorish line since the previous edge counts.
  const nonBlank = above.map((l, i) => [l.trim(), i] as const).filter(([l]) => l !== '');
  const last = nonBlank.at(-1);
  if (last && CLAUDE_SUMMARY.test(last[0])) {
    const turnLines: string[] = [];
    for (let k = nonBlank.length - 2; k >= 0; k -= 1) {
      const line = nonBlank[k]?.[0] ?? '';
      if (CLAUDE_TURN_EDGE.test(line)) break;
      turnLines.push(line);
    }
    if (turnLines.some((line) => CLAUDE_ERRORISH.test(line))) above.splice(last[1]);
  }
  return { turn: latestTurn(above, CLAUDE_TURN_EDGE), footer: topRule < 0 ? [] : lines.slice(bottomRule + 1) };
}

export const readClaudeLimit: LimitReader = (bottomLines, clock) => {
  const lines = trimLineEnds(bottomLines).map((l) => l.replace(/\u00a0/g, ' '));
  const { turn, footer } = claudeParts(lines);
  const all = [...turn, ...footer];
  const hit = findLine(turn, CLAUDE_HIT);
  const dialog = lines.some((l) => CLAUDE_LIMIT_DIALOG.test(l));
  const auto = findLine(all, CLAUDE_AUTO);
  if (hit || auto || dialog || footer.some((l) => CLAUDE_FOOTER_LIMIT.test(l))) {
    const resetText = (hit ? CLAUDE_HIT.exec(hit)?.[1] : undefined) ?? CLAUDE_FOOTER_LIMIT.exec(findLine(footer, CLAUDE_FOOTER_LIMIT) ?? '')?.[1];
    const resetAt = resetText ? parseResetTime(resetText, clock) : undefined;
    return {
      kind: 'usage',
      line: hit ?? auto ?? findLine(footer, CLAUDE_FOOTER_LIMIT) ?? 'Usage limit reached',
      ...(resetText ? { resetText } : {}),
      ...(resetAt !== undefined ? { resetAt } : {}),
      ...(auto && !dialog ? { autoContinue: true } : {}),
      ...(dialog ? { dialog: true } : {}),
    };
  }
  const resetEnter = findLine(all, CLAUDE_LIMIT_RESET_ENTER);
  if (resetEnter) return { kind: 'usage', line: resetEnter, resetAt: clock.now };
  const retrying = findLine(turn, CLAUDE_RETRYING);
  if (retrying) {
    const m = CLAUDE_RETRYING.exec(retrying);
    return {
      kind: 'retrying',
      line: retrying,
      attempt: { k: Number(m?.[2]), of: Number(m?.[3]) },
      ...(m?.[1] ? { retryInSec: Number(m[1]) } : {}),
    };
  }
  const auth = findLine(all, CLAUDE_AUTH);
  if (auth) return { kind: 'auth', line: auth };
  const full = findLine(all, CLAUDE_CONTEXT_FULL);
  if (full) return { kind: 'context_full', line: full };
  const compacting = findLine(turn, CLAUDE_COMPACTING);
  if (compacting) return { kind: 'compacting', line: compacting };
  const failed = findLine(turn, CLAUDE_FAILED);
  if (failed) return { kind: 'failed', line: failed };
  return undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// Codex

/** A prompt's echo or the input (`› …` at column 0), or a finished turn (`─ Worked for 20s ─`). */
const CODEX_TURN_EDGE = /^› |Worked for \d/;
const CODEX_USAGE = /^■ You['’]ve hit your usage limit\b/;
const CODEX_TRY_AGAIN = /[Tt]ry again at (.+?)\.?\s*$/;
const CODEX_QUOTA = /^■ Quota exceeded\b/;
const CODEX_RETRYING = /(?:[Rr]econnecting|Reconnecting\.\.\.) (\d+)\/(\d+)\b/;
const CODEX_AUTH = /^■ (?:unexpected status 40[13]\b|.*(?:Incorrect API key|invalid_api_key|Your access token could not be refreshed|Please log ?in again|not logged in))/i;
const CODEX_CONTEXT_FULL = /^■ .*(?:ran out of room in the model's context window|context window exceeded|context_length_exceeded)/;
const CODEX_COMPACTING = /Compacting context/;
const CODEX_FAILED = /^■ /;

export const readCodexLimit: LimitReader = (bottomLines, clock) => {
  const lines = trimLineEnds(bottomLines);
  // The input line is the last `› ` line; the latest turn is what lies between it and the echo above it.
  let end = lines.length;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (/^› /.test(lines[i] ?? '')) {
      end = i;
      break;
    }
  }
  const turn = latestTurn(lines.slice(0, end), CODEX_TURN_EDGE);
  const usage = findLine(turn, CODEX_USAGE);
  if (usage) {
    const resetText = CODEX_TRY_AGAIN.exec(usage)?.[1];
    const resetAt = resetText ? parseResetTime(resetText, clock) : undefined;
    return { kind: 'usage', line: usage, ...(resetText ? { resetText } : {}), ...(resetAt !== undefined ? { resetAt } : {}) };
  }
  const quota = findLine(turn, CODEX_QUOTA);
  if (quota) return { kind: 'usage', line: quota };
  const retrying = findLine(lines, CODEX_RETRYING);
  if (retrying && lines.some((l) => /esc to interrupt/.test(l))) {
    const m = CODEX_RETRYING.exec(retrying);
    return { kind: 'retrying', line: retrying, attempt: { k: Number(m?.[1]), of: Number(m?.[2]) } };
  }
  const compacting = findLine(lines, CODEX_COMPACTING);
  if (compacting && lines.some((l) => /esc to interrupt/.test(l))) return { kind: 'compacting', line: compacting };
  const auth = findLine(turn, CODEX_AUTH);
  if (auth) return { kind: 'auth', line: auth };
  const full = findLine(turn, CODEX_CONTEXT_FULL);
  if (full) return { kind: 'context_full', line: full };
  const failed = findLine(turn, CODEX_FAILED);
  if (failed) return { kind: 'failed', line: failed };
  return undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// Gemini CLI

/** A prompt's echo (` > text`), or an answer (`✦ `). */
const GEMINI_TURN_EDGE = /^\s*>\s+\S|^\s*✦ /;
const GEMINI_USAGE_DIALOG = /Usage limit reached for /;
const GEMINI_KEEP_TRYING = /\d\. Keep trying/;
const GEMINI_RESETS = /Access resets at (.+?)\.?\s*│?\s*$/;
/**
 * A quota refused for good: the daily one, or a quota with its reset hours away once "Stop" closed the usage dialog
 * (`✕ [API Error: You exceeded your current quota, …`, measured on 0.61.0: the reset time left the screen with the
 * dialog). Both are usage limits, waited out, not failed requests.
 */
const GEMINI_DAILY = /✕ \[API Error: You (?:have exhausted your daily quota|exceeded your current quota)/;
const GEMINI_AUTH = /API key not valid|API_KEY_INVALID|UNAUTHENTICATED|Please re-?authenticate|login (?:has )?expired/i;
const GEMINI_CONTEXT_FULL = /exceeds the (?:maximum number of tokens|context window)|context window (?:is )?(?:full|exceeded)/i;
const GEMINI_COMPACTING = /Compressing chat history|Chat history compressed/;
const GEMINI_FAILED = /^\s*✕ /;

export const readGeminiLimit: LimitReader = (bottomLines, clock) => {
  const lines = trimLineEnds(bottomLines).map((l) => l.replace(/^│\s?/, '').replace(/\s*│$/, ''));
  const dialog = findLine(lines, GEMINI_USAGE_DIALOG);
  if (dialog && lines.some((l) => GEMINI_KEEP_TRYING.test(l))) {
    const resetLine = findLine(lines, GEMINI_RESETS);
    const resetText = resetLine ? GEMINI_RESETS.exec(resetLine)?.[1] : undefined;
    const resetAt = resetText ? parseResetTime(resetText, clock) : undefined;
    return { kind: 'usage', line: dialog, dialog: true, ...(resetText ? { resetText } : {}), ...(resetAt !== undefined ? { resetAt } : {}) };
  }
  // The input (` >   Type your message…` below a rule, with ` Shift+Tab to accept edits` between them on a whole
  // 0.61 screen) is not an echo: the latest turn ends above the last rule.
  let end = lines.length;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (/^─{20,}$/.test((lines[i] ?? '').trim())) {
      if (lines.slice(i + 1, i + 4).some((l) => /^\s*>\s/.test(l))) end = i;
      break;
    }
  }
  const turn = latestTurn(lines.slice(0, end), GEMINI_TURN_EDGE);
  const daily = findLine(turn, GEMINI_DAILY);
  if (daily) return { kind: 'usage', line: daily };
  const auth = findLine(turn, GEMINI_AUTH);
  if (auth) return { kind: 'auth', line: findLine(turn, GEMINI_FAILED) ?? auth };
  const full = findLine(turn, GEMINI_CONTEXT_FULL);
  if (full) return { kind: 'context_full', line: full };
  const compacting = findLine(turn, GEMINI_COMPACTING);
  if (compacting && lines.some((l) => /esc to cancel/.test(l))) return { kind: 'compacting', line: compacting };
  const failed = findLine(turn, GEMINI_FAILED);
  if (failed) return { kind: 'failed', line: failed };
  return undefined;
};

/** The limit reader for a profile, by name; none for CLIs whose screens were not measured. */
export function limitReaderFor(profileName: string): LimitReader | undefined {
  return LIMIT_READERS[profileName];
}

const LIMIT_READERS: Readonly<Record<string, LimitReader>> = {
  claude: readClaudeLimit,
  codex: readCodexLimit,
  gemini: readGeminiLimit,
  qwen: readQwenLimit,
  pi: readPiLimit,
  copilot: readCopilotLimit,
  opencode: readOpencodeLimit,
  // poli's mock TUIs draw Claude Code's classic screen, limit screens included (mocks --limit-at).
  mock: readClaudeLimit,
};
