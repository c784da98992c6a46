/**
 * How poli registers its MCP server (`poli mcp`, server.ts) with each CLI it starts — for that session only, on the
 * command line, never in the user's config files — and pre-approves its tools, keyed by profile name. Applied where
 * the workspace builds each CLI's command (workspace.ts resolveClis).
 *
 * - claude (Claude Code 2.1.197): `--mcp-config <JSON string>` (the flag takes files or JSON strings) and
 *   `--allowedTools mcp__poli__poli_reply,mcp__poli__poli_status,mcp__poli__poli_read` (tools from --mcp-config still
 *   ask for permission otherwise).
 * - codex (Codex 0.169.0): `-c mcp_servers.poli.command=…`, `-c mcp_servers.poli.args=[…]`,
 *   `-c mcp_servers.poli.env={…}` (Codex gives an MCP server only a few variables of its own environment, so the
 *   role and socket go in `env`), and `-c mcp_servers.poli.default_tools_approval_mode="approve"` (the server-level
 *   approval default, so a call never stops at an approval prompt).
 * - every other profile: only the pane's environment, for the `poli reply` command.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../host.ts';
import type { Role } from '../protocol/types.ts';
import { ROLE_VARIABLE, SOCKET_VARIABLE, TOOL_NAMES } from './wire.ts';

/** The variable naming poli's launcher (`node $POLI_BIN reply …` works where `poli` is not on PATH). */
export const BIN_VARIABLE = 'POLI_BIN';

export interface McpRegistration {
  /** Added to the CLI's command line (after the profile's launch flags). */
  args: string[];
  /** Added to the pane's environment. */
  env: Record<string, string>;
}

export interface RegistrationOptions {
  role: Role;
  /** The intake socket (wire.ts intakeSocketPath). */
  socketPath: string;
  /** The program and arguments that start `poli mcp`; by default this Node running bin/poli.js. */
  server?: { command: string; args: string[] };
}

/** The MCP server's name in each CLI: its tools are `mcp__poli__poli_reply` (claude), `poli/poli_reply` (codex). */
export const SERVER_NAME = 'poli';

export function defaultServerCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [path.join(PACKAGE_ROOT, 'bin', 'poli.js'), 'mcp'] };
}

/** The flags and environment that give the CLI of `profileName` poli's tools, or just the environment. */
export function mcpRegistration(profileName: string, options: RegistrationOptions): McpRegistration {
  const identity = { [ROLE_VARIABLE]: options.role, [SOCKET_VARIABLE]: options.socketPath };
  const env = { ...identity, [BIN_VARIABLE]: path.join(PACKAGE_ROOT, 'bin', 'poli.js') };
  const server = options.server ?? defaultServerCommand();
  switch (profileName) {
    case 'claude': {
      const config = { mcpServers: { [SERVER_NAME]: { type: 'stdio', command: server.command, args: server.args, env: identity } } };
      const allowed = TOOL_NAMES.map((tool) => `mcp__${SERVER_NAME}__${tool}`).join(',');
      return { args: ['--mcp-config', JSON.stringify(config), '--allowedTools', allowed], env };
    }
    case 'codex': {
      const key = `mcp_servers.${SERVER_NAME}`;
      const table = Object.entries(identity)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(',');
      return {
        args: [
          '-c', `${key}.command=${JSON.stringify(server.command)}`,
          '-c', `${key}.args=${JSON.stringify(server.args)}`,
          '-c', `${key}.env={${table}}`,
          '-c', `${key}.default_tools_approval_mode="approve"`,
        ],
        env,
      };
    }
    default:
      return { args: [], env };
  }
}
