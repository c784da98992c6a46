/**
 * A CLI profile: everything poli knows about driving one AI coding CLI through tmux.
 * Profiles are data plus small functions; add one by writing a file like claude.ts and listing it
 * in select.ts.
 */
import type { SendProfile } from '../tmux/types.ts';
import type { UsageParser } from '../usage/types.ts';

/** A first-run or confirmation dialog the CLI may show, and the safe way to answer it. */
export interface DialogRule {
  /** Short name for logs, e.g. "trust folder". */
  name: string;
  /** True when the bottom lines of the screen (ANSI stripped) show this dialog. */
  matches(bottomLines: readonly string[]): boolean;
  /**
   * tmux key names to send, in order (e.g. ['1', 'Enter']), or 'refuse' when poli must not answer
   * it (a default that exits, updates or turns on bypass mode): poli then stops with an error
   * that explains what the CLI is asking.
   */
  answer: readonly string[] | 'refuse';
  /** When true, answer only if the CLI runs in the project directory poli was given (trust prompts). */
  projectOnly?: boolean;
  /** For 'refuse': why poli leaves it to the user, and how to get past it (shown in the error). */
  hint?: string;
}

export interface CliProfile extends SendProfile {
  /** Profile name, as given to --planner-profile / --executer-profile. */
  name: string;
  /** Program names (the command's first word, without directories) this profile is chosen for. */
  programs: readonly string[];
  /**
   * Launch flags and environment that keep a real scrollback and skip needless prompts,
   * added to the user's command line (e.g. codex: --no-alt-screen --no-daemon).
   */
  launch: { args: readonly string[]; env: Readonly<Record<string, string>> };
  dialogs: readonly DialogRule[];
  /**
   * While poli waits for the CLI to start and to answer its primer, how long the screen must stay idle and unchanged
   * before it counts as ready (default: one look). For CLIs that look idle for a moment after taking a prompt.
   */
  readySettleMs?: number;
  /** How the echo of a submitted prompt starts (e.g. '❯ ', '› '). */
  echoPrefix: string;
  /** How a reply starts (e.g. '● ', '• '). */
  replyPrefix: string;
  /**
   * The TUI breaks lines longer than the pane itself (not tmux's soft wrap, which the reader joins): a body read from
   * its screen may carry line breaks the model never wrote. Recorded as `mayBeWrapped` with such a body.
   */
  wrapsLines?: boolean;
  /**
   * Clean-up of one screen line before replies are looked for in it (e.g. copilot draws a scrollbar `┃` in the last
   * column of every row); absent: lines are read as they are.
   */
  cleanLine?(line: string): string;
  /** Where the CLI keeps a raw transcript of its session, to recover a block's exact body; absent: none. */
  transcript?: TranscriptSource;
}

/**
 * A CLI's session transcript (JSONL, one record per line, appended as the session goes on). The screen shows a reply
 * rendered (Markdown applied, lines wrapped); the transcript has the text the model wrote.
 */
export interface TranscriptSource {
  /**
   * Directories that may hold the transcript of a session started in `projectDir` (not searched recursively), given
   * the CLI's environment (HOME, CODEX_HOME, …) and the time now.
   */
  dirs(projectDir: string, env: Readonly<Record<string, string | undefined>>, now: Date): string[];
  /** Which file names in those directories are transcripts. */
  file: RegExp;
  /**
   * Transcripts outside `dirs()` worth watching too, looked up once per turn: a CLI that files sessions by the day
   * they started (Codex) keeps appending to a session begun days ago, in a folder `dirs()` no longer names.
   */
  recent?(env: Readonly<Record<string, string | undefined>>): Promise<string[]>;
  /** The texts the assistant wrote in one parsed JSONL record (none for other records). */
  assistantTexts(record: unknown): string[];
  /**
   * For a CLI that keeps its sessions in a database rather than a JSONL file (opencode): brings an append-only JSONL
   * copy in `dirs()` up to date before each read, e.g. by running the CLI's own export command. `command` is the
   * CLI's command line as poli runs it (to find its executable).
   */
  refresh?(projectDir: string, env: Readonly<Record<string, string | undefined>>, command: string | undefined): Promise<void>;
  /**
   * A new parser of the token usage this CLI records in the same transcript (one per file, fed its records in order);
   * absent: the CLI records none, and poli shows its usage as unknown.
   */
  usage?(): UsageParser;
  /**
   * The transcript holds no reply texts: it is read for usage only, never to recover a reply (poli's mock CLIs, whose
   * screen must stay the one source of replies so its faults are still met).
   */
  usageOnly?: boolean;
}
