/**
 * The two profiles that need no knowledge of a particular AI CLI: `genericProfile` for any CLI
 * (status from well-known phrases, input box unreadable) and `mockProfile` for poli's mock TUIs
 * (mocks/lib/screen.ts), whose bottom area imitates Claude Code's classic renderer:
 *
 *   ──────────────────────────     rule
 *   ❯\u00a0what the user typed       prompt (continuation rows start with two spaces)
 *   ──────────────────────────     rule
 *     ? for shortcuts              footer; busy: `✻ Working… (3s · esc to interrupt)`
 *
 * Long or multi-line pastes show as `[Pasted text #N +M lines]` in the prompt. All functions
 * take the bottom lines of the screen, ANSI already stripped, and are pure.
 */
import { CLAUDE_USAGE_OPTIONS } from './claude.ts';
import type { ScreenState } from '../tmux/types.ts';
import type { CliProfile } from './types.ts';
import { mockTranscript } from './usage/mock.ts';

/** Shown by Claude Code, Codex and the mocks while a turn runs. */
const BUSY_PHRASE = 'esc to interrupt';
/** Permission prompts of Claude Code, Aider, Gemini and Codex (ai-cli-field-notes.md). */
const APPROVAL_PHRASES = ['Do you want to proceed?', '(Y)es/(N)o', 'Yes, allow once', 'Would you like to run'];
/** Claude Code (and the mocks) put a no-break space after the prompt glyph. */
const PROMPT = '❯\u00a0';
const CONTINUATION = '  ';
const RULE = /^─{3,}$/;

/** Works with any CLI: recognises busy and approval screens, cannot read the input box. */
export const genericProfile: CliProfile = {
  name: 'generic',
  programs: [],
  launch: { args: [], env: {} },
  dialogs: [],
  echoPrefix: '',
  replyPrefix: '',
  minEnterDelayMs: 0,
  classify(bottomLines) {
    if (containsPhrase(bottomLines, [BUSY_PHRASE])) return 'busy';
    if (containsPhrase(bottomLines, APPROVAL_PHRASES)) return 'approval';
    return 'unknown';
  },
  readInput() {
    return undefined;
  },
};

/**
 * poli's mock TUIs (and the test recorder): reads the input box between the two rules. No
 * minimum delay: the mocks submit an Enter sent right after a paste, and when one imitates
 * Claude's habit of absorbing it (--swallow-first-enter), verification sees the text still in
 * the box and presses Enter again. Only the real Claude profile pays a fixed delay.
 */
export const mockProfile: CliProfile = {
  name: 'mock',
  programs: [],
  launch: { args: [], env: {} },
  // The mocks' limit screens are Claude Code's (mocks --limit usage-options), and so is the answer to its menu.
  dialogs: [CLAUDE_USAGE_OPTIONS],
  echoPrefix: PROMPT,
  replyPrefix: '● ',
  minEnterDelayMs: 0,
  // Usage only, and only when the mocks keep a usage transcript (MOCK_USAGE_DIR).
  transcript: mockTranscript,
  classify(bottomLines): ScreenState {
    const box = findInputBox(bottomLines);
    // Only the footer below the box counts for busy: a reply above it may quote the phrase.
    if (box !== undefined && containsPhrase(bottomLines.slice(box.closingRule + 1), [BUSY_PHRASE])) return 'busy';
    if (containsPhrase(bottomLines, APPROVAL_PHRASES)) return 'approval';
    if (box !== undefined) return 'idle';
    return 'unknown';
  },
  readInput(bottomLines) {
    const box = findInputBox(bottomLines);
    if (box === undefined) return undefined;
    const rows = bottomLines.slice(box.openingRule + 1, box.closingRule);
    const text = rows.map((row, i) => (i === 0 ? row.slice(PROMPT.length) : row.slice(CONTINUATION.length))).join('\n');
    // The mock draws its cursor as an (inverse) space after the input: trailing blanks are not input.
    return text.trimEnd();
  },
};

interface InputBox {
  openingRule: number;
  closingRule: number;
}

/**
 * The last `rule / ❯ input… / rule` group in the lines, or undefined. The closing rule is the
 * last rule line; the opening one the rule before it, with the prompt row right after it.
 */
function findInputBox(lines: readonly string[]): InputBox | undefined {
  let closingRule = -1;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (isRule(lines[i])) {
      closingRule = i;
      break;
    }
  }
  for (let i = closingRule - 1; i >= 0; i -= 1) {
    if (!isRule(lines[i])) continue;
    const prompt = lines[i + 1] ?? '';
    if (i + 1 >= closingRule || !prompt.startsWith(PROMPT)) return undefined;
    const continuationOk = lines.slice(i + 2, closingRule).every((row) => row.startsWith(CONTINUATION) || row.trim() === '');
    return continuationOk ? { openingRule: i, closingRule } : undefined;
  }
  return undefined;
}

function isRule(line: string | undefined): boolean {
  return line !== undefined && RULE.test(line.trim());
}

function containsPhrase(lines: readonly string[], phrases: readonly string[]): boolean {
  return lines.some((line) => phrases.some((phrase) => line.includes(phrase)));
}
