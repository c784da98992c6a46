/**
 * Every setting poli has, as one declarative table: the CLI builds its options from it, the
 * README and config/shared_workspace.env document it, config.ts resolves and validates it.
 */
/** How much poli logs (records/logger.ts); lives here, low, so the table needs nothing from the layers above. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type ApproveMode = 'plans' | 'all' | 'off';
/** What poli does when a CLI hits its usage limit: wait for the reset, or switch that role to its fallback CLI. */
export type OnLimit = 'wait' | 'switch';

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
export const APPROVE_MODES: readonly ApproveMode[] = ['plans', 'all', 'off'];
export const ON_LIMIT_MODES: readonly OnLimit[] = ['wait', 'switch'];

/** Every resolved setting, validated and typed. Paths are absolute. */
export interface Settings {
  projectDir: string;
  stateDir: string;
  plannerCmd: string;
  executerCmd: string;
  mock: boolean;
  socket: string;
  /** The tmux session this poli drives on the socket; several polis share one socket, one session each. */
  session: string;
  maxRounds: number;
  /** Seconds. */
  planTimeout: number;
  /** Seconds. */
  execTimeout: number;
  killOnExit: boolean;
  logLevel: LogLevel;
  restarts: number;
  pollMs: number;
  approve: ApproveMode;
  /** Undefined: chosen by the command's name. */
  plannerProfile: string | undefined;
  executerProfile: string | undefined;
  /** Bytes. */
  fileThreshold: number;
  /** Shell command run with each event that needs a person, as JSON on stdin; undefined: none. */
  notify: string | undefined;
  /** Hours: the longest poli waits for one message to get past a CLI's usage limit or expired login. */
  limitWait: number;
  /** At a usage limit: wait for the reset, or restart that role with its fallback CLI. */
  onLimit: OnLimit;
  /** The CLI a role switches to at a usage limit with --on-limit switch; undefined: none (the role waits). */
  plannerFallbackCmd: string | undefined;
  executerFallbackCmd: string | undefined;
  /** A price file merged over config/prices.json (and ~/.config/poli/prices.json); undefined: none. As given: relative to where poli started. */
  prices: string | undefined;
}

export type SettingName = keyof Settings;

/** How a setting's text is checked and converted; the CLI's help shows it as a string, number or boolean option. */
export type SettingKind =
  | { type: 'path'; mustBeDirectory?: boolean }
  | { type: 'string'; pattern?: RegExp; patternText?: string }
  | { type: 'boolean' }
  | { type: 'integer'; min: number }
  | { type: 'seconds' }
  | { type: 'hours' }
  | { type: 'choice'; choices: readonly string[] };

export interface SettingSpec {
  name: SettingName;
  /** Long option name without the leading dashes (camel-cased, it is `name`). */
  flag: string;
  /** Variable name in the environment, `.env` and `config/shared_workspace.env`. */
  env: string;
  /** Undefined: no fixed default (see `description`). */
  default: string | number | boolean | undefined;
  description: string;
  kind: SettingKind;
}

const SOCKET_PATTERN = /^[A-Za-z0-9_.-]+$/;
/** No "." or ":" (tmux target syntax) and no "@" (the separator of state/claim-key.ts). */
const SESSION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The declarative table of settings: the CLI builds its options from it, the docs list it. */
export const SETTINGS: readonly SettingSpec[] = [
  {
    name: 'projectDir',
    flag: 'project-dir',
    env: 'PROJECT_DIR',
    default: undefined,
    description: 'Directory both CLIs work in (default: the directory poli was started from)',
    kind: { type: 'path', mustBeDirectory: true },
  },
  {
    name: 'stateDir',
    flag: 'state-dir',
    env: 'POLI_STATE_DIR',
    // Computed (config.ts defaultStateDir): logs/ of the checkout, or $XDG_STATE_HOME/poli installed.
    default: undefined,
    description:
      'Directory for task state, transcripts, locks and the log file (default: logs/ of the poli checkout; installed: $XDG_STATE_HOME/poli, ~/.local/state/poli)',
    kind: { type: 'path' },
  },
  {
    name: 'plannerCmd',
    flag: 'planner-cmd',
    env: 'PLANNER_CMD',
    default: 'claude',
    description: 'Command that starts the PLANNER CLI',
    kind: { type: 'string' },
  },
  {
    name: 'executerCmd',
    flag: 'executer-cmd',
    env: 'EXECUTER_CMD',
    default: 'codex',
    description: 'Command that starts the EXECUTER CLI',
    kind: { type: 'string' },
  },
  {
    name: 'mock',
    flag: 'mock',
    env: 'POLI_MOCK',
    default: false,
    description: 'Run the bundled mock CLIs instead of the real ones',
    kind: { type: 'boolean' },
  },
  {
    name: 'socket',
    flag: 'socket',
    env: 'POLI_TMUX_SOCKET',
    default: 'poli',
    description: 'Name of the private tmux server socket (tmux -L)',
    kind: { type: 'string', pattern: SOCKET_PATTERN, patternText: 'a name of letters, digits, "_", "." and "-"' },
  },
  {
    name: 'session',
    flag: 'session',
    env: 'POLI_SESSION',
    default: 'poli',
    description: 'Name of the tmux session this poli drives on the socket (several polis share one socket, one session each; the queue names it after the task, e.g. T7)',
    kind: { type: 'string', pattern: SESSION_PATTERN, patternText: 'a name of 1 to 64 letters, digits, "_" and "-", e.g. T7' },
  },
  {
    name: 'maxRounds',
    flag: 'max-rounds',
    env: 'POLI_MAX_ROUNDS',
    default: 20,
    description: 'Stop after this many PLANNER/EXECUTER rounds',
    kind: { type: 'integer', min: 1 },
  },
  {
    name: 'planTimeout',
    flag: 'plan-timeout',
    env: 'POLI_PLAN_TIMEOUT',
    default: 300,
    description: 'Seconds to wait for a PLANNER reply',
    kind: { type: 'seconds' },
  },
  {
    name: 'execTimeout',
    flag: 'exec-timeout',
    env: 'POLI_EXEC_TIMEOUT',
    default: 900,
    description: 'Seconds to wait for an EXECUTER reply',
    kind: { type: 'seconds' },
  },
  {
    name: 'killOnExit',
    flag: 'kill-on-exit',
    env: 'POLI_KILL_ON_EXIT',
    default: false,
    description: 'Kill the tmux server when poli exits (with --session NAME: that session, and the server once no session is left)',
    kind: { type: 'boolean' },
  },
  {
    name: 'logLevel',
    flag: 'log-level',
    env: 'POLI_LOG_LEVEL',
    default: 'info',
    description: 'Log level: error, warn, info or debug',
    kind: { type: 'choice', choices: LOG_LEVELS },
  },
  {
    name: 'restarts',
    flag: 'restarts',
    env: 'POLI_RESTARTS',
    default: 2,
    description: 'How many times a CLI that died is restarted',
    kind: { type: 'integer', min: 0 },
  },
  {
    name: 'pollMs',
    flag: 'poll-ms',
    env: 'POLI_POLL_MS',
    default: 100,
    description: 'Milliseconds between screen captures',
    kind: { type: 'integer', min: 10 },
  },
  {
    name: 'approve',
    flag: 'approve',
    env: 'POLI_APPROVE',
    default: 'off',
    description: 'Ask a human to approve: plans, all messages, or off',
    kind: { type: 'choice', choices: APPROVE_MODES },
  },
  {
    name: 'plannerProfile',
    flag: 'planner-profile',
    env: 'POLI_PLANNER_PROFILE',
    default: undefined,
    description: "Screen profile of the PLANNER CLI (default: chosen by the command's name)",
    kind: { type: 'string' },
  },
  {
    name: 'executerProfile',
    flag: 'executer-profile',
    env: 'POLI_EXECUTER_PROFILE',
    default: undefined,
    description: "Screen profile of the EXECUTER CLI (default: chosen by the command's name)",
    kind: { type: 'string' },
  },
  {
    name: 'fileThreshold',
    flag: 'file-threshold',
    env: 'POLI_FILE_THRESHOLD',
    default: 2048,
    description: 'Messages longer than this many bytes are handed over as a file',
    kind: { type: 'integer', min: 256 },
  },
  {
    name: 'notify',
    flag: 'notify',
    env: 'POLI_NOTIFY',
    default: undefined,
    description: 'Command run (by sh) when a task ends or waits for you, with the event as JSON on stdin',
    kind: { type: 'string' },
  },
  {
    name: 'limitWait',
    flag: 'limit-wait',
    env: 'POLI_LIMIT_WAIT',
    default: 6,
    description: "Hours to wait for a CLI's usage limit to reset or its login to be renewed",
    kind: { type: 'hours' },
  },
  {
    name: 'onLimit',
    flag: 'on-limit',
    env: 'POLI_ON_LIMIT',
    default: 'wait',
    description: 'At a usage limit: wait for the reset, or switch that role to its fallback CLI (--planner-fallback-cmd, --executer-fallback-cmd)',
    kind: { type: 'choice', choices: ON_LIMIT_MODES },
  },
  {
    name: 'plannerFallbackCmd',
    flag: 'planner-fallback-cmd',
    env: 'POLI_PLANNER_FALLBACK_CMD',
    default: undefined,
    description: 'With --on-limit switch: the CLI the PLANNER pane restarts with when its CLI hits its usage limit',
    kind: { type: 'string' },
  },
  {
    name: 'executerFallbackCmd',
    flag: 'executer-fallback-cmd',
    env: 'POLI_EXECUTER_FALLBACK_CMD',
    default: undefined,
    description: 'With --on-limit switch: the CLI the EXECUTER pane restarts with when its CLI hits its usage limit',
    kind: { type: 'string' },
  },
  {
    name: 'prices',
    flag: 'prices',
    env: 'POLI_PRICES',
    default: undefined,
    description: 'Price file (JSON, US dollars per million tokens) merged model by model over config/prices.json and ~/.config/poli/prices.json',
    kind: { type: 'string' },
  },
];
