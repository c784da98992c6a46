/**
 * One CLI as the session starts it. Its own module so that the session (session.ts) and what it calls while priming
 * (priming-limits.ts, priming-wait.ts) share the type without importing each other.
 */
import type { CliProfile } from '../profiles/types.ts';

/** One CLI as configured: how to start it, how to read its screen, and its role file. */
export interface CliSpec {
  /** The command line, with the profile's launch flags already added. */
  command: string;
  /** Environment for its pane, with the profile's launch environment already added. */
  env: Record<string, string>;
  profile: CliProfile;
  primer: string;
  /** Messages longer than this many bytes are handed over in a file (default session.ts's `DEFAULT_FILE_THRESHOLD`). */
  fileThreshold?: number;
  /**
   * The environment the CLI runs with (poli's, plus `env`): where its session transcript is (HOME, CODEX_HOME, …).
   * Without it, no transcript recovery.
   */
  environment?: Readonly<Record<string, string | undefined>>;
}
