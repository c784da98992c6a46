/**
 * A CLI profile: everything poli knows about driving one AI coding CLI through tmux.
 * Profiles are data plus small functions; add one by writing a file like claude.ts and listing it
 * in select.ts.
 */
import type { SendProfile } from '../tmux/types.ts';

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
  /** How the echo of a submitted prompt starts (e.g. '❯ ', '› '). */
  echoPrefix: string;
  /** How a reply starts (e.g. '● ', '• '). */
  replyPrefix: string;
}
