/**
 * Codex CLI (`codex`), inline mode (`--no-alt-screen`). Screen facts measured on 0.169.0 in a 250×50 tmux pane
 * (fixtures in ./fixtures/codex-*.txt):
 * - the input is the last line starting `› ` at column 0, continuation lines indented by two spaces, then a blank
 *   line, the `model · dir` status line and the footer (`? for shortcuts`, hidden while the input holds text);
 *   an empty input shows a grey placeholder, `› Ask Codex to do anything`, which reads as text once ANSI is gone;
 * - the echo of each submitted prompt also starts `› ` at column 0, but always above the input;
 * - a running turn shows `◦ Working (0s • esc to interrupt)` (glyph alternates with `•`) above the input, which
 *   still shows its placeholder and `? for shortcuts`: "busy" must be judged before "idle";
 * - a multi-line paste of a few lines shows in full; a large one shows `› [Pasted Content 2792 chars]`;
 * - an approval replaces the input: `Would you like to run the following command?` … `› 1. Yes, proceed (y)`;
 * - a failed request prints a line starting `■` above the input.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ScreenState } from '../tmux/types.ts';
import type { CliProfile, DialogRule, TranscriptSource } from './types.ts';
import { findLastLine, trimLineEnds } from './screen-lines.ts';
import { codexUsage } from './usage/codex.ts';

const INPUT_LINE = /^› /;
/** Grey placeholders of an empty input (0.169.0 strings); they are not text the user typed. */
export const CODEX_PLACEHOLDERS: readonly string[] = ['Ask Codex to do anything', 'Ask a follow-up question'];
const BUSY = /esc to interrupt|^[•◦] Working \(/;
const APPROVAL = /^\s*Would you like to (?:run|make|grant|allow)\b|^› \d+\. Yes, proceed\b/;
const ERROR_LINE = /^■/;
/** A numbered choice under the `›` cursor (`› 1. Trust and continue`): a menu, not the input. */
const MENU_CHOICE = /^› \d+\. /;

/** The input's lines: the `›` line and the two-space-indented lines under it, up to the first blank line. */
function inputText(lines: readonly string[], start: number): string {
  const parts = [(lines[start] ?? '').slice(2)];
  for (let i = start + 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || !line.startsWith('  ')) break;
    parts.push(line.slice(2));
  }
  return parts.join('\n').trim();
}

function lineAbove(lines: readonly string[], index: number): string {
  for (let i = index - 1; i >= 0; i -= 1) {
    const line = lines[i]?.trim() ?? '';
    if (line !== '') return line;
  }
  return '';
}

export function classifyCodexScreen(bottomLines: readonly string[]): ScreenState {
  const lines = trimLineEnds(bottomLines);
  if (lines.some((line) => APPROVAL.test(line))) return 'approval';
  if (lines.some((line) => BUSY.test(line.trim()))) return 'busy';
  const input = findLastLine(lines, INPUT_LINE);
  if (input === undefined || MENU_CHOICE.test(lines[input] ?? '')) return 'unknown';
  if (ERROR_LINE.test(lineAbove(lines, input))) return 'error';
  return 'idle';
}

export function readCodexInput(bottomLines: readonly string[]): string | undefined {
  const lines = trimLineEnds(bottomLines);
  if (lines.some((line) => APPROVAL.test(line))) return undefined;
  const input = findLastLine(lines, INPUT_LINE);
  if (input === undefined || MENU_CHOICE.test(lines[input] ?? '')) return undefined;
  const text = inputText(lines, input);
  return CODEX_PLACEHOLDERS.includes(text) ? '' : text;
}

const has =
  (...patterns: RegExp[]) =>
  (lines: readonly string[]): boolean =>
    patterns.every((pattern) => lines.some((line) => pattern.test(line)));

export const CODEX_DIALOGS: readonly DialogRule[] = [
  {
    name: 'trust folder',
    // Enter confirms the choice under the `›` cursor; answer only while that is "Trust and continue" (the other
    // choice leaves). A bare '1' did not confirm in 2 of 3 runs on 0.169.0.
    matches: has(/Trust this folder\?|Do you trust the contents of this directory\?/, /^› 1\. (?:Trust and continue|Yes, continue)/),
    answer: ['Enter'],
    projectOnly: true,
  },
  {
    name: 'update available',
    matches: has(/Update available/),
    // Its first choice runs a global `npm install`; poli passes check_for_update_on_startup=false, so seeing it
    // means something else is off.
    answer: 'refuse',
    hint: 'its default choice installs an update: update Codex by hand, or set check_for_update_on_startup = false in ~/.codex/config.toml',
  },
  {
    name: 'sign in',
    matches: has(/Sign in with ChatGPT|Provide your own API key/),
    answer: 'refuse',
    hint: 'Codex is not signed in: run `codex login` once by hand (or configure an API key)',
  },
];

/**
 * `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<start time>-<session id>.jsonl` (CODEX_HOME defaults to ~/.codex), in
 * the folder of the day the session started: today's and yesterday's folders are searched, by local and UTC date, and
 * the newest transcripts of any day (a session older than a day still writes to the folder of the day it started).
 * Records `{"type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text",
 * "text":…}]}}` hold the model's text as written (measured on 0.169.0).
 */
export const CODEX_TRANSCRIPT: TranscriptSource = {
  dirs(_projectDir, env, now) {
    const home = env.CODEX_HOME || (env.HOME ? path.join(env.HOME, '.codex') : undefined);
    if (!home) return [];
    const days = [now, new Date(now.getTime() - 86_400_000)].flatMap((d) => [
      [d.getFullYear(), d.getMonth() + 1, d.getDate()],
      [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()],
    ]);
    const dirs = days.map(([y, m, d]) => path.join(home, 'sessions', String(y), pad(m), pad(d)));
    return [...new Set(dirs)];
  },
  file: /^rollout-.*\.jsonl$/,
  // A session started more than a day ago writes to a folder dirs() no longer names: the newest transcripts by time
  // written, whatever their day folder, cover it.
  recent: (env) => newestRollouts(env, RECENT_ROLLOUTS),
  assistantTexts(record) {
    if (!isObject(record) || record.type !== 'response_item' || !isObject(record.payload)) return [];
    const { payload } = record;
    if (payload.type !== 'message' || payload.role !== 'assistant' || !Array.isArray(payload.content)) return [];
    return payload.content.flatMap((part) =>
      isObject(part) && part.type === 'output_text' && typeof part.text === 'string' ? [part.text] : [],
    );
  },
  usage: codexUsage,
};

/** How many of the most recently written Codex transcripts are watched beyond today's and yesterday's folders. */
const RECENT_ROLLOUTS = 20;

/** The `count` rollout files written last, across every day folder of `$CODEX_HOME/sessions` (none when it is absent). */
export async function newestRollouts(env: Readonly<Record<string, string | undefined>>, count: number): Promise<string[]> {
  const home = env.CODEX_HOME || (env.HOME ? path.join(env.HOME, '.codex') : undefined);
  if (!home) return [];
  const list = (dir: string) => readdir(dir).catch(() => [] as string[]);
  const found: { file: string; mtime: number }[] = [];
  const sessions = path.join(home, 'sessions');
  for (const year of await list(sessions)) {
    for (const month of await list(path.join(sessions, year))) {
      for (const day of await list(path.join(sessions, year, month))) {
        const dir = path.join(sessions, year, month, day);
        for (const name of await list(dir)) {
          if (!CODEX_TRANSCRIPT.file.test(name)) continue;
          const file = path.join(dir, name);
          const info = await stat(file).catch(() => undefined);
          if (info?.isFile()) found.push({ file, mtime: info.mtimeMs });
        }
      }
    }
  }
  return found.sort((a, b) => b.mtime - a.mtime).slice(0, count).map((f) => f.file);
}

function pad(n: number | undefined): string {
  return String(n ?? 0).padStart(2, '0');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const codexProfile: CliProfile = {
  name: 'codex',
  programs: ['codex'],
  launch: {
    // --no-alt-screen keeps a real scrollback; --no-daemon leaves no app-server process behind; no update check
    // means no prompt whose default runs `npm install -g`.
    args: ['--no-alt-screen', '--no-daemon', '-c', 'check_for_update_on_startup=false'],
    env: {},
  },
  // An Enter 0 ms after typed text became a newline; ≥ 50 ms (or a bracketed paste) always submitted.
  minEnterDelayMs: 60,
  classify: classifyCodexScreen,
  readInput: readCodexInput,
  dialogs: CODEX_DIALOGS,
  echoPrefix: '› ',
  replyPrefix: '• ',
  wrapsLines: true,
  transcript: CODEX_TRANSCRIPT,
};
