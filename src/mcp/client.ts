/**
 * The sending end of the intake (intake.ts), shared by `poli mcp` and `poli reply`: one request per connection.
 */
import { connect } from 'node:net';
import { ROLES, type Role } from '../protocol/types.ts';
import { TOKEN_VARIABLE } from './pane-token.ts';
import { ROLE_VARIABLE, SOCKET_VARIABLE, type IntakeRequest, type IntakeResponse } from './wire.ts';

/** How long to wait for the running poli to answer (it answers at once; a hung poli must not hang the CLI). */
const ANSWER_TIMEOUT_MS = 30_000;

/** Sends `request` to the poli listening on `socketPath` and returns its answer; never throws. */
export function sendToIntake(socketPath: string, request: IntakeRequest, timeoutMs = ANSWER_TIMEOUT_MS): Promise<IntakeResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (response: IntakeResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    const socket = connect(socketPath);
    const timer = setTimeout(() => finish({ ok: false, error: `poli did not answer within ${timeoutMs / 1000} s (socket ${socketPath})`, code: 'unreachable' }), timeoutMs);
    socket.on('connect', () => socket.end(JSON.stringify(request)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
          ? `no poli is running for this session (nothing listens on ${socketPath}); print the reply block instead`
          : error.code === 'EPERM' || error.code === 'EACCES'
            ? // Seen: Codex's workspace-write sandbox refuses connect() to any socket (EPERM).
              `a sandbox around this command does not let it reach poli's socket ${socketPath} (${error.code}); use the ` +
              'poli_reply tool (it runs outside the sandbox), or print the reply block'
            : `could not reach poli at ${socketPath}: ${error.message}`;
      finish({ ok: false, error: why, code: 'unreachable' });
    });
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      try {
        const parsed = JSON.parse(text) as IntakeResponse;
        finish(typeof parsed === 'object' && parsed !== null && 'ok' in parsed ? parsed : { ok: false, error: `poli answered oddly: ${text.slice(0, 200)}`, code: 'unreachable' });
      } catch {
        finish({ ok: false, error: `poli answered oddly: ${text.slice(0, 200) || '(nothing)'}`, code: 'unreachable' });
      }
    });
  });
}

/** The role, intake socket and pane token poli gave the CLI's pane, or why they are missing. */
export function paneIdentity(env: Readonly<Record<string, string | undefined>>): { role: Role; socketPath: string; token?: string } | string {
  const role = env[ROLE_VARIABLE];
  const socketPath = env[SOCKET_VARIABLE];
  if (!role || !ROLES.includes(role as Role)) {
    return `${ROLE_VARIABLE} is ${role === undefined ? 'not set' : JSON.stringify(role)}: this only works inside a CLI that poli started (PLANNER or EXECUTER)`;
  }
  if (!socketPath) return `${SOCKET_VARIABLE} is not set: this only works inside a CLI that poli started`;
  const token = env[TOKEN_VARIABLE];
  return { role: role as Role, socketPath, ...(token ? { token } : {}) };
}
