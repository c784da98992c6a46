/**
 * Which pane a reply comes from (docs/protocol.md, "Who may reply for whom"). POLI_ROLE alone says nothing: any process
 * can set it. So each pane gets a secret of its own, POLI_PANE_TOKEN, in the environment poli starts its CLI with (and
 * its MCP server's); `poli mcp` and `poli reply` send it with each request, and the intake takes a reply for a role
 * only with that role's token. A CLI thus replies only for its own pane.
 *
 * The tokens are derived (HMAC-SHA256) from a secret kept in the state directory, mode 0600, per tmux socket and role:
 * a poli restarted with --resume on a running session derives the same tokens the running CLIs were given.
 *
 * What it does not do: a process of the same user that reads another process's environment or command line
 * (/proc/<pid>/environ), or the secret file, can take a token. Other users cannot reach the socket at all (its
 * directory is private, state/private-dir.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PoliError } from '../errors.ts';
import type { Role } from '../protocol/types.ts';

export const TOKEN_VARIABLE = 'POLI_PANE_TOKEN';
/** The secret's file in the state directory. */
export const SECRET_FILE = 'intake.key';
const SECRET_BYTES = 32;

/** The state directory's secret, made (mode 0600, exclusively) when missing. */
export async function loadIntakeSecret(stateDir: string): Promise<string> {
  const file = path.join(stateDir, SECRET_FILE);
  await mkdir(stateDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) {
      const secret = text.trim();
      if (/^[0-9a-f]{64}$/.test(secret)) return secret;
      throw new PoliError('BAD_INTAKE_SECRET', `${file} does not hold poli's secret (64 hex digits); remove it and start poli again (CLIs already running will then need a restart to reply through the tool)`);
    }
    const secret = randomBytes(SECRET_BYTES).toString('hex');
    // 'wx': two polis starting at once keep one secret (the loser reads the winner's).
    const handle = await open(file, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return undefined;
      throw error;
    });
    if (!handle) continue;
    try {
      await handle.writeFile(`${secret}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return secret;
  }
  throw new Error(`bug: ${file} appeared and vanished while poli read it`);
}

/** The token of `role`'s pane on tmux socket `socket`. */
export function paneToken(secret: string, socket: string, role: Role): string {
  return createHmac('sha256', secret).update(`poli pane token\n${socket}\n${role}`).digest('hex');
}

/** Both panes' tokens. */
export function paneTokens(secret: string, socket: string): Record<Role, string> {
  return { PLANNER: paneToken(secret, socket, 'PLANNER'), EXECUTER: paneToken(secret, socket, 'EXECUTER') };
}

/** Whether `given` is `expected`, in constant time. */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
