/**
 * Gemini CLI (`gemini`). Measured on 0.61.0 in a 250×50 tmux pane against a fake Gemini API
 * (test/real-cli/fake-gemini.ts); older versions drew the input in a rounded box (`│ > text │`), still read here.
 * - no alternate screen: real scrollback;
 * - input: ` >   Type your message or @path/to/file` (the placeholder) under a `─` rule and the hint
 *   ` Shift+Tab to accept edits`, the workspace/sandbox/model footer below it;
 * - a running turn: ` ⠴ Thinking... (esc to cancel, 0s)` above the rule; a finished turn: the spinner is gone (no
 *   summary line);
 * - the echo of a prompt starts ` > ` (3-space continuation), a reply `✦ ` (2-space continuation); inside a ``` fence
 *   every line gets a line number (`    1 [[POLI:MSG …`) unless the user set `ui.showLineNumbers` false, and the
 *   fence lines are hidden: the transcript (below) is the source of exact bodies;
 * - a tool approval: `Allow execution of [Shell]?` / `● 1. Allow once` (older: `Allow execution of: '…'?`,
 *   `Yes, allow once`);
 * - errors are printed as lines starting `✕`;
 * - an Enter less than ~300 ms after a bracketed paste is swallowed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScreenState } from '../tmux/types.ts';
import type { CliProfile, DialogRule, TranscriptSource } from './types.ts';
import { findLastLine, trimLineEnds } from './screen-lines.ts';
import { geminiUsage } from './usage/gemini.ts';

const INPUT_LINE = /^\s*(?:│\s*)?> /;
const BOX_EDGES = /^\s*(?:│\s*)?> |\s*│\s*$/g;
export const GEMINI_PLACEHOLDERS: readonly string[] = [
  'Type your message or @path/to/file',
  'Type your shell command',
];
const BUSY = /\(esc to cancel, \d+[smh]/;
/**
 * A prompt submitted while the CLI still initialises (its input box is drawn before that ends) or while a turn runs
 * is held above the input as `Queued (press ↑ to edit):` and sent later: the CLI is not idle yet.
 */
const QUEUED = /^\s*Queued \(press ↑ to edit\)/;
const APPROVAL = /Allow execution of\b|Apply this change\?|Yes, allow once|● 1\. Allow once|Do you want to proceed\?/;
const ERROR_LINE = /^(?:│\s*)?✕/;

function lineAbove(lines: readonly string[], index: number): string {
  for (let i = index - 1; i >= 0; i -= 1) {
    const line = (lines[i] ?? '').replace(/^[\s╭╰─╮╯]+$/, '').trim();
    if (line !== '') return line;
  }
  return '';
}

/** The echo of a submitted prompt: ` > text`, continued with 3 spaces (a numbered fence line is `   12 text`). */
const ECHO_START = /^ > \S/;
const ECHO_CONTINUATION = /^ {3}(?! *\d+ )\S/;
const PASTE_HINT = /^\s*Press Ctrl\+O to expand pasted text/;
/** The input's frame and hints between the conversation and the input line. */
const INPUT_CHROME = /^\s*(?:─{10,}|Shift\+Tab to accept edits|Press Ctrl\+O to expand|\S+ accepting edits|YOLO mode)/;

/**
 * The last line of the conversation above the input (its frame and hints skipped), or undefined. A prompt whose echo
 * is the last thing there has been taken but not answered yet: between the queue handing it over and the spinner
 * showing, the screen looks idle otherwise.
 */
function lastConversationLine(lines: readonly string[], input: number): string | undefined {
  for (let i = input - 1; i >= 0; i -= 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || INPUT_CHROME.test(line)) continue;
    return line;
  }
  return undefined;
}

export function classifyGeminiScreen(bottomLines: readonly string[]): ScreenState {
  const lines = trimLineEnds(bottomLines);
  if (lines.some((line) => APPROVAL.test(line))) return 'approval';
  if (lines.some((line) => BUSY.test(line) || QUEUED.test(line))) return 'busy';
  const input = findLastLine(lines, INPUT_LINE);
  if (input === undefined) return 'unknown';
  // After a pasted prompt is submitted the hint stays for a few seconds; while the input is empty it means the prompt
  // was just taken, and its echo may not be drawn yet (seen while the CLI still initialised): not idle yet.
  if (lines.some((line) => PASTE_HINT.test(line)) && readGeminiInput(lines) === '') return 'busy';
  const last = lastConversationLine(lines, input);
  if (last !== undefined && (ECHO_START.test(last) || ECHO_CONTINUATION.test(last))) return 'busy';
  return ERROR_LINE.test(lineAbove(lines, input)) ? 'error' : 'idle';
}

export function readGeminiInput(bottomLines: readonly string[]): string | undefined {
  const lines = trimLineEnds(bottomLines);
  const input = findLastLine(lines, INPUT_LINE);
  if (input === undefined) return undefined;
  const text = (lines[input] ?? '').replace(BOX_EDGES, '').trim();
  return GEMINI_PLACEHOLDERS.includes(text) ? '' : text;
}

const has =
  (...patterns: RegExp[]) =>
  (lines: readonly string[]): boolean =>
    patterns.every((pattern) => lines.some((line) => pattern.test(line)));

export const GEMINI_DIALOGS: readonly DialogRule[] = [
  {
    name: 'trust folder',
    // Enter confirms the highlighted choice; answer only while "Trust folder" (this folder, not its parent) is it.
    matches: has(/Do you trust (?:this folder|the files in this folder)\?/, /● 1\. Trust folder\b/),
    answer: ['Enter'],
    projectOnly: true,
  },
  {
    name: 'usage limit options',
    // A daily quota used up (limits-screens.md): "Usage limit reached for all Pro models. … ● 1. Keep trying / 2. Stop".
    // '2' (Stop) leaves `✕ [API Error: You have exhausted your daily quota …` above an idle prompt, which poli waits
    // out on its own schedule (within --limit-wait) before sending the message again; "Keep trying" would spend the
    // wait in requests the API refuses.
    matches: has(/Usage limit reached for /, /1\. Keep trying/, /2\. Stop/),
    answer: ['2'],
  },
  {
    name: 'authentication',
    matches: has(/How would you like to authenticate|Get started/),
    answer: 'refuse',
    hint: 'Gemini CLI is not signed in: run `gemini` once by hand and authenticate',
  },
];

/**
 * `~/.gemini/tmp/<project short name>/chats/session-*.jsonl` (the short name is the project's entry in
 * `~/.gemini/projects.json`, usually its base name); records `{"type":"gemini","content":"…"}` hold the reply as the
 * model wrote it (measured on 0.61.0). `GEMINI_CLI_HOME` moves `~/.gemini`.
 */
export const GEMINI_TRANSCRIPT: TranscriptSource = {
  dirs(projectDir, env) {
    const base = env.GEMINI_CLI_HOME || env.HOME;
    if (!base) return [];
    const root = path.join(base, '.gemini');
    const names = new Set<string>();
    try {
      const projects = (JSON.parse(readFileSync(path.join(root, 'projects.json'), 'utf8')) as { projects?: Record<string, unknown> }).projects;
      const name = projects?.[projectDir];
      if (typeof name === 'string' && name !== '') names.add(name);
    } catch {
      // Not written yet (the CLI writes it at start) or another layout: fall back to the base name.
    }
    names.add(path.basename(projectDir).toLowerCase());
    names.add(path.basename(projectDir));
    return [...names].map((name) => path.join(root, 'tmp', name, 'chats'));
  },
  file: /^session-.*\.jsonl$/,
  assistantTexts(record) {
    if (!isObject(record) || record.type !== 'gemini') return [];
    const content = record.content;
    if (typeof content === 'string') return content === '' ? [] : [content];
    if (!Array.isArray(content)) return [];
    const text = content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
    return text === '' ? [] : [text];
  },
  usage: geminiUsage,
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const geminiProfile: CliProfile = {
  name: 'gemini',
  programs: ['gemini'],
  // No flags: the documented ones change approval or sandboxing (--approval-mode, --yolo, --sandbox), which is the
  // user's choice to put on their command line.
  // Gemini CLI takes a CI environment (CI=true, as CI machines and many scripts set it) for a non-interactive run:
  // with no prompt on stdin it exits 42 at once. In its pane it is interactive, whatever poli's own environment says.
  launch: { args: [], env: { CI: 'false' } },
  // An Enter 0 ms after a bracketed paste was swallowed 3 of 3 times, at 150 ms 1 of 3; at 300–500 ms never.
  minEnterDelayMs: 400,
  classify: classifyGeminiScreen,
  readInput: readGeminiInput,
  // Under load it looked idle for a moment after taking its primer, before drawing the echo: settle first.
  readySettleMs: 1500,
  dialogs: GEMINI_DIALOGS,
  echoPrefix: '> ',
  replyPrefix: '✦ ',
  transcript: GEMINI_TRANSCRIPT,
};
