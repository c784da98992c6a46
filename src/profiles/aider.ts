/**
 * Aider (`aider`). Not run here (no model server fake for it yet): the patterns come from aider's source
 * (aider/io.py, aider/waiting.py) and are tested on hand-written screens.
 * - input prompt: `> ` (or `<edit format>> `, `multi> `, `ask multi> `), continuation lines start `. `;
 * - confirmations end in `(Y)es/(N)o [Yes]: ` (with `/(A)ll/(S)kip all/(D)on't ask again` variants);
 * - while the model runs, a spinner line `Waiting for <model>` is redrawn in place.
 */
import type { ScreenState } from '../tmux/types.ts';
import type { CliProfile, DialogRule } from './types.ts';

const PROMPT = /^(?:[a-z][\w-]*(?: multi)?)?> ?/;
const CONFIRM = /\(Y\)es\/\(N\)o\b.*\[[^\]]*\]: ?/;
const WAITING = /Waiting for\b/;
const CONTINUATION = /^\. ?/;

function lastNonBlank(lines: readonly string[]): number | undefined {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if ((lines[i] ?? '').trim() !== '') return i;
  }
  return undefined;
}

/** The prompt line the cursor sits on: the last prompt line, followed only by `. ` continuation lines. */
function findPrompt(lines: readonly string[]): number | undefined {
  const last = lastNonBlank(lines);
  if (last === undefined) return undefined;
  for (let i = last; i >= 0; i -= 1) {
    const line = lines[i] ?? '';
    if (PROMPT.test(line)) return i;
    if (!CONTINUATION.test(line)) return undefined;
  }
  return undefined;
}

export function classifyAiderScreen(bottomLines: readonly string[]): ScreenState {
  const lines = bottomLines.map((line) => line.trimEnd());
  const last = lastNonBlank(lines);
  if (last === undefined) return 'unknown';
  const tail = lines[last] ?? '';
  if (CONFIRM.test(tail)) return 'approval';
  if (WAITING.test(tail)) return 'busy';
  return findPrompt(lines) === undefined ? 'unknown' : 'idle';
}

export function readAiderInput(bottomLines: readonly string[]): string | undefined {
  const lines = bottomLines.map((line) => line.trimEnd());
  const start = findPrompt(lines);
  if (start === undefined) return undefined;
  const end = lastNonBlank(lines) ?? start;
  return lines
    .slice(start, end + 1)
    .map((line, k) => (k === 0 ? line.replace(PROMPT, '') : line.replace(CONTINUATION, '')))
    .join('\n')
    .trim();
}

export const AIDER_DIALOGS: readonly DialogRule[] = [
  {
    name: 'open documentation URL',
    // Offered after errors; answering would start a browser.
    matches: (lines) => lines.some((line) => /Open URL for more info\?/.test(line)),
    answer: ['n', 'Enter'],
  },
];

export const aiderProfile: CliProfile = {
  name: 'aider',
  programs: ['aider'],
  launch: {
    // --no-pretty: replies printed as plain text, not rendered Markdown, so blocks reach the screen verbatim.
    // Fancy input stays on: it is prompt_toolkit, which understands bracketed paste; with --no-fancy-input aider
    // reads with input(), so each line of a multi-line paste would be submitted on its own.
    // --no-check-update: no network call and no "upgrade?" question at start.
    args: ['--no-pretty', '--no-check-update'],
    env: {},
  },
  minEnterDelayMs: 100,
  classify: classifyAiderScreen,
  readInput: readAiderInput,
  dialogs: AIDER_DIALOGS,
  echoPrefix: '> ',
  replyPrefix: '',
};
