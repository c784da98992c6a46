/**
 * Limit screens of the CLIs that talk to an OpenAI-compatible API: Qwen Code, pi, opencode and GitHub Copilot CLI.
 * None of them has a usage-limit screen of its own; each shows the provider's error message in its own frame once it
 * gave up (and some show their retries). So the provider's words decide the kind: a plan quota ("quota … exhausted …
 * will reset at <time>", what Qwen Code itself fast-fails on), OpenAI's `insufficient_quota`, a bad key (401), a
 * context that no longer fits. Pure functions of the bottom lines; see limit-screens.ts for the kinds.
 *
 * Screen facts: captured with test/real-cli/limit-probe.ts (Qwen Code 0.24.4, pi 0.73.1, opencode 1.18.33, Copilot
 * CLI 1.0.102, 250×50 panes) against test/real-cli/fake-chat.ts's CHAT_ERRORS. Fixtures: ./fixtures/limits/.
 */
import type { LimitReader, LimitScreen } from './limit-types.ts';
import { type LimitClock, parseResetTime } from './reset-time.ts';
import { findLine, latestTurn, trimLineEnds } from './screen-lines.ts';

// ---------------------------------------------------------------------------------------------------------------
// The provider's words

/** A plan's quota that ran out, with the time it comes back (`… will reset at 2026-11-28T10:42:55Z.`). */
const PROVIDER_USAGE = /\bquota\b.*\b(?:exhausted|exceeded|will reset|resets? at)\b|\busage limit\b|\binsufficient_quota\b|exceeded your current quota/i;
const PROVIDER_RESET = /\b(?:will reset|resets?) (?:at|on) (.+?)(?:\.(?:\s|$)|\s*\(|\)|$)/i;
const PROVIDER_AUTH = /\b(?:401|403)\b|Incorrect API key|invalid[_ ]api[_ ]key|API key not valid|\bUnauthorized\b|authentication (?:failed|error)/i;
const PROVIDER_CONTEXT_FULL = /maximum context length|context[_ ]length[_ ]exceeded|exceeds? the context window|prompt is too long/i;

/**
 * What a CLI's error text (`text`, one or more of its lines joined) says, by the provider's words: a usage limit (with
 * the reset time when the message names one), a login, a full context; otherwise a failed request.
 */
export function readProviderError(line: string, text: string, clock: LimitClock): LimitScreen {
  if (PROVIDER_USAGE.test(text)) {
    const resetText = PROVIDER_RESET.exec(text)?.[1];
    const resetAt = resetText ? parseResetTime(resetText, clock) : undefined;
    const exact = resetText !== undefined && /T\d{2}:\d{2}:\d{2}/.test(resetText);
    return { kind: 'usage', line, ...(resetAt !== undefined ? { resetText, resetAt, ...(exact ? { resetExact: true } : {}) } : {}) };
  }
  if (PROVIDER_CONTEXT_FULL.test(text)) return { kind: 'context_full', line };
  if (PROVIDER_AUTH.test(text)) return { kind: 'auth', line };
  return { kind: 'failed', line };
}

const RULE = /^\s*─{20,}/;

/** The index of the input box's top rule: the rule right above the last input line (the whole screen if none). */
function inputTop(lines: readonly string[], input: RegExp): number {
  for (let i = lines.length - 1; i > 0; i -= 1) {
    if (input.test(lines[i] ?? '') && RULE.test(lines[i - 1] ?? '')) return i - 1;
  }
  return lines.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Qwen Code 0.24.4

/** A prompt's echo (`  > text`), or an answer (`  ◆︎ `): the latest turn is below the last one. */
const QWEN_TURN_EDGE = /^ {2}> \S|^\s*◆/;
const QWEN_ERROR = /^\s*✕ /;
/** Its retry countdown (the bundle's `Retrying in {{seconds}} seconds… (attempt k/n)`; not seen offline: it retried 429/503 silently). */
const QWEN_RETRYING = /Retrying in (\d+)(?:s| seconds)… \(attempt (\d+)\/(\d+)\)/;

export const readQwenLimit: LimitReader = (bottomLines, clock) => {
  const lines = trimLineEnds(bottomLines);
  const retrying = findLine(lines, QWEN_RETRYING);
  if (retrying) {
    const m = QWEN_RETRYING.exec(retrying);
    return { kind: 'retrying', line: retrying, attempt: { k: Number(m?.[2]), of: Number(m?.[3]) }, retryInSec: Number(m?.[1]) };
  }
  const turn = latestTurn(lines.slice(0, inputTop(lines, /^>\s/)), QWEN_TURN_EDGE);
  const at = turn.findIndex((l) => QWEN_ERROR.test(l));
  if (at < 0) return undefined;
  // `✕ Quota exhausted: <the provider's message>` then, after a blank, `Please retry after the reset time, …`.
  const line = (turn[at] ?? '').trim();
  return readProviderError(line, turn.slice(at).join(' '), clock);
};

// ---------------------------------------------------------------------------------------------------------------
// pi 0.73.1

/**
 * pi's items are paragraphs (a blank line between them) above the input box; prompt echo and reply both start with
 * one space, so the latest turn is read from the bottom: the last paragraphs, up to the first that is no error.
 */
const PI_ERROR = /^ Error: /;
const PI_RETRYING = /Retrying \((\d+)\/(\d+)\) in (\d+)s\.\.\./;
const PI_CONTEXT_GAVE_UP = /Context overflow recovery failed\b/;
const PI_COMPACTING = /Auto-compacting\.\.\.|Compacting context\.\.\.|Context overflow detected, Auto-compacting/;

export const readPiLimit: LimitReader = (bottomLines, clock) => {
  const lines = trimLineEnds(bottomLines);
  let top = lines.length;
  for (let i = lines.length - 1, rules = 0; i >= 0; i -= 1) {
    if (!/^─{20,}$/.test(lines[i] ?? '')) continue;
    rules += 1;
    if (rules === 2) {
      top = i;
      break;
    }
  }
  const above = lines.slice(0, top);
  while (above.length > 0 && (above.at(-1) ?? '').trim() === '') above.pop();
  const last = above.at(-1) ?? '';
  const retrying = PI_RETRYING.exec(last);
  if (retrying) return { kind: 'retrying', line: last.trim(), attempt: { k: Number(retrying[1]), of: Number(retrying[2]) }, retryInSec: Number(retrying[3]) };
  if (PI_COMPACTING.test(last)) return { kind: 'compacting', line: last.trim() };
  if (PI_CONTEXT_GAVE_UP.test(last)) return { kind: 'context_full', line: last.trim() };
  // The last paragraph: an error runs on over a line or two of pi's own wrapping (` more.`), a reply below it ends it.
  let start = above.length;
  while (start > 0 && (above[start - 1] ?? '').trim() !== '') start -= 1;
  const paragraph = above.slice(start);
  if (!PI_ERROR.test(paragraph[0] ?? '')) return undefined;
  const line = (paragraph[0] ?? '').trim();
  return readProviderError(line, paragraph.join(' '), clock);
};

// ---------------------------------------------------------------------------------------------------------------
// GitHub Copilot CLI 1.0.102 (bring-your-own-key provider)

/** A prompt's echo (` ❯ text`): the latest turn is below the last one. */
const COPILOT_TURN_EDGE = /^ ❯ \S/;
/** Items of the turn start at column 1 with a bullet (` ● ` reply or note, ` ✗ ` error); lines under them are indented. */
const COPILOT_ITEM = /^ [●✗◉◎○] /;
const COPILOT_ERROR = /^ ✗ /;
/** Shown while it retries what it takes for a passing error (seen for a 401; 429 and 503 were retried silently). */
const COPILOT_RETRYING = /^ ● Request failed due to a transient API error\. Retrying\.\.\./;

export const readCopilotLimit: LimitReader = (bottomLines, clock) => {
  // Its alternate screen draws a scrollbar glyph in the last column of some rows.
  const lines = trimLineEnds(bottomLines).map((l) => l.replace(/\s*[┃│]$/, ''));
  const turn = latestTurn(lines.slice(0, inputTop(lines, /^❯/)), COPILOT_TURN_EDGE);
  let last = -1;
  for (let i = turn.length - 1; i >= 0; i -= 1) {
    if (COPILOT_ITEM.test(turn[i] ?? '')) {
      last = i;
      break;
    }
  }
  if (last < 0) return undefined;
  const item = turn[last] ?? '';
  if (COPILOT_RETRYING.test(item) && lines.some((l) => /\bWorking\b.*\besc\b/.test(l))) return { kind: 'retrying', line: item.trim() };
  if (!COPILOT_ERROR.test(item)) return undefined;
  // `✗ Failed to get response from the AI model; retried 5 times (…) Last error: <the provider's message>`.
  const text = [item, ...turn.slice(last + 1).filter((l) => /^ {3,}\S/.test(l))].join(' ');
  return readProviderError(item.trim(), text, clock);
};

// ---------------------------------------------------------------------------------------------------------------
// opencode 1.18.33 (--mini)

/** A finished turn: `▣ Build · Model default · 4.2s` (also after an error). */
const OPENCODE_SUMMARY = /^▣ /;
const OPENCODE_ECHO = /^› /;

/**
 * opencode prints a failed request's message bare (no prefix) above its turn summary, and the same text again as a
 * notice between the summary and its input: that repetition tells an error from a reply. Without it only the
 * provider's words for a login, a quota or a full context count. Its retries (429, 503) are silent, and a context
 * overflow is compacted and retried by itself: no screen for those.
 */
export const readOpencodeLimit: LimitReader = (bottomLines, clock) => {
  const lines = trimLineEnds(bottomLines);
  let summary = -1;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (OPENCODE_SUMMARY.test(lines[i] ?? '')) {
      summary = i;
      break;
    }
  }
  if (summary < 0) return undefined;
  const after = lines.slice(summary + 1).map((l) => l.trim()).filter((l) => l !== '');
  // A newer prompt went in after that turn.
  if (after.some((l) => OPENCODE_ECHO.test(l))) return undefined;
  let i = summary - 1;
  while (i >= 0 && (lines[i] ?? '').trim() === '') i -= 1;
  const line = (lines[i] ?? '').trim();
  if (line === '' || OPENCODE_ECHO.test(line)) return undefined;
  const screen = readProviderError(line, line, clock);
  return screen.kind === 'failed' && !after.includes(line) ? undefined : screen;
};
