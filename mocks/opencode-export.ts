/**
 * The two opencode commands poli's opencode transcript source runs (src/profiles/opencode.ts), answered from a mock's
 * `--session-db` (mocks/lib/session-db.ts) at opencode's own place, `$XDG_DATA_HOME/opencode/opencode.db`:
 *   opencode-export session list --format json
 *   opencode-export export <session id>
 * A test puts it behind a program named like opencode, beside the mock TUI (the same command, other arguments).
 */
import { runSessionCommand } from './lib/session-db.ts';

const { code, stdout, stderr } = runSessionCommand(process.argv.slice(2), process.env);
process.stdout.write(stdout);
process.stderr.write(stderr);
process.exitCode = code;
