/**
 * Qwen Code (`qwen`), a fork of Gemini CLI. Measured on 0.24.4 in a 250×50 tmux pane against a fake Chat Completions
 * server (test/real-cli/fake-chat.ts), with default settings:
 * - `ui.useTerminalBuffer` is on by default: the UI draws on the alternate screen and keeps no scrollback (only the
 *   last ~50 rows exist for tmux). No flag turns it off, and poli leaves the user's settings alone: a reply taller
 *   than the screen is read from the session transcript (below), which is also the source of exact bodies;
 * - input: `>   Type your message or @path/to/file` (placeholder) between two `─` rules, footer
 *   `➜ dir · git:(branch) · model` and the approval mode (`Auto mode (shift + tab to cycle)`);
 * - a running turn: `⠏ <witty phrase>... (1s · esc to cancel)`, footer `Enter to steer · Ctrl+Q to queue`; done: the
 *   spinner line disappears;
 * - echo `  > `, reply `  ◆︎ ` (U+25C6 U+FE0E); a fenced body gets a 5-space line-number gutter;
 * - approval (the default "auto" mode asks whenever its classifier cannot decide): `Allow execution of: 'touch'?` /
 *   `› 1. Yes, allow once` / `2. Switch to Default Mode and allow once` / `3. No, suggest changes (esc)`; Enter allows
 *   once;
 * - error: `✕ [API Error: 400 …] (Press Ctrl+Y to retry)`;
 * - paste then Enter at 0 ms submitted 3 of 3; a large paste shows `> [Pasted Content 1911 chars]`.
 */
import path from 'node:path';
import type { ScreenState } from '../tmux/types.ts';
import { qwenUsage } from './usage/qwen.ts';
import type { CliProfile, DialogRule, TranscriptSource } from './types.ts';
import { findLastLine, trimLineEnds } from './screen-lines.ts';

const RULE = /^\s*─{10,}/;
const INPUT_LINE = /^\s*> /;
export const QWEN_PLACEHOLDERS: readonly string[] = ['Type your message or @path/to/file', 'Type your shell command'];
const BUSY = /\(\d+[smh][^)]*esc to cancel\)|\(esc to cancel, \d+[smh]|Enter to steer · Ctrl\+Q to queue|Waiting for user confirmation|^\s*Queued \(press ↑ to edit\)/;
const APPROVAL = /Allow execution of\b|Apply this change\?|Yes, allow once|Do you want to proceed\?/;
const ERROR_LINE = /^\s*✕ /;
const STARTUP_WARNING = /Ripgrep not available|ripgrep.*EACCES/i;

/** The input line: the last `> ` line right under a rule. */
function findInput(lines: readonly string[]): number | undefined {
  for (let i = lines.length - 1; i > 0; i -= 1) {
    if (INPUT_LINE.test(lines[i] ?? '') && RULE.test(lines[i - 1] ?? '')) return i;
  }
  return findLastLine(lines, /^> /);
}

function lastLineAbove(lines: readonly string[], input: number): string {
  for (let i = input - 1; i >= 0; i -= 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || RULE.test(line)) continue;
    return line;
  }
  return '';
}

/** The echo of a prompt poli typed (`  > text`, continued with 4 spaces): taken, not answered yet. */
const ECHO = /^ {2}> \S/;

export function classifyQwenScreen(bottomLines: readonly string[]): ScreenState {
  const lines = trimLineEnds(bottomLines);
  if (lines.some((line) => APPROVAL.test(line))) return 'approval';
  if (lines.some((line) => BUSY.test(line))) return 'busy';
  const input = findInput(lines);
  // Before its UI, Qwen Code may print a warning (its bundled ripgrep installed without the execute bit: "Ripgrep not
  // available … EACCES") that stays for seconds: a settled screen, but nothing takes input yet.
  if (input === undefined) return lines.some((line) => STARTUP_WARNING.test(line)) ? 'busy' : 'unknown';
  const above = lastLineAbove(lines, input);
  if (ECHO.test(above)) return 'busy';
  return ERROR_LINE.test(above) ? 'error' : 'idle';
}

export function readQwenInput(bottomLines: readonly string[]): string | undefined {
  const lines = trimLineEnds(bottomLines);
  const input = findInput(lines);
  if (input === undefined) return undefined;
  const parts: string[] = [];
  for (let i = input; i < lines.length && !RULE.test(lines[i] ?? ''); i += 1) {
    parts.push((lines[i] ?? '').replace(i === input ? INPUT_LINE : /^ {2}/, ''));
  }
  const text = parts.join('\n').trim();
  return QWEN_PLACEHOLDERS.includes(text) ? '' : text;
}

const has =
  (...patterns: RegExp[]) =>
  (lines: readonly string[]): boolean =>
    patterns.every((pattern) => lines.some((line) => pattern.test(line)));

export const QWEN_DIALOGS: readonly DialogRule[] = [
  {
    name: 'trust folder',
    // As in Gemini CLI: Enter confirms the highlighted choice; answer only while "Trust folder" (this one) is it.
    matches: has(/Do you trust (?:this folder|the files in this folder)\?/, /[●›] 1\. Trust folder\b/),
    answer: ['Enter'],
    projectOnly: true,
  },
  {
    name: 'authentication',
    matches: has(/How would you like to authenticate|Get started|Select Authentication Method/i),
    answer: 'refuse',
    hint: 'Qwen Code is not set up: run `qwen` once by hand and authenticate, or set OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL',
  },
];

/**
 * `~/.qwen/projects/<project path with / (and other punctuation) turned into ->/chats/<session>.jsonl`; records
 * `{"type":"assistant","message":{"role":"model","parts":[{"text":…}]}}` hold the reply as the model wrote it.
 */
export const QWEN_TRANSCRIPT: TranscriptSource = {
  dirs(projectDir, env) {
    const base = env.QWEN_HOME || (env.HOME ? path.join(env.HOME, '.qwen') : undefined);
    if (!base) return [];
    const names = new Set([projectDir.replace(/\//g, '-'), projectDir.replace(/[^A-Za-z0-9]/g, '-')]);
    return [...names].map((name) => path.join(base, 'projects', name, 'chats'));
  },
  file: /\.jsonl$/,
  assistantTexts(record) {
    if (!isObject(record) || record.type !== 'assistant' || !isObject(record.message)) return [];
    const parts = record.message.parts;
    if (!Array.isArray(parts)) return [];
    const text = parts.map((part) => (isObject(part) && typeof part.text === 'string' && part.thought !== true ? part.text : '')).join('');
    return text === '' ? [] : [text];
  },
  usage: qwenUsage,
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const qwenProfile: CliProfile = {
  name: 'qwen',
  programs: ['qwen'],
  // No flag reaches the settings that hurt (ui.useTerminalBuffer, follow-up suggestions); the approval mode is the
  // user's choice.
  launch: { args: [], env: {} },
  minEnterDelayMs: 150,
  classify: classifyQwenScreen,
  readInput: readQwenInput,
  // Under load it looked idle for a moment after taking its primer, before drawing the echo: settle first.
  readySettleMs: 1500,
  dialogs: QWEN_DIALOGS,
  echoPrefix: '> ',
  replyPrefix: '◆︎ ',
  transcript: QWEN_TRANSCRIPT,
};
