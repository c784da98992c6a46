/**
 * pi (`pi`, @mariozechner/pi-coding-agent). Measured on 0.73.1 in a 250×50 tmux pane against a fake Chat Completions
 * server (test/real-cli/fake-chat.ts), default settings:
 * - no first-run dialog, real scrollback (no alternate screen), and no permission prompts at all: it runs its tools
 *   unasked (the user's choice of agent);
 * - input: the lines between the last two full-width `─` rules, with no prompt glyph; footer `dir (branch)` and
 *   `0.0%/128k (auto)` (token counts `↑10 ↓728` appear there after a turn);
 * - a running turn: ` ⠸ Working...` above the input; done: the spinner line disappears;
 * - prompt echo and reply both start with a single space (only colours tell them apart); fence lines are shown, a
 *   fenced body gets a 3-space gutter but its wrapped continuation lines only one space: the session transcript
 *   (below) is the source of exact bodies;
 * - a large paste shows `[paste #1 +41 lines]`; paste then Enter at 0 ms submitted 3 of 3.
 */
import path from 'node:path';
import type { ScreenState } from '../tmux/types.ts';
import { piUsage } from './usage/pi.ts';
import type { CliProfile, TranscriptSource } from './types.ts';
import { trimLineEnds } from './screen-lines.ts';

const RULE = /^─{20,}$/;
const BUSY = /^\s*[⠁-⣿] Working\.\.\./;
const ERROR_LINE = /^\s*(?:Error|error):/;

interface InputBox {
  top: number;
  bottom: number;
}

/** The last pair of rules with only input lines between them. */
function findInputBox(lines: readonly string[]): InputBox | undefined {
  let bottom: number | undefined;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (!RULE.test(lines[i] ?? '')) continue;
    if (bottom === undefined) bottom = i;
    else return { top: i, bottom };
  }
  return undefined;
}

function lastLineAbove(lines: readonly string[], index: number): string {
  for (let i = index - 1; i >= 0; i -= 1) if ((lines[i] ?? '').trim() !== '') return lines[i] ?? '';
  return '';
}

export function classifyPiScreen(bottomLines: readonly string[]): ScreenState {
  const lines = trimLineEnds(bottomLines);
  const box = findInputBox(lines);
  if (!box) return 'unknown';
  const above = lastLineAbove(lines, box.top);
  if (BUSY.test(above) || lines.some((line) => BUSY.test(line))) return 'busy';
  return ERROR_LINE.test(above) ? 'error' : 'idle';
}

export function readPiInput(bottomLines: readonly string[]): string | undefined {
  const lines = trimLineEnds(bottomLines);
  const box = findInputBox(lines);
  if (!box) return undefined;
  return lines
    .slice(box.top + 1, box.bottom)
    .join('\n')
    .trim();
}

/**
 * `~/.pi/agent/sessions/--<project path with / turned into ->--/<time>_<id>.jsonl` ($PI_CODING_AGENT_DIR moves
 * `~/.pi/agent`); records `{"type":"message","message":{"role":"assistant","content":[{"type":"text","text":…}]}}`.
 */
export const PI_TRANSCRIPT: TranscriptSource = {
  dirs(projectDir, env) {
    const agent = env.PI_CODING_AGENT_DIR || (env.HOME ? path.join(env.HOME, '.pi', 'agent') : undefined);
    if (!agent) return [];
    const names = new Set([projectDir.replace(/^\//, '').replace(/\//g, '-'), projectDir.replace(/^[/\\]/, '').replace(/[/\\:]/g, '-')]);
    return [...names].map((name) => path.join(agent, 'sessions', `--${name}--`));
  },
  file: /\.jsonl$/,
  assistantTexts(record) {
    if (!isObject(record) || record.type !== 'message' || !isObject(record.message) || record.message.role !== 'assistant') return [];
    const content = record.message.content;
    if (!Array.isArray(content)) return [];
    const text = content.map((part) => (isObject(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
    return text === '' ? [] : [text];
  },
  usage: piUsage,
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const piProfile: CliProfile = {
  name: 'pi',
  programs: ['pi'],
  launch: { args: [], env: {} },
  minEnterDelayMs: 50,
  classify: classifyPiScreen,
  readInput: readPiInput,
  // A precaution (Gemini CLI and Qwen Code looked idle for a moment after taking their primer, under load).
  readySettleMs: 500,
  dialogs: [],
  echoPrefix: ' ',
  replyPrefix: ' ',
  wrapsLines: true,
  transcript: PI_TRANSCRIPT,
};
