/**
 * One error class per failure a user can meet, each with a stable `code`.
 * Messages say what failed, what was expected, what was seen, and what to do next.
 * Lower layers throw these; only the CLI picks exit codes.
 */
export class PoliError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** tmux is not installed or not on PATH. */
export class TmuxNotFoundError extends PoliError {
  constructor(options?: { cause?: unknown }) {
    super(
      'TMUX_NOT_FOUND',
      'tmux not found on PATH: poli needs tmux >= 3.2. Install it (e.g. `apt-get install tmux` or `brew install tmux`) and run poli again.',
      options,
    );
  }
}

/** A tmux command failed unexpectedly. */
export class TmuxCommandError extends PoliError {
  constructor(args: readonly string[], exitCode: number, stderr: string, options?: { cause?: unknown }) {
    super(
      'TMUX_COMMAND_FAILED',
      `tmux ${args.join(' ').slice(0, 200)} failed with exit code ${exitCode}: ${stderr.trim() || '(no stderr)'}`,
      options,
    );
  }
}

/** The poli tmux server is gone (killed, crashed). */
export class TmuxServerGoneError extends PoliError {
  constructor(socket: string, detail: string, options?: { cause?: unknown }) {
    super(
      'TMUX_SERVER_GONE',
      `the poli tmux server (socket "${socket}") is no longer running: ${detail}. The task state was saved; resume it with \`poli --resume ID\`.`,
      options,
    );
  }
}

/** A pane that poli addressed does not exist (any more). */
export class PaneNotFoundError extends PoliError {
  constructor(paneId: string, options?: { cause?: unknown }) {
    super('PANE_NOT_FOUND', `tmux pane ${paneId} does not exist (any more); expected a live pane.`, options);
  }
}

/** The program in a pane exited or was killed. */
export class PaneDiedError extends PoliError {
  constructor(role: string, paneId: string, how: string, lastLines: string, options?: { cause?: unknown }) {
    super(
      'PANE_DIED',
      `the ${role} CLI in pane ${paneId} ${how}. Last lines of its screen:\n${indent(lastLines)}`,
      options,
    );
  }
}

/** Text was pasted but the CLI never accepted it as a submission. */
export class SubmitFailedError extends PoliError {
  constructor(paneId: string, detail: string, lastLines: string, options?: { cause?: unknown }) {
    super(
      'SUBMIT_FAILED',
      `could not submit the message in pane ${paneId}: ${detail}. Last lines of the pane:\n${indent(lastLines)}\n` +
        'Attach with `tmux -L <socket> attach` to see what the CLI is waiting for.',
      options,
    );
  }
}

/** An invalid setting (flag, environment, .env, config file). */
export class ConfigError extends PoliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

/** A configured CLI command is not installed (one, or both when both are missing). */
export class CommandNotFoundError extends PoliError {
  constructor(role: string, command: string, options?: { cause?: unknown; also?: { role: string; command: string } }) {
    const also = options?.also;
    const what = also
      ? `the ${role} command "${command}" and the ${also.role} command "${also.command}" are not installed`
      : `the ${role} command "${command}" is not installed`;
    super(
      'COMMAND_NOT_FOUND',
      `${what} (not found on PATH). Install ${also ? 'them' : 'it'}, set a different command ` +
        'with --planner-cmd/--executer-cmd, or run the bundled mock CLIs with --mock.',
      options,
    );
  }
}

/** The state file could not be read or written. */
export class StateFileError extends PoliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STATE_FILE', message, options);
  }
}

/** The project directory cannot hold poli's message files (`.poli/`). */
export class ProjectDirError extends PoliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROJECT_DIR', message, options);
  }
}

/** Another poli process already drives this tmux socket. */
export class AlreadyRunningError extends PoliError {
  constructor(socket: string, pid: number, options?: { cause?: unknown; session?: string }) {
    const session = options?.session;
    super(
      'ALREADY_RUNNING',
      session === undefined
        ? `another poli process (pid ${pid}) is already driving the tmux socket "${socket}". Wait for it to finish, ` +
            `stop it, or use a different --socket.`
        : `another poli process (pid ${pid}) is already driving the tmux session "${session}" on socket "${socket}". ` +
            `Wait for it to finish, stop it, or use a different --session.`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

function indent(text: string): string {
  const lines = text.split('\n');
  return lines.map((line) => `  | ${line}`).join('\n');
}

/** A price table (config/prices.json, ~/.config/poli/prices.json, --prices / POLI_PRICES) cannot be read or is malformed. */
export class PriceFileError extends PoliError {
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      'PRICE_FILE',
      `price file ${file}: ${problem}. Expected JSON like {"version":1,"date":"2026-12-07","models":{"gpt-5":{"input":1.25,"output":10,"cacheRead":0.125,"cacheWrite":null}}} (US dollars per 1,000,000 tokens; see config/prices.json).`,
      options,
    );
  }
}
