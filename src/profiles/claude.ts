/**
 * Claude Code (`claude`), classic renderer. Screen facts measured on 2.1.197 in a 250×50 tmux pane
 * (fixtures in ./fixtures/claude-*.txt):
 * - the input box is a `❯` line (followed by U+00A0, not a space) between two full-width `─` rules; the footer
 *   below the box says `? for shortcuts`, `esc to interrupt` while a turn runs, or `paste again to expand` after
 *   a paste (that hint stays through the whole turn, so the footer alone cannot tell busy from idle);
 * - a running turn shows a spinner line above the box: a glyph from `·✢✳✶✻✽*`, a verb and `…`
 *   (`✻ Thundering…`, `* Meandering… (3s · ↑ 19 tokens)`); a finished one `✻ Churned for 3s` (no `…`);
 * - a permission request replaces the box: `Do you want to proceed?` / `❯ 1. Yes` / `Esc to cancel · …`;
 * - a multi-line paste shows only `[Pasted text #1 +4 lines]` in the box; a short single-line one shows the text,
 *   but only after ~100–300 ms (the paste handler waits before it renders, and swallows an Enter meanwhile).
 */
import path from 'node:path';
import type { ScreenState } from '../tmux/types.ts';
import type { CliProfile, DialogRule, TranscriptSource } from './types.ts';
import { findInputBox, trimLineEnds, type InputBox } from './screen-lines.ts';
import { claudeUsage } from './usage/claude.ts';

const RULE = /^─{20,}$/;
const PROMPT = /^❯(?:[\u00a0 ]|$)/;
/** Spinner glyphs Claude Code cycles through while a turn runs, then the verb and an ellipsis. */
const SPINNER_LINE = /^[·✢✳✶✻✽*] \S.*…/;
const PERMISSION_QUESTION = /Do you want to (?:proceed|make this edit|create|delete|overwrite)\b/;
/** `❯ 1. Yes` (2.1.197); 2.1.332 drops the numbers and may put `❯ No` first (`Do you want to proceed? ❯ No / Yes`). */
const NUMBERED_YES = /^\s*(?:❯\s*)?(?:1\. )?Yes\b/;
/**
 * A failed request is printed as the turn's reply, `● API Error: 400 …`, followed by the turn summary; a rejected
 * key leaves `Not logged in · Run /login` in the footer.
 */
const ERROR_LINE = /^(?:[●⎿]\s+)?API Error\b/;
const LOGGED_OUT = /Not logged in · Run \/login/;
/** The line that ends every turn, `✻ Worked for 0s`, `✻ Churned for 3s`. */
const TURN_SUMMARY = /^[·✢✳✶✻✽*] \S+ for \d/;

/** The last `count` non-blank lines above the box's top rule, nearest first (spinner, turn summary, reply). */
function linesAboveBox(lines: readonly string[], box: InputBox, count: number): string[] {
  const found: string[] = [];
  for (let i = box.prompt - 2; i >= 0 && found.length < count; i -= 1) {
    const line = lines[i]?.trim() ?? '';
    if (line !== '') found.push(line);
  }
  return found;
}

export function classifyClaudeScreen(bottomLines: readonly string[]): ScreenState {
  const lines = trimLineEnds(bottomLines);
  if (lines.some((line) => PERMISSION_QUESTION.test(line)) && lines.some((line) => NUMBERED_YES.test(line))) {
    return 'approval';
  }
  const box = findInputBox(lines, PROMPT, RULE);
  if (!box) return 'unknown';
  const footer = lines.slice(box.bottomRule + 1);
  const [above = '', beforeThat = ''] = linesAboveBox(lines, box, 2);
  if (footer.some((line) => line.includes('esc to interrupt')) || SPINNER_LINE.test(above)) return 'busy';
  const lastReply = TURN_SUMMARY.test(above) ? beforeThat : above;
  if (ERROR_LINE.test(lastReply) || footer.some((line) => LOGGED_OUT.test(line))) return 'error';
  return 'idle';
}

export function readClaudeInput(bottomLines: readonly string[]): string | undefined {
  const lines = trimLineEnds(bottomLines);
  const box = findInputBox(lines, PROMPT, RULE);
  if (!box) return undefined;
  const text = lines
    .slice(box.prompt, box.bottomRule)
    .map((line, k) => (k === 0 ? line.replace(PROMPT, '') : line.replace(/^ {2}/, '')))
    .join('\n');
  return text.replace(/\u00a0/g, ' ').trim();
}

const has =
  (...patterns: RegExp[]) =>
  (lines: readonly string[]): boolean =>
    patterns.every((pattern) => lines.some((line) => pattern.test(line)));

/** Claude Code's menu at a usage limit, answered with the choice that stops and waits (mocks show it too). */
export const CLAUDE_USAGE_OPTIONS: DialogRule = {
  name: 'usage limit options',
  // A subscription's usage limit with its reset a day or more away (limits-screens.md): "What do you want to do?
  // ❯ 1. Stop and wait for limit to reset / 2. Wait here, then continue automatically / 3. Switch to usage credits /
  // 4. Upgrade your plan". '1' picks and confirms the first (measured: digits confirm at once) and leaves the limit
  // line with its reset time above an idle prompt; poli waits for that time and sends the message again itself.
  // Never 3 or 4 (they spend money); not 2 (Claude's own continue does not fire in a detached pane).
  matches: has(/What do you want to do\?/, /1\. Stop and wait for limit to reset/),
  answer: ['1'],
};

export const CLAUDE_DIALOGS: readonly DialogRule[] = [
  {
    name: 'trust folder',
    matches: has(/Is this a project you created or one you trust|Do you trust the files in this folder/, /1\. Yes, I trust this folder/),
    // '1' selects "Yes, I trust this folder" and confirms in one key (measured); the other choice exits.
    answer: ['1'],
    projectOnly: true,
  },
  {
    name: 'trust folder (unnumbered)',
    // Claude Code 2.1.332 (measured): the choices lost their numbers and "No, exit" comes first, preselected, so Enter
    // (or a primer typed into it) exits. Down moves to "Yes, I trust this folder"; match only that exact order.
    matches: has(/Is this a project you created or one you trust/, /^\s*❯ No, exit$/, /^\s*Yes, I trust this folder$/),
    answer: ['Down', 'Enter'],
    projectOnly: true,
  },
  {
    name: 'auto mode cannot check',
    // Claude Code 2.1.332 (measured): in its default auto mode, with the server-side safety check unreachable (a
    // gateway, offline), it stops at "Auto mode can't check actions in this session". Enter stays in auto mode and
    // asks the person for each such action; shift+Tab would leave for accept-edits mode, which runs them unasked.
    matches: has(/Auto mode can't check actions in this session/, /Enter to stay in auto mode/),
    answer: ['Enter'],
  },
  CLAUDE_USAGE_OPTIONS,
  {
    name: 'custom API key',
    matches: has(/Detected a custom API key/, /1\. Yes/),
    // The default is "2. No (recommended)": Enter would reject the key and leave Claude logged out.
    // '1' selects Yes and confirms at once (measured on 2.1.197).
    answer: ['1'],
  },
  {
    name: 'bypass permissions warning',
    matches: has(/Bypass Permissions mode/, /Yes, I accept/),
    // The default is "No, exit"; accepting turns off every permission prompt, which is the user's call.
    answer: 'refuse',
    hint:
      'accepting it turns off every permission prompt, which is your decision: run the command once by hand and ' +
      'choose "Yes, I accept", or drop --dangerously-skip-permissions from the command',
  },
  {
    name: 'theme picker',
    matches: has(/Choose the text style that looks best with your terminal/),
    answer: ['Enter'],
  },
  {
    name: 'login method',
    matches: has(/Select login method|Choose your login method/),
    answer: 'refuse',
    hint: 'the CLI is not logged in: run it once by hand and log in (or set ANTHROPIC_API_KEY)',
  },
];

/**
 * `<config dir>/projects/<project path with every character but letters and digits turned into ->/<session>.jsonl`;
 * the config dir is $CLAUDE_CONFIG_DIR or ~/.claude. Records `{"type":"assistant","message":{"content":[{"type":
 * "text","text":…}]}}` hold the model's text as written (measured on 2.1.197).
 */
export const CLAUDE_TRANSCRIPT: TranscriptSource = {
  dirs(projectDir, env) {
    const config = env.CLAUDE_CONFIG_DIR || (env.HOME ? path.join(env.HOME, '.claude') : undefined);
    return config ? [path.join(config, 'projects', projectDir.replace(/[^A-Za-z0-9]/g, '-'))] : [];
  },
  file: /\.jsonl$/,
  assistantTexts(record) {
    if (!isObject(record) || record.type !== 'assistant' || !isObject(record.message)) return [];
    const content = record.message.content;
    if (!Array.isArray(content)) return [];
    return content.flatMap((part) => (isObject(part) && part.type === 'text' && typeof part.text === 'string' ? [part.text] : []));
  },
  usage: claudeUsage,
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const claudeProfile: CliProfile = {
  name: 'claude',
  programs: ['claude'],
  launch: {
    args: [],
    // Pins the classic renderer: the fullscreen one draws on the alternate screen and keeps no history.
    env: { CLAUDE_CODE_DISABLE_ALTERNATE_SCREEN: '1' },
  },
  // Claude's paste handler swallows an Enter that arrives within ~100 ms of a paste; a single-line paste took
  // up to ~300 ms to render in our runs, so Enter comes well after.
  minEnterDelayMs: 200,
  classify: classifyClaudeScreen,
  readInput: readClaudeInput,
  dialogs: CLAUDE_DIALOGS,
  echoPrefix: '❯ ',
  replyPrefix: '● ',
  wrapsLines: true,
  transcript: CLAUDE_TRANSCRIPT,
};
