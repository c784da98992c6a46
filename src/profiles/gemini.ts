/**
 * Gemini CLI (`gemini`). Not run here (it needs Google auth; no fake for it yet): the patterns come from its source
 * and public screen captures and are tested on hand-written screens.
 * - input: a rounded box whose line reads `│ > text │` (newer versions drop the box: `> text`); an empty input
 *   shows the placeholder `Type your message or @path/to/file`;
 * - a running turn: `⠋ Thinking… (esc to cancel, 3s)` above the input;
 * - a tool approval: `Allow execution of: '…'?` / `Apply this change?` with `● 1. Yes, allow once`;
 * - errors are printed as lines starting `✕`.
 */
import type { ScreenState } from '../tmux/types.ts';
import type { CliProfile, DialogRule } from './types.ts';
import { findLastLine, trimLineEnds } from './screen-lines.ts';

const INPUT_LINE = /^\s*(?:│\s*)?> /;
const BOX_EDGES = /^\s*(?:│\s*)?> |\s*│\s*$/g;
export const GEMINI_PLACEHOLDERS: readonly string[] = [
  'Type your message or @path/to/file',
  'Type your shell command',
];
const BUSY = /\(esc to cancel, \d+[smh]/;
const APPROVAL = /Allow execution of\b|Apply this change\?|Yes, allow once|Do you want to proceed\?/;
const ERROR_LINE = /^(?:│\s*)?✕/;

function lineAbove(lines: readonly string[], index: number): string {
  for (let i = index - 1; i >= 0; i -= 1) {
    const line = (lines[i] ?? '').replace(/^[\s╭╰─╮╯]+$/, '').trim();
    if (line !== '') return line;
  }
  return '';
}

export function classifyGeminiScreen(bottomLines: readonly string[]): ScreenState {
  const lines = trimLineEnds(bottomLines);
  if (lines.some((line) => APPROVAL.test(line))) return 'approval';
  if (lines.some((line) => BUSY.test(line))) return 'busy';
  const input = findLastLine(lines, INPUT_LINE);
  if (input === undefined) return 'unknown';
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
    name: 'authentication',
    matches: has(/How would you like to authenticate|Get started/),
    answer: 'refuse',
    hint: 'Gemini CLI is not signed in: run `gemini` once by hand and authenticate',
  },
];

export const geminiProfile: CliProfile = {
  name: 'gemini',
  programs: ['gemini'],
  // No flags: the documented ones change approval or sandboxing (--approval-mode, --yolo, --sandbox), which is the
  // user's choice to put on their command line.
  launch: { args: [], env: {} },
  minEnterDelayMs: 150,
  classify: classifyGeminiScreen,
  readInput: readGeminiInput,
  dialogs: GEMINI_DIALOGS,
  echoPrefix: '> ',
  replyPrefix: '✦ ',
};
