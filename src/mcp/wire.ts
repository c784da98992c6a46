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
    }
  | { op: 'read'; role: Role; id: string };

export type IntakeResponse = { ok: true; text: string } | { ok: false; error: string };

/** `<runtime dir>/intake-<tmux socket>.sock`. */
export function intakeSocketPath(runtimeDir: string, socket: string): string {
  return path.join(runtimeDir, `intake-${socket.replace(/[^A-Za-z0-9._-]/g, '_')}.sock`);
}

/** Largest request accepted (a reply body of several megabytes, JSON-escaped). */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
