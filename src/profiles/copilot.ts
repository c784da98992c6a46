/**
 * GitHub Copilot CLI (`copilot`, npm @github/copilot, a native binary). Measured on 1.0.102 in a 250×50 tmux pane in
 * its offline bring-your-own-key mode against a fake Chat Completions server (test/real-cli/fake-chat.ts):
 * - always on the alternate screen (no switch found, `--screen-reader` too): no scrollback, so a reply taller than
 *   the screen and exact bodies come from the session transcript (below); while the conversation is taller than the
 *   screen a scrollbar `┃` sits in the last column of every row, stripped here before reading (as is the time,
 *   `06:30`, printed at the right end of each prompt echo);
 * - input: `❯ text` (continuation indented 2) between two full-width `─` rules, the folder and branch above, the
 *   footer `Interactive · Manual Approval · / commands · ? help` below;
 * - a running turn: ` ◎ Working · 400 B esc esc interrupt` under the input; done: that line is gone;
 * - echo ` ❯ `, reply ` ● `, fenced body with a 3-space gutter;
 * - approval: `Do you want to run this command?` / `❯ 1. Yes` / `2. Yes, and don't ask again …` / `3. No …`;
 *   Enter allows once;
 * - first run in a folder: `Confirm folder trust` … `Do you trust the files in this folder?` / `❯ 1. Yes` (this
 *   session only) / `2. Yes, and remember this folder …` / `3. No (Esc)`;
 * - paste then Enter at 0 ms submitted 3 of 3.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScreenState } from '../tmux/types.ts';
import { copilotUsage } from './usage/copilot.ts';
import type { CliProfile, DialogRule, TranscriptSource } from './types.ts';
import { findInputBox } from './screen-lines.ts';

const RULE = /^─{20,}$/;
const PROMPT = /^❯(?: |$)/;
const BUSY = /^\s*[◉◎○●◐◑◒◓⠁-⣿]?\s*Working\b|esc interrupt/;
const APPROVAL_QUESTION = /Do you want to (?:run this command|make this edit|create|edit|allow|proceed)\b/;
const NUMBERED_YES = /❯ 1\. Yes\b/;
const ERROR_LINE = /^\s*[✗✘]\s|^\s*● Error\b/;

/** Removes the scrollbar column (`┃`, `│` or `╏` at the very end of a padded row) and trailing blanks. */
export function stripScrollbar(line: string): string {
  return line.replace(/\s*[┃╏]\s*$/, '').trimEnd();
}

/** A screen line without the scrollbar and without the right-aligned `HH:MM` copilot prints on its prompt echoes. */
export function cleanCopilotLine(line: string): string {
  return stripScrollbar(line).replace(/ {3,}\d{1,2}:\d{2}(?: [AP]M)?$/, '');
}


export function classifyCopilotScreen(bottomLines: readonly string[]): ScreenState {
  const lines = bottomLines.map(stripScrollbar);
  if (lines.some((line) => APPROVAL_QUESTION.test(line)) && lines.some((line) => NUMBERED_YES.test(line))) return 'approval';
  const box = findInputBox(lines, PROMPT, RULE);
  if (!box) return 'unknown';
  if (lines.slice(box.bottomRule + 1).some((line) => BUSY.test(line))) return 'busy';
  for (let i = box.prompt - 2; i >= 0; i -= 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || /\[⎇ /.test(line)) continue;
    // The echo of a prompt is the last thing in the conversation: taken, not answered yet.
    if (/^ ❯ /.test(line)) return 'busy';
    return ERROR_LINE.test(line) ? 'error' : 'idle';
  }
  return 'idle';
}

export function readCopilotInput(bottomLines: readonly string[]): string | undefined {
  const lines = bottomLines.map(stripScrollbar);
  const box = findInputBox(lines, PROMPT, RULE);
  if (!box) return undefined;
  return lines
    .slice(box.prompt, box.bottomRule)
    .map((line, k) => (k === 0 ? line.replace(PROMPT, '') : line.replace(/^ {2}/, '')))
    .join('\n')
    .trim();
}

const has =
  (...patterns: RegExp[]) =>
  (lines: readonly string[]): boolean =>
    patterns.every((pattern) => lines.some((line) => pattern.test(stripScrollbar(line))));

export const COPILOT_DIALOGS: readonly DialogRule[] = [
  {
    name: 'trust folder',
    // "1. Yes" trusts the folder for this session only (the default); "2." would remember it.
    matches: has(/Confirm folder trust/, /Do you trust the files in this folder\?/, /❯ 1\. Yes$/),
    answer: ['Enter'],
    projectOnly: true,
  },
  {
    name: 'login',
    matches: has(/Please (?:log ?in|sign in)|\/login to authenticate|Not logged in/i),
    answer: 'refuse',
    hint: 'Copilot CLI is not signed in: run `copilot` once by hand and use /login (or configure a provider with COPILOT_PROVIDER_BASE_URL)',
  },
];

/**
 * `$COPILOT_HOME/session-state/<session id>/events.jsonl` (COPILOT_HOME defaults to ~/.copilot), the session's
 * folder named in its `workspace.yaml` (`cwd: …`); records `{"type":"assistant.message","data":{"content":…}}` hold
 * the reply as the model wrote it (measured on 1.0.102).
 */
export const COPILOT_TRANSCRIPT: TranscriptSource = {
  dirs(projectDir, env) {
    const home = env.COPILOT_HOME || (env.HOME ? path.join(env.HOME, '.copilot') : undefined);
    if (!home) return [];
    const root = path.join(home, 'session-state');
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return [];
    }
    return names
      .map((name) => path.join(root, name))
      .filter((dir) => {
        try {
          return readFileSync(path.join(dir, 'workspace.yaml'), 'utf8').split('\n').includes(`cwd: ${projectDir}`);
        } catch {
          return false;
        }
      });
  },
  file: /^events\.jsonl$/,
  assistantTexts(record) {
    if (typeof record !== 'object' || record === null) return [];
    const { type, data } = record as { type?: unknown; data?: { content?: unknown } };
    return type === 'assistant.message' && typeof data?.content === 'string' && data.content !== '' ? [data.content] : [];
  },
  usage: copilotUsage,
};

export const copilotProfile: CliProfile = {
  name: 'copilot',
  programs: ['copilot'],
  // No flag keeps it off the alternate screen; approvals and tools stay the user's choice.
  launch: { args: [], env: {} },
  minEnterDelayMs: 50,
  classify: classifyCopilotScreen,
  readInput: readCopilotInput,
  // A precaution (Gemini CLI and Qwen Code looked idle for a moment after taking their primer, under load).
  readySettleMs: 1000,
  dialogs: COPILOT_DIALOGS,
  cleanLine: cleanCopilotLine,
  echoPrefix: '❯ ',
  replyPrefix: '● ',
  transcript: COPILOT_TRANSCRIPT,
};
