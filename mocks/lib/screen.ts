/**
 * Pure renderers for what the mock TUI draws, modelled on Claude Code's classic (non-fullscreen) renderer.
 * They return rows without line feeds; ANSI colour is added here so callers only place rows.
 */
import { displayWidth, layOutWithGutter, sanitizeText, wrapLine } from './wrap.ts';

export const ESC = '\x1b';
export const PROMPT_GLYPH = '❯';
/** Claude Code puts a no-break space after the prompt glyph in its input box. */
export const PROMPT = `${PROMPT_GLYPH}\u00a0`;
export const REPLY_BULLET = '●';
export const SPINNER_FRAMES = ['✻', '✢', '·', '✶'] as const;
export const IDLE_FOOTER = '  ? for shortcuts';
export const EXIT_HINT_FOOTER = '  Press Ctrl-C again to exit';

const style = {
  dim: (s: string) => `${ESC}[2m${s}${ESC}[22m`,
  green: (s: string) => `${ESC}[32m${s}${ESC}[39m`,
  cyan: (s: string) => `${ESC}[36m${s}${ESC}[39m`,
  red: (s: string) => `${ESC}[31m${s}${ESC}[39m`,
  gray: (s: string) => `${ESC}[90m${s}${ESC}[39m`,
  orange: (s: string) => `${ESC}[38;5;209m${s}${ESC}[39m`,
  inverse: (s: string) => `${ESC}[7m${s}${ESC}[27m`,
};

export type Footer =
  | { kind: 'idle' }
  | { kind: 'busy'; elapsedMs: number; frame: number }
  | { kind: 'exit-hint' };

/** What the bottom area shows: the input box, or a permission prompt in its place. */
export type AreaView =
  | { kind: 'input'; input: string; footer: Footer }
  | { kind: 'approval'; title: string; detail: string; selected: 0 | 1 }
  | { kind: 'menu'; question: string; choices: readonly string[]; selected: number };

/** The footer text, e.g. `✻ Working… (3s · esc to interrupt)`. */
export function formatFooter(footer: Footer): string {
  switch (footer.kind) {
    case 'idle':
      return IDLE_FOOTER;
    case 'exit-hint':
      return EXIT_HINT_FOOTER;
    case 'busy': {
      const glyph = SPINNER_FRAMES[footer.frame % SPINNER_FRAMES.length] ?? SPINNER_FRAMES[0];
      return `${glyph} Working… (${Math.floor(footer.elapsedMs / 1000)}s · esc to interrupt)`;
    }
  }
}

/** A horizontal rule one cell narrower than the pane, as the brief for the mock asks. */
export function formatRule(columns: number): string {
  return '─'.repeat(Math.max(1, columns - 1));
}

/** What `--animate-ms` and `--bottom-rows` add to the bottom area. */
export interface AreaExtras {
  /** Shows the clock row `  ◷ tick N` first (it changes with N). */
  tick?: number;
  /** Pads the area to at least this many rows with a todo-list panel above the input box. */
  minRows?: number;
  /**
   * The input area's look (`--input-box`): Claude's box between two rules (default), a bare `> ` prompt row (`plain`),
   * or opencode's `--mini` input (`opencode`, see {@link layOutOpencodeInput}).
   */
  inputBox?: 'claude' | 'plain' | 'opencode';
}

/** The prompt of `--input-box plain`, as shells and Aider draw it. */
export const PLAIN_PROMPT = '> ';

/** The clock row of `--animate-ms`. */
export function formatTick(tick: number): string {
  return `  ◷ tick ${tick}`;
}

/** Row `n` of the `--bottom-rows` padding, like Claude Code's todo list. */
export function formatTodo(n: number): string {
  return `  ☐ step ${n}`;
}

/**
 * Rows of the bottom area, plain text (no ANSI): a blank row, the clock row and todo panel when asked for, then the
 * input box or the permission prompt.
 */
export function layOutArea(view: AreaView, columns: number, extras: AreaExtras = {}): string[] {
  const rows = layOutBox(view, columns, extras.inputBox ?? 'claude');
  const top = extras.tick === undefined ? [''] : ['', formatTick(extras.tick)];
  const pad = Math.max(0, (extras.minRows ?? 0) - rows.length - top.length + 1);
  return [...top, ...Array.from({ length: pad }, (_, i) => formatTodo(i + 1)), ...rows.slice(1)];
}

function layOutBox(view: AreaView, columns: number, look: 'claude' | 'plain' | 'opencode'): string[] {
  if (view.kind === 'menu') {
    return [
      '',
      '',
      `  ${view.question}`,
      ...view.choices.map((choice, i) => `  ${i === view.selected ? PROMPT_GLYPH : ' '} ${i + 1}. ${choice}`),
      '  Enter to confirm · Esc to cancel',
    ];
  }
  if (view.kind === 'approval') {
    const detail = view.detail === '' ? [] : layOutWithGutter(view.detail, columns, '  ');
    return [
      '',
      formatRule(columns),
      ` ${view.title}`,
      ...detail,
      '',
      'Do you want to proceed?',
      `${view.selected === 0 ? PROMPT_GLYPH : ' '} 1. Yes`,
      `${view.selected === 1 ? PROMPT_GLYPH : ' '} 2. No`,
      '',
      'Esc to cancel',
    ];
  }
  if (look === 'opencode') return ['', ...layOutOpencodeInput(view.input, view.footer, columns)];
  if (look === 'plain') return ['', ...layOutInput(view.input, columns, PLAIN_PROMPT), formatFooter(view.footer)];
  return ['', formatRule(columns), ...layOutInput(view.input, columns), formatRule(columns), formatFooter(view.footer)];
}

/** Styled rows of the bottom area: the footer spinner in colour and a drawn (inverse) cursor in the input. */
export function renderArea(view: AreaView, columns: number, extras: AreaExtras = {}): string[] {
  const rows = layOutArea(view, columns, extras).map((row) => (row.startsWith('─') ? style.gray(row) : row));
  if (view.kind !== 'input') return rows;
  const cursorRow = rows.length - (extras.inputBox === 'plain' ? 2 : 3);
  rows[cursorRow] = `${rows[cursorRow] ?? ''}${style.inverse(' ')}`;
  const footer = rows.length - 1;
  rows[footer] = view.footer.kind === 'busy' ? style.orange(rows[footer] ?? '') : style.dim(rows[footer] ?? '');
  return rows;
}

/** Styled rows of a reply: `● ` in green on the first row, block tag lines in cyan, 2-space gutter. */
export function renderReply(text: string, columns: number): string[] {
  const rows: string[] = [];
  for (const line of sanitizeText(text).split('\n')) {
    const isTag = /^\s*\[\[\/?POLI:MSG/.test(line);
    for (const row of wrapLine(line, columns - 2)) {
      const prefix = rows.length === 0 ? `${style.green(REPLY_BULLET)} ` : '  ';
      rows.push(prefix + (isTag ? style.cyan(row) : row));
    }
  }
  return rows;
}

/** Styled rows of the echo of a submitted prompt: `❯ ` first, 2-space gutter, dimmed. */
export function renderEcho(text: string, columns: number): string[] {
  return layOutWithGutter(text, columns, `${PROMPT_GLYPH} `).map((row) => style.dim(row));
}

/** The line Claude Code prints when a turn ends. */
export function formatTurnDone(elapsedMs: number): string {
  return `${SPINNER_FRAMES[0]} Worked for ${Math.max(1, Math.round(elapsedMs / 1000))}s`;
}

export function renderTurnDone(elapsedMs: number): string {
  return style.dim(formatTurnDone(elapsedMs));
}

export function renderNotice(text: string, columns: number): string[] {
  return layOutWithGutter(text, columns, '  ⎿  ').map((row) => style.dim(row));
}

export function renderError(text: string, columns: number): string[] {
  return layOutWithGutter(text, columns, `${REPLY_BULLET} `).map((row) => style.red(row));
}

/** The welcome box printed once at start-up. */
export function renderBanner(title: string, detail: string, columns: number): string[] {
  const inner = Math.min(Math.max(displayWidth(title), displayWidth(detail)) + 4, columns - 2);
  const pad = (s: string) => {
    const fitted = wrapLine(s, inner - 1)[0] ?? '';
    return fitted + ' '.repeat(Math.max(0, inner - 1 - displayWidth(fitted)));
  };
  return [
    `╭${'─'.repeat(inner)}╮`,
    `│ ${pad(`${SPINNER_FRAMES[0]} ${title}`)}│`,
    `│ ${pad('')}│`,
    `│ ${pad(`  ${detail}`)}│`,
    `╰${'─'.repeat(inner)}╯`,
  ].map((row) => style.cyan(row));
}

/** opencode's placeholder in an empty input, and its agent footer (src/profiles/opencode.ts, measured on 1.18.33). */
export const OPENCODE_PLACEHOLDER = 'Ask anything... "Fix a TODO in the codebase"';
export const OPENCODE_FOOTER = ' BUILD';
export const OPENCODE_BUSY_FOOTER = ' BUILD  ■■■⬝⬝⬝⬝⬝ esc interrupt';

/**
 * `--input-box opencode`, as opencode `--mini` draws its input: the text (no prompt glyph; the placeholder when empty),
 * a blank row, then the agent footer ` BUILD`, which reads ` BUILD  ■■■⬝⬝⬝⬝⬝ esc interrupt` while a turn runs. Other
 * footers (the exit hint) show in the footer's place.
 */
export function layOutOpencodeInput(input: string, footer: Footer, columns: number): string[] {
  const rows: string[] = [];
  for (const line of (input === '' ? OPENCODE_PLACEHOLDER : input).split('\n')) rows.push(...wrapLine(line, columns - 1));
  const last = footer.kind === 'idle' ? OPENCODE_FOOTER : footer.kind === 'busy' ? OPENCODE_BUSY_FOOTER : formatFooter(footer);
  return [...rows, '', last];
}

/** Input box rows: `❯ ` then the input, wrapped one cell short of the pane to leave room for the cursor. */
function layOutInput(input: string, columns: number, prompt = PROMPT): string[] {
  const rows: string[] = [];
  for (const line of input.split('\n')) {
    for (const row of wrapLine(line, columns - 3)) rows.push((rows.length === 0 ? prompt : '  ') + row);
  }
  return rows;
}
