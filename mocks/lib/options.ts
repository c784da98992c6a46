/**
 * One option parser for both mock CLIs. Every option is a flag and an environment variable; the flag wins.
 * poli passes every MOCK_* variable to both panes, so each variable also has a per-role form that wins over it
 * (`MOCK_EXECUTER_CRASH_AT` over `MOCK_CRASH_AT`): a fault can hit one mock only.
 * Pure: the entry points pass `process.argv` and `process.env` in.
 */
import type { Role } from '../../src/protocol/types.ts';

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
  /** Input appears one character per N ms; later keys wait their turn. */
  echoCharMs: number;
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
  help: boolean;
}

type Kind = 'count' | 'positive' | 'flag' | 'path' | 'noise' | 'choice';

interface OptionSpec {
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
  { key: 'restartAt', flag: 'restart-at', env: 'MOCK_RESTART_AT', kind: 'positive', help: 'on the Nth block: clear, reprint the banner, do not answer; answer it when a later reminder names an id' },
  { key: 'bottomRows', flag: 'bottom-rows', env: 'MOCK_BOTTOM_ROWS', kind: 'count', help: 'bottom area at least N rows tall (a todo-list panel above the input box)' },
  { key: 'submitOnPaste', flag: 'submit-on-paste', env: 'MOCK_SUBMIT_ON_PASTE', kind: 'flag', help: 'submit a bracketed paste at once (no Enter needed)' },
  { key: 'enters', flag: 'enters', env: 'MOCK_ENTERS', kind: 'positive', help: 'submit a non-empty input only at the Nth Enter in a row (default 1)' },
  { key: 'echoCharMs', flag: 'echo-char-ms', env: 'MOCK_ECHO_CHAR_MS', kind: 'count', help: 'input appears one character per N ms; later keys (Enter too) wait their turn' },
  { key: 'replyFilePieces', flag: 'reply-file-pieces', env: 'MOCK_REPLY_FILE_PIECES', kind: 'flag', help: 'write each reply block to .poli/replies/<id>.md in two pieces 1.5 s apart, not on screen' },
  { key: 'quoteCloseInFence', flag: 'quote-close-in-fence', env: 'MOCK_QUOTE_CLOSE_IN_FENCE', kind: 'flag', help: 'work reply bodies quote a ``` fence with an unescaped close tag in their middle' },
  {
    key: 'quoteExample', flag: 'quote-example', env: 'MOCK_QUOTE_EXAMPLE', kind: 'choice', choices: QUOTE_EXAMPLES,
    help: 'work reply bodies quote a whole unescaped example block with the same or another id',
  },
  { key: 'replyLines', flag: 'reply-lines', env: 'MOCK_REPLY_LINES', kind: 'positive', help: 'executer: the result body has exactly N numbered lines' },
  { key: 'printRate', flag: 'print-rate', env: 'MOCK_PRINT_RATE', kind: 'positive', help: 'print N lines a second while working on each message' },
  { key: 'printSeconds', flag: 'print-seconds', env: 'MOCK_PRINT_SECONDS', kind: 'count', help: 'seconds --print-rate prints for (default 10)' },
  { key: 'sentFile', flag: 'sent-file', env: 'MOCK_SENT_FILE', kind: 'path', help: 'append each block sent as a JSON line {role, at, header, body}' },
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
  echoCharMs: 0,
  replyFilePieces: false,
  quoteCloseInFence: false,
  quoteExample: undefined,
  replyLines: undefined,
  printRate: undefined,
  printSeconds: 10,
  sentFile: undefined,
  help: false,
};

/** A flag or environment value the mock cannot use. */
export class MockOptionsError extends Error {
  readonly code = 'MOCK_BAD_OPTION';
  constructor(message: string) {
    super(message);
    this.name = 'MockOptionsError';
  }
}

/**
 * Parses `argv` (without node and script) and `env` into options: defaults, then environment, then flags.
 * With a `role`, `MOCK_<ROLE>_<NAME>` wins over `MOCK_<NAME>` (e.g. `MOCK_PLANNER_SILENT_AT`).
 * Flags take `--name value` or `--name=value`; boolean flags also take `--name=false` and `--no-name`.
 * @throws MockOptionsError naming the option, what it expects and what it got.
 */
export function parseMockOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: Partial<MockOptions> = {},
  role?: Role,
): MockOptions {
  const options: MockOptions = { ...DEFAULT_MOCK_OPTIONS, ...defaults, noise: [...(defaults.noise ?? [])] };
  for (const spec of OPTION_SPECS) {
    const roleEnv = role === undefined ? undefined : roleEnvName(spec.env, role);
    const roleRaw = roleEnv === undefined ? undefined : env[roleEnv];
    if (roleEnv !== undefined && roleRaw !== undefined && roleRaw !== '') {
      setOption(options, spec, roleRaw, roleEnv);
      continue;
    }
    const raw = env[spec.env];
    if (raw !== undefined && raw !== '') setOption(options, spec, raw, spec.env);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      throw new MockOptionsError(`unexpected argument "${arg}": the mock takes only --flags (try --help)`);
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const negated = eq < 0 && name.startsWith('no-') ? findSpec(name.slice(3)) : undefined;
    if (negated?.kind === 'flag') {
      setOption(options, negated, 'false', arg);
      continue;
    }
    const spec = findSpec(name);
    if (spec === undefined) {
      const known = OPTION_SPECS.map((s) => `--${s.flag}`).join(', ');
      throw new MockOptionsError(`unknown option --${name} (known: ${known})`);
    }
    if (eq >= 0) {
      setOption(options, spec, arg.slice(eq + 1), `--${name}`);
    } else if (spec.kind === 'flag') {
      setOption(options, spec, 'true', `--${name}`);
    } else {
      const value = argv[i + 1];
      if (value === undefined) throw new MockOptionsError(`--${name} needs a value (${example(spec)})`);
      setOption(options, spec, value, `--${name}`);
      i++;
    }
  }
  return options;
}

/** The `--help` text. */
export function formatMockUsage(command: string): string {
  const rows = OPTION_SPECS.map((s) => {
    const arg = { flag: '', path: ' PATH', noise: ' KINDS', count: ' N', positive: ' N', choice: ` ${(s.choices ?? []).join('|')}` }[s.kind];
    const left = `  --${s.flag}${arg}`;
    return `${left.padEnd(28)}${s.help} [env ${s.env}]`;
  });
  return `usage: ${command} [options]\n${rows.join('\n')}\n`;
}

/** `MOCK_CRASH_AT` → `MOCK_EXECUTER_CRASH_AT`. */
export function roleEnvName(env: string, role: Role): string {
  return env.replace(/^MOCK_/, `MOCK_${role}_`);
}

function findSpec(flag: string): OptionSpec | undefined {
  return OPTION_SPECS.find((s) => s.flag === flag);
}

function example(spec: OptionSpec): string {
  if (spec.kind === 'path') return `e.g. --${spec.flag} /tmp/project`;
  if (spec.kind === 'flag') return `e.g. --${spec.flag} or --${spec.flag}=false`;
  if (spec.kind === 'noise') return `e.g. --${spec.flag} torn,duplicate`;
  if (spec.kind === 'choice') return `one of ${(spec.choices ?? []).join(', ')}`;
  return `e.g. --${spec.flag} ${spec.kind === 'count' ? 300 : 2}`;
}

function setOption(options: MockOptions, spec: OptionSpec, raw: string, source: string): void {
  const set = options as unknown as Record<string, unknown>;
  switch (spec.kind) {
    case 'flag': {
      const value = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(value)) set[spec.key] = true;
      else if (['0', 'false', 'no', 'off'].includes(value)) set[spec.key] = false;
      else throw new MockOptionsError(`${source} expects true or false, got "${raw}" (${example(spec)})`);
      return;
    }
    case 'count':
    case 'positive': {
      const min = spec.kind === 'count' ? 0 : 1;
      if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) {
        throw new MockOptionsError(`${source} expects a whole number >= ${min}, got "${raw}" (${example(spec)})`);
      }
      set[spec.key] = Number(raw);
      return;
    }
    case 'noise': {
      const kinds = raw.split(',').map((k) => k.trim()).filter((k) => k !== '');
      const unknown = kinds.find((k) => !NOISE_KINDS.includes(k as NoiseKind));
      if (unknown !== undefined) {
        throw new MockOptionsError(`${source}: unknown noise kind "${unknown}" (known: ${NOISE_KINDS.join(', ')})`);
      }
      set[spec.key] = [...new Set(kinds)];
      return;
    }
    case 'choice': {
      const value = raw.trim();
      if (!(spec.choices ?? []).includes(value)) throw new MockOptionsError(`${source} expects ${example(spec)}, got "${raw}"`);
      set[spec.key] = value;
      return;
    }
    case 'path':
      if (raw === '') throw new MockOptionsError(`${source} expects a directory, got "" (${example(spec)})`);
      set[spec.key] = raw;
      return;
  }
}
