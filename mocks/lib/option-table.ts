/**
 * The mock options: what each one does (MockOptions), its flag, environment variable, value kind and help text
 * (OPTION_SPECS), and the defaults, which keep every misbehaviour off. Parsing is options.ts.
 */
import { REPLY_VIAS, type ReplyVia } from './reply-via.ts';

/**
 * Decoy blocks a mock prints around each real block it sends (`--noise`), each of which poli must ignore:
 * - `missing-field`: a header without `"type"`;
 * - `unknown-type`: `"type":"bogus"`;
 * - `wrong-addressee`: the right id and type, addressed where this reply may not go;
 * - `unterminated`: the right header, a body, and no close tag;
 * - `torn`: the open tag cut in the middle of its JSON, as a redraw leaves a streamed line behind;
 * - `duplicate` (after the real block, not for `status`): the same header again with another body;
 * - `stale`: everything this mock received before (primer and messages, verbatim) and every block it sent, re-printed
 *   (scrolled back into view);
 * - `self`: the right id, addressed to this mock's own role.
 */
export type NoiseKind =
  | 'missing-field'
  | 'unknown-type'
  | 'wrong-addressee'
  | 'unterminated'
  | 'torn'
  | 'duplicate'
  | 'stale'
  | 'self';

export const NOISE_KINDS: readonly NoiseKind[] = [
  'missing-field',
  'unknown-type',
  'wrong-addressee',
  'unterminated',
  'torn',
  'duplicate',
  'stale',
  'self',
];

/** How the TUI draws (`--draw`): see the option help. */
export type DrawMode = 'classic' | 'repaint' | 'alt';
export const DRAW_MODES: readonly DrawMode[] = ['classic', 'repaint', 'alt'];

/**
 * What the model API does to the `--limit-at` block (the screens imitate Claude Code 2.1.332's, see
 * src/profiles/limit-screens.ts): `usage` a usage limit (`resets <time> (UTC)`, `--limit-reset-sec` away), `failed` a
 * request that failed for good, `auth` an expired login (each leaves the block unanswered: poli must send it again),
 * `retrying` a retry countdown for 3 s, then the answer, `usage-options` a usage limit with Claude Code's menu
 * "What do you want to do? ❯ 1. Stop and wait for limit to reset …", waiting for a choice (its choice recorded in
 * --record-file).
 */
export type LimitKind = 'usage' | 'failed' | 'auth' | 'retrying' | 'usage-options';
export const LIMIT_KINDS: readonly LimitKind[] = ['usage', 'failed', 'auth', 'retrying', 'usage-options'];

/**
 * What the input area looks like (`--input-box`): Claude's box between two rules, a bare `> ` prompt row, or opencode
 * `--mini`'s input above a blank row and its ` BUILD` footer (for poli's opencode profile).
 */
export type InputBoxKind = 'claude' | 'plain' | 'opencode';
export const INPUT_BOX_KINDS: readonly InputBoxKind[] = ['claude', 'plain', 'opencode'];

/** Whose id the example block quoted in each reply body carries (`--quote-example`). */
export type QuoteExample = 'same' | 'other';
export const QUOTE_EXAMPLES: readonly QuoteExample[] = ['same', 'other'];

/** What a mock run is configured to do, fault injection included. */
export interface MockOptions {
  /** Time spent busy (spinner showing) before each reply. */
  thinkMs: number;
  /** Executer rounds the planner asks for before it sends `complete`. */
  rounds: number;
  /** Print ``` lines around every block the mock sends. */
  fence: boolean;
  /** Ignore an Enter that arrives within 100 ms after a paste, like Claude Code. */
  swallowFirstEnter: boolean;
  /** Exit with code 3 on receiving the Nth block addressed to this mock. */
  crashAt: number | undefined;
  /** Append `<epoch ms> <role> <message number>` to this file at each `--crash-at` crash. */
  crashFile: string | undefined;
  /** Crash at most this many times in all, counting the lines of `--crash-file` (restarts included). */
  crashLimit: number | undefined;
  /** Never answer the Nth block addressed to this mock. */
  silentAt: number | undefined;
  /** Before each real block, print a block with a malformed header and a block with a wrong id. */
  garbage: boolean;
  /** Send every block first with a wrong id, then (after the think time) with the right one. */
  wrongId: boolean;
  /** Re-print every received block verbatim, still addressed as received, before answering it. */
  echoBlocks: boolean;
  /** Show a permission prompt before answering the Nth block; wait for Enter or `1`. */
  approvalAt: number | undefined;
  /** Print a shell-like "command not found" on stderr and exit 127 at once. */
  stderrExitAtStart: boolean;
  /** Decoy blocks printed around each real block sent. */
  noise: NoiseKind[];
  /** Append one JSON line per submission received (`{role, at, text, blocks}`) to this file. */
  recordFile: string | undefined;
  /** Directory the executer works in (default: the current directory). */
  workDir: string | undefined;
  /** classic: normal screen, real scrollback; repaint: full screen by cursor addressing, no scrollback; alt: the same on the alternate screen. */
  draw: DrawMode;
  /** One row changes every N ms, idle included. */
  animateMs: number | undefined;
  /** Write ESC[2J ESC[3J ESC[H (Ink's clearTerminal) right before each reply. */
  clearBeforeReply: boolean;
  /** On the Nth block: clear, reprint the banner, do not answer; a later reminder naming an id gets the answer. */
  restartAt: number | undefined;
  /** The bottom area is at least N rows tall (padded with a todo-list panel above the input box). */
  bottomRows: number;
  /** A bracketed paste is submitted at once, no Enter needed. */
  submitOnPaste: boolean;
  /** A non-empty input is submitted at the Nth Enter in a row. */
  enters: number;
  /** The first Enter after input inserts a line break; the next one submits. */
  enterNewlineFirst: boolean;
  /** The input area: Claude's box between two rules, a plain `> ` prompt row above the footer, or opencode's. */
  inputBox: InputBoxKind;
  /** Full-screen draws: each submission blanks the bottom half of the screen (input area, spinner) and paints it again 300 ms later. */
  redrawHalfOnSubmit: boolean;
  /** The spinner keeps going N ms after each reply (input typed meanwhile waits in the box; Enter queues it). */
  busyAfterReplyMs: number;
  /** Input appears one character per N ms; later keys wait their turn. */
  echoCharMs: number;
  /** Every chunk of input is read N ms after it arrived (a loaded machine, a CLI busy drawing). */
  inputLagMs: number;
  /** Reply blocks go to `.poli/replies/<id>.md` in two pieces 1.5 s apart instead of the screen. */
  replyFilePieces: boolean;
  /** Each work reply body quotes a ``` fence holding an unescaped close tag in its middle. */
  quoteCloseInFence: boolean;
  /** Each work reply body quotes a whole unescaped example block (same or other id) in its middle. */
  quoteExample: QuoteExample | undefined;
  /** The executer's result body has exactly N numbered lines. */
  replyLines: number | undefined;
  /** Print N lines a second while working on each message, for `printSeconds`. */
  printRate: number | undefined;
  printSeconds: number;
  /** Append one JSON line per block sent (`{role, at, header, body}`) to this file. */
  sentFile: string | undefined;
  /** On the Nth block, show the `limit` screen instead of answering (`retrying`: before answering). */
  limitAt: number | undefined;
  /** At its limit from the start: the first N submissions without a block (the primer) get the `limit` screen. */
  limitAtStart: number;
  /**
   * Started again after a `--crash-at` crash (a line in `--crash-file`): the first N primers get the `limit` screen,
   * as a CLI that crashed and is at its limit when poli restarts it. Undefined: never.
   */
  limitAfterCrash: number | undefined;
  limit: LimitKind;
  /** `usage`: the reset time shown is this many seconds away. */
  limitResetSec: number;
  /** Hand each reply to poli through its MCP tool or the `poli reply` command instead of printing it (reply-via.ts). */
  replyVia: ReplyVia | undefined;
  /** Reply bodies with trailing blanks, tabs, no-break spaces, a CRLF, a control byte and edge blank lines. */
  edgeBodies: boolean;
  /** Send no status blocks: a reply's only open tag is the one of its final block (issue 18, item 3). */
  noStatus: boolean;
  /**
   * Each reply block goes to `.poli/replies/<id>.md` in one write, then is shown with `cat`, folded the way Codex's exec
   * cell folds long output: two head lines, `… +N lines`, two tail lines (issue 18, item 10).
   */
  catFold: boolean;
  /** Each reply block is drawn first as a draft (another body), erased N ms later and drawn corrected in its place. */
  draftMs: number | undefined;
  /** With --quote-example: the reply is printed up to the quoted example, then the TUI looks idle N ms, then the rest. */
  idleAfterExampleMs: number | undefined;
  /** Each reply block is printed one line every N ms (a model streaming its reply). */
  streamMs: number | undefined;
  /** On the Nth block, wait before answering until --hold-file is gone (a test decides when the reply comes). */
  holdAt: number | undefined;
  /** The file --hold-at waits on. */
  holdFile: string | undefined;
  /**
   * Keep the session as opencode keeps its own, in a database file at this path (`<data>/opencode/opencode.db`): a new
   * session at each start and each `--restart-at` restart, every reply a finished text part, written before it shows
   * (session-db.ts; `mocks/opencode-export.ts` answers `session list` and `export` from it).
   */
  sessionDb: string | undefined;
  /**
   * Keep a usage transcript under this folder, in `<dir>/<hash of the working directory>/` (usage-transcript.ts): each
   * submission a prompt record, then the token usage of the "API call" that answered it (distinct numbers per turn).
   */
  usageDir: string | undefined;
  /** The executer's result body ends with one line of N characters (numbered words): a self-wrapping screen breaks it. */
  longLine: number | undefined;
  help: boolean;
}

export type Kind = 'count' | 'positive' | 'flag' | 'path' | 'noise' | 'choice';

export interface OptionSpec {
  key: keyof MockOptions;
  flag: string;
  env: string;
  kind: Kind;
  help: string;
  /** The values a `choice` option takes. */
  choices?: readonly string[];
}

/** The option table: flag, environment variable, value kind and help text. */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { key: 'thinkMs', flag: 'think-ms', env: 'MOCK_THINK_MS', kind: 'count', help: 'busy time before each reply (default 300)' },
  { key: 'rounds', flag: 'rounds', env: 'MOCK_ROUNDS', kind: 'positive', help: 'planner: executer rounds before complete (default 3)' },
  { key: 'fence', flag: 'fence', env: 'MOCK_FENCE', kind: 'flag', help: 'print ``` lines around each block sent' },
  { key: 'swallowFirstEnter', flag: 'swallow-first-enter', env: 'MOCK_SWALLOW_FIRST_ENTER', kind: 'flag', help: 'ignore an Enter within 100 ms after a paste' },
  { key: 'crashAt', flag: 'crash-at', env: 'MOCK_CRASH_AT', kind: 'positive', help: 'exit 3 on receiving the Nth block' },
  { key: 'crashFile', flag: 'crash-file', env: 'MOCK_CRASH_FILE', kind: 'path', help: 'append "<epoch ms> <role> <n>" here at each crash' },
  { key: 'crashLimit', flag: 'crash-limit', env: 'MOCK_CRASH_LIMIT', kind: 'positive', help: 'crash at most N times in all (counted in --crash-file)' },
  { key: 'silentAt', flag: 'silent-at', env: 'MOCK_SILENT_AT', kind: 'positive', help: 'never answer the Nth block' },
  { key: 'garbage', flag: 'garbage', env: 'MOCK_GARBAGE', kind: 'flag', help: 'print a malformed and a wrong-id block before each real one' },
  { key: 'wrongId', flag: 'wrong-id', env: 'MOCK_WRONG_ID', kind: 'flag', help: 'send each block with a wrong id first, then the right one' },
  { key: 'echoBlocks', flag: 'echo-blocks', env: 'MOCK_ECHO_BLOCKS', kind: 'flag', help: 're-print each received block before answering' },
  { key: 'approvalAt', flag: 'approval-at', env: 'MOCK_APPROVAL_AT', kind: 'positive', help: 'ask "Do you want to proceed?" before answering the Nth block' },
  { key: 'stderrExitAtStart', flag: 'stderr-exit-at-start', env: 'MOCK_STDERR_EXIT_AT_START', kind: 'flag', help: 'print "command not found" and exit 127' },
  { key: 'noise', flag: 'noise', env: 'MOCK_NOISE', kind: 'noise', help: `decoy blocks around each block sent, comma-separated: ${NOISE_KINDS.join(', ')}` },
  { key: 'recordFile', flag: 'record-file', env: 'MOCK_RECORD_FILE', kind: 'path', help: 'append each submission received as a JSON line' },
  { key: 'workDir', flag: 'cwd', env: 'MOCK_CWD', kind: 'path', help: 'executer: directory to work in (default: current directory)' },
  {
    key: 'draw', flag: 'draw', env: 'MOCK_DRAW', kind: 'choice', choices: DRAW_MODES,
    help: 'classic (default: normal screen, scrollback), repaint (full screen by cursor addressing, nothing reaches the scrollback) or alt (the same on the alternate screen)',
  },
  { key: 'animateMs', flag: 'animate-ms', env: 'MOCK_ANIMATE_MS', kind: 'positive', help: 'a clock row above the input box changes every N ms, idle included' },
  { key: 'clearBeforeReply', flag: 'clear-before-reply', env: 'MOCK_CLEAR_BEFORE_REPLY', kind: 'flag', help: 'write ESC[2J ESC[3J ESC[H (Ink clearTerminal) right before each reply' },
  { key: 'restartAt', flag: 'restart-at', env: 'MOCK_RESTART_AT', kind: 'positive', help: 'on the Nth block: clear, reprint the banner, do not answer; answer it when a later text without blocks names its id' },
  { key: 'bottomRows', flag: 'bottom-rows', env: 'MOCK_BOTTOM_ROWS', kind: 'count', help: 'bottom area at least N rows tall (a todo-list panel above the input box)' },
  { key: 'submitOnPaste', flag: 'submit-on-paste', env: 'MOCK_SUBMIT_ON_PASTE', kind: 'flag', help: 'submit a bracketed paste at once (no Enter needed)' },
  { key: 'enters', flag: 'enters', env: 'MOCK_ENTERS', kind: 'positive', help: 'submit a non-empty input only at the Nth Enter in a row (default 1)' },
  { key: 'enterNewlineFirst', flag: 'enter-newline-first', env: 'MOCK_ENTER_NEWLINE_FIRST', kind: 'flag', help: 'the first Enter after input inserts a line break, the next one submits' },
  {
    key: 'inputBox', flag: 'input-box', env: 'MOCK_INPUT_BOX', kind: 'choice', choices: INPUT_BOX_KINDS,
    help: 'claude (default: the input between two rules), plain (a bare "> " prompt row above the footer) or opencode (opencode --mini: the input above a blank row and the " BUILD" footer)',
  },
  { key: 'redrawHalfOnSubmit', flag: 'redraw-half-on-submit', env: 'MOCK_REDRAW_HALF_ON_SUBMIT', kind: 'flag', help: 'repaint/alt: each submission blanks the bottom half of the screen (input area, spinner) and paints it again 300 ms later' },
  { key: 'busyAfterReplyMs', flag: 'busy-after-reply-ms', env: 'MOCK_BUSY_AFTER_REPLY_MS', kind: 'count', help: 'the spinner keeps going N ms after each reply (typed input waits in the box meanwhile)' },
  { key: 'echoCharMs', flag: 'echo-char-ms', env: 'MOCK_ECHO_CHAR_MS', kind: 'count', help: 'input appears one character per N ms; later keys (Enter too) wait their turn' },
  { key: 'inputLagMs', flag: 'input-lag-ms', env: 'MOCK_INPUT_LAG_MS', kind: 'count', help: 'read every chunk of input N ms after it arrived (a loaded machine)' },
  { key: 'replyFilePieces', flag: 'reply-file-pieces', env: 'MOCK_REPLY_FILE_PIECES', kind: 'flag', help: 'write each reply block to .poli/replies/<id>.md (working directory) in two pieces 1.5 s apart; the screen only names the file' },
  { key: 'quoteCloseInFence', flag: 'quote-close-in-fence', env: 'MOCK_QUOTE_CLOSE_IN_FENCE', kind: 'flag', help: 'result/plan/continue/revision bodies quote a ``` fence holding an unescaped close tag in their middle' },
  {
    key: 'quoteExample', flag: 'quote-example', env: 'MOCK_QUOTE_EXAMPLE', kind: 'choice', choices: QUOTE_EXAMPLES,
    help: 'result/plan/continue/revision bodies quote a whole unescaped example block (same id, or another) in their middle',
  },
  { key: 'replyLines', flag: 'reply-lines', env: 'MOCK_REPLY_LINES', kind: 'positive', help: 'executer: the result body has exactly N numbered lines' },
  { key: 'printRate', flag: 'print-rate', env: 'MOCK_PRINT_RATE', kind: 'positive', help: 'print N distinct ~80-character lines a second while working on each message, then reply' },
  { key: 'printSeconds', flag: 'print-seconds', env: 'MOCK_PRINT_SECONDS', kind: 'count', help: 'seconds --print-rate prints for (default 10)' },
  { key: 'sentFile', flag: 'sent-file', env: 'MOCK_SENT_FILE', kind: 'path', help: 'append each real block sent (not decoys) as a JSON line {role, at, header, body}, body exactly as between the tags' },
  { key: 'limitAt', flag: 'limit-at', env: 'MOCK_LIMIT_AT', kind: 'positive', help: 'on the Nth block, show a --limit screen (Claude-like) instead of answering' },
  {
    key: 'limit', flag: 'limit', env: 'MOCK_LIMIT', kind: 'choice', choices: LIMIT_KINDS,
    help: 'usage (default: usage limit, resets in --limit-reset-sec), failed (API Error), auth (Please run /login), retrying (3 s of retry countdown, then the answer), usage-options (a usage limit with Claude\'s menu of choices)',
  },
  { key: 'limitAtStart', flag: 'limit-at-start', env: 'MOCK_LIMIT_AT_START', kind: 'count', help: 'at its limit from the start: the first N primers get the --limit screen instead of an answer (default 0)' },
  { key: 'limitAfterCrash', flag: 'limit-after-crash', env: 'MOCK_LIMIT_AFTER_CRASH', kind: 'positive', help: 'started again after a --crash-at crash (counted in --crash-file): the first N primers get the --limit screen' },
  { key: 'limitResetSec', flag: 'limit-reset-sec', env: 'MOCK_LIMIT_RESET_SEC', kind: 'count', help: 'usage: the reset time shown is N seconds away (default 3600)' },
  {
    key: 'replyVia', flag: 'reply-via', env: 'MOCK_REPLY_VIA', kind: 'choice', choices: REPLY_VIAS,
    help: 'hand each reply to poli through the poli_reply tool of poli mcp (tool) or the poli reply command (command) instead of printing it; printed if poli refuses it',
  },
  { key: 'edgeBodies', flag: 'edge-bodies', env: 'MOCK_EDGE_BODIES', kind: 'flag', help: 'reply bodies start and end with blank lines, end lines with blanks, tabs and no-break spaces, hold a CRLF and a control byte (kept exact only through --reply-via)' },
  { key: 'noStatus', flag: 'no-status', env: 'MOCK_NO_STATUS', kind: 'flag', help: 'send no status blocks (the final block is the only one with an open tag)' },
  { key: 'catFold', flag: 'cat-fold', env: 'MOCK_CAT_FOLD', kind: 'flag', help: 'write each reply block to .poli/replies/<id>.md, then show it with cat, folded like Codex (2 head lines, "… +N lines", 2 tail lines)' },
  { key: 'draftMs', flag: 'draft-ms', env: 'MOCK_DRAFT_MS', kind: 'positive', help: 'draw each reply block as a draft first, erase it N ms later and draw the corrected one in its place (busy throughout)' },
  { key: 'idleAfterExampleMs', flag: 'idle-after-example-ms', env: 'MOCK_IDLE_AFTER_EXAMPLE_MS', kind: 'positive', help: 'with --quote-example: print the reply up to the quoted example, look idle for N ms, then print the rest' },
  { key: 'streamMs', flag: 'stream-ms', env: 'MOCK_STREAM_MS', kind: 'positive', help: 'print each reply block one line every N ms' },
  { key: 'holdAt', flag: 'hold-at', env: 'MOCK_HOLD_AT', kind: 'positive', help: 'on the Nth block, stay busy before answering while --hold-file exists' },
  { key: 'holdFile', flag: 'hold-file', env: 'MOCK_HOLD_FILE', kind: 'path', help: 'the file --hold-at waits on (a test removes it to release the answer)' },
  { key: 'sessionDb', flag: 'session-db', env: 'MOCK_SESSION_DB', kind: 'path', help: 'keep an opencode-like session database here: a new session at start and at each --restart-at restart, each reply a text part written before it shows (mocks/opencode-export.ts reads it)' },
  { key: 'usageDir', flag: 'usage-dir', env: 'MOCK_USAGE_DIR', kind: 'path', help: 'keep a transcript with token usage under this folder (one subfolder per working directory): each submission a prompt record and one call with distinct numbers per turn' },
  { key: 'longLine', flag: 'long-line', env: 'MOCK_LONG_LINE', kind: 'positive', help: 'executer: the result body ends with one line of N characters' },
  { key: 'help', flag: 'help', env: 'MOCK_HELP', kind: 'flag', help: 'print this help' },
];

export const DEFAULT_MOCK_OPTIONS: Readonly<MockOptions> = {
  thinkMs: 300,
  rounds: 3,
  fence: false,
  swallowFirstEnter: false,
  crashAt: undefined,
  crashFile: undefined,
  crashLimit: undefined,
  silentAt: undefined,
  garbage: false,
  wrongId: false,
  echoBlocks: false,
  approvalAt: undefined,
  stderrExitAtStart: false,
  noise: [],
  recordFile: undefined,
  workDir: undefined,
  draw: 'classic',
  animateMs: undefined,
  clearBeforeReply: false,
  restartAt: undefined,
  bottomRows: 0,
  submitOnPaste: false,
  enters: 1,
  enterNewlineFirst: false,
  inputBox: 'claude',
  redrawHalfOnSubmit: false,
  busyAfterReplyMs: 0,
  echoCharMs: 0,
  inputLagMs: 0,
  replyFilePieces: false,
  quoteCloseInFence: false,
  quoteExample: undefined,
  replyLines: undefined,
  printRate: undefined,
  printSeconds: 10,
  sentFile: undefined,
  limitAt: undefined,
  limitAtStart: 0,
  limitAfterCrash: undefined,
  limit: 'usage',
  limitResetSec: 3600,
  replyVia: undefined,
  edgeBodies: false,
  noStatus: false,
  catFold: false,
  draftMs: undefined,
  idleAfterExampleMs: undefined,
  streamMs: undefined,
  holdAt: undefined,
  holdFile: undefined,
  sessionDb: undefined,
  usageDir: undefined,
  longLine: undefined,
  help: false,
};
