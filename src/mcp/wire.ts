/**
 * The structured channel beside the screen: what `poli mcp` (the MCP server a CLI runs) and `poli reply` send to the
 * running poli, and what they get back. One JSON request per connection over a Unix socket in the per-user runtime
 * directory, answered with one JSON line; the socket path is fixed per tmux socket, so a CLI started by an earlier
 * poli process reaches the one running now.
 */
import path from 'node:path';
import type { Role } from '../protocol/types.ts';

/** The tools of `poli mcp` (server.ts). */
export const TOOL_NAMES = ['poli_reply', 'poli_status', 'poli_read'] as const;

/** The variables poli sets in each CLI's pane (and in its MCP server's environment). */
export const ROLE_VARIABLE = 'POLI_ROLE';
export const SOCKET_VARIABLE = 'POLI_SOCKET_PATH';


export type IntakeRequest =
  | {
      op: 'reply';
      /** The role of the pane whose CLI sends it (from its environment: a CLI only replies for its own role). */
      role: Role;
      via: 'tool' | 'command';
      id: string;
      to: string;
      type: string;
      body: string;
      /** Header fields other than to/type/id. */
      extra?: Record<string, unknown>;
      /** The pane's token (POLI_PANE_TOKEN, pane-token.ts): proves the sender is the CLI in that role's pane. */
      token?: string;
    }
  | { op: 'read'; role: Role; id: string; token?: string };

/**
 * Why a request was refused, for the sender to act on (and `poli reply`'s exit code, {@link REFUSAL_EXIT_CODES}):
 * `invalid` — correct it and send again (unknown id, type not allowed, wrong addressee, bad field);
 * `closed` — nothing will record it: the turn it answers is over (answered already, its task ended, a status after
 * the final reply); do not send it again;
 * `denied` — this process may not reply for that pane (no or wrong pane token);
 * `unreachable` — no poli answered, or it could not record the reply: print the block instead.
 */
export type RefusalCode = 'invalid' | 'closed' | 'denied' | 'unreachable';

/** `poli reply`'s exit code per refusal (0: delivered and recorded). */
export const REFUSAL_EXIT_CODES: Readonly<Record<RefusalCode, number>> = { invalid: 1, closed: 3, denied: 5, unreachable: 4 };

export type IntakeResponse = { ok: true; text: string } | { ok: false; error: string; code?: RefusalCode };

/** `<runtime dir>/intake-<key>.sock`, the key being the tmux socket's name, or `socket@session` (state/claim-key.ts). */
export function intakeSocketPath(runtimeDir: string, key: string): string {
  return path.join(runtimeDir, `intake-${key.replace(/[^A-Za-z0-9._@-]/g, '_')}.sock`);
}

/** Largest request accepted (a reply body of several megabytes, JSON-escaped). */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
