/**
 * How poli registers its MCP server (`poli mcp`, server.ts) with each CLI it starts — for that session only, on the
 * command line, in the environment or in a session-local file the CLI is pointed at, never in the user's own config
 * files — and pre-approves exactly its three tools, keyed by profile name. Applied where the workspace builds each
 * CLI's command (workspace.ts resolveClis). What the user configured (their own MCP servers, permissions, settings)
 * still applies: each way below adds to the user's configuration rather than replacing it, except where noted.
 *
 * - claude (Claude Code 2.1.197): `--mcp-config <JSON string>` (the flag takes files or JSON strings; it adds to the
 *   user's servers) and `--allowedTools mcp__poli__poli_reply,mcp__poli__poli_status,mcp__poli__poli_read` (tools
 *   from --mcp-config still ask for permission otherwise).
 * - codex (Codex 0.169.0): `-c mcp_servers.poli.command=…`, `-c mcp_servers.poli.args=[…]`,
 *   `-c mcp_servers.poli.env={…}` (Codex gives an MCP server only a few variables of its own environment, so the
 *   role and socket go in `env`), and `-c mcp_servers.poli.default_tools_approval_mode="approve"` (the server-level
 *   approval default, so a call never stops at an approval prompt).
 * - qwen (Qwen Code 0.24.4): `--mcp-config <JSON string>` (merged over the settings' `mcpServers`), with
 *   `alwaysLoadTools` (otherwise the model sees MCP tools only through its tool_search bridge), and
 *   `--allowed-tools=mcp__poli__poli_reply,…` (added to the user's `permissions.allow`, which still applies).
 * - gemini (Gemini CLI 0.61.0): it has no flag for an MCP server and reads a system settings file only when root owns
 *   it and every folder above it, so `GEMINI_CLI_HOME` points it at a session home: `.gemini/settings.json` there is
 *   the user's own settings with poli's server added, and every other entry links to the user's real `~/.gemini`
 *   (geminiRegistration). The project's `.gemini/settings.json` still applies on top. The server has `trust: true`
 *   (no confirmation for its tools) and `includeTools` the three tools, so the trust covers exactly those. Settings
 *   the CLI itself changes during the session (its /settings dialog) are written to the session copy and not kept.
 * - opencode (1.18.33): `OPENCODE_CONFIG_CONTENT`, inline config that opencode merges over its config files: an `mcp`
 *   entry of type `local` and `permission` `allow` for `poli_poli_reply`, `poli_poli_status`, `poli_poli_read` (its
 *   names for the tools: server and tool joined by `_`). A value the user already set in that variable is merged
 *   with poli's, not replaced. opencode runs tools unasked by default; the rules matter when the user's permission
 *   config asks (`"*": "ask"`), and come after the user's (the last matching rule wins).
 * - copilot (GitHub Copilot CLI 1.0.102): `--additional-mcp-config <JSON string>` (it augments ~/.copilot/mcp-config.json
 *   for this session) and `--allow-tool=poli(poli_reply)`, `--allow-tool=poli(poli_status)`,
 *   `--allow-tool=poli(poli_read)` (one rule per tool: `<server>(<tool>)`).
 * - every other profile (pi has no MCP): only the pane's environment, for the `poli reply` command.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../host.ts';
import type { Role } from '../protocol/types.ts';
import { TOKEN_VARIABLE } from './pane-token.ts';
import { ROLE_VARIABLE, SOCKET_VARIABLE, TOOL_NAMES } from './wire.ts';

/** The variable naming poli's launcher (`node $POLI_BIN reply …` works where `poli` is not on PATH). */
export const BIN_VARIABLE = 'POLI_BIN';

export interface McpRegistration {
  /** Added to the CLI's command line (after the profile's launch flags). */
  args: string[];
  /** Added to the pane's environment. */
  env: Record<string, string>;
  /** A folder of the session's own (Gemini CLI's session home): made empty before the CLI starts, removed at the end. */
  sessionDir?: string;
  /** Session-local files to write (mode 0600) before the CLI starts; absent when there are none. */
  files?: { path: string; text: string }[];
  /**
   * Folders of symbolic links to make before the CLI starts (session-files.ts): in `dir`, one link per entry of
   * `target` and per name in `always` (made even before the entry exists, so that the CLI creates it in `target`;
   * `always.dirs` are made there first), except the names in `except` (the session's own files).
   */
  links?: { dir: string; target: string; except: string[]; always: { files: readonly string[]; dirs: readonly string[] } }[];
}

/** How a CLI is told to start `poli mcp`: the program, its arguments, and the pane's identity as its environment. */
interface StdioServer {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface RegistrationOptions {
  role: Role;
  /** The intake socket (wire.ts intakeSocketPath); session-local files go beside it, in the per-user runtime dir. */
  socketPath: string;
  /** The pane's token (pane-token.ts), given to the CLI and its MCP server with the role. */
  token?: string;
  /** The program and arguments that start `poli mcp`; by default this Node running bin/poli.js. */
  server?: { command: string; args: string[] };
  /** The environment the CLI is started from (a value the user set for the CLI is merged with poli's). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads a file of the user's (Gemini CLI's settings) or says it is not there; by default nothing is read. */
  readText?: (file: string) => string | undefined;
}

/** The MCP server's name in each CLI: its tools are `mcp__poli__poli_reply` (claude), `poli/poli_reply` (codex). */
export const SERVER_NAME = 'poli';

/** Gemini CLI's system defaults file on Linux (the lowest settings layer), unless its variable names another. */
export const GEMINI_HOME_VARIABLE = 'GEMINI_CLI_HOME';
/**
 * What Gemini CLI 0.61.0 keeps in `~/.gemini` (besides settings.json), linked into the session home even before it
 * exists so that a first login, a trusted folder or a chat is written to the user's own folder.
 */
export const GEMINI_USER_ENTRIES = {
  files: ['oauth_creds.json', 'google_accounts.json', 'installation_id', 'user_id', 'trustedFolders.json', 'projects.json', 'state.json'],
  // The folders it makes itself at start (a link to a folder that does not exist yet cannot be made into one).
  dirs: ['tmp', 'history'],
} as const;
export const OPENCODE_CONFIG_VARIABLE = 'OPENCODE_CONFIG_CONTENT';

export function defaultServerCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [path.join(PACKAGE_ROOT, 'bin', 'poli.js'), 'mcp'] };
}

/** The flags, environment and files that give the CLI of `profileName` poli's tools, or just the environment. */
export function mcpRegistration(profileName: string, options: RegistrationOptions): McpRegistration {
  const identity = { [ROLE_VARIABLE]: options.role, [SOCKET_VARIABLE]: options.socketPath, ...(options.token ? { [TOKEN_VARIABLE]: options.token } : {}) };
  const env = { ...identity, [BIN_VARIABLE]: path.join(PACKAGE_ROOT, 'bin', 'poli.js') };
  const server = options.server ?? defaultServerCommand();
  const stdio: StdioServer = { command: server.command, args: server.args, env: identity };
  switch (profileName) {
    case 'claude': {
      const config = { mcpServers: { [SERVER_NAME]: { type: 'stdio', ...stdio } } };
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
    case 'qwen': {
      // Qwen Code offers MCP tools to the model only through its tool_search bridge unless the server says otherwise.
      const config = { mcpServers: { [SERVER_NAME]: { ...stdio, alwaysLoadTools: true } } };
      const allowed = TOOL_NAMES.map((tool) => `mcp__${SERVER_NAME}__${tool}`).join(',');
      return { args: ['--mcp-config', JSON.stringify(config), `--allowed-tools=${allowed}`], env };
    }
    case 'gemini':
      return geminiRegistration(options, env, stdio);
    case 'opencode': {
      const own = parseJsonObject(options.env?.[OPENCODE_CONFIG_VARIABLE]) ?? {};
      const mcp = isObject(own.mcp) ? own.mcp : {};
      const permission = isObject(own.permission) ? own.permission : typeof own.permission === 'string' ? { '*': own.permission } : {};
      const config = {
        ...own,
        mcp: { ...mcp, [SERVER_NAME]: { type: 'local', command: [server.command, ...server.args], environment: identity, enabled: true } },
        permission: { ...permission, ...Object.fromEntries(TOOL_NAMES.map((tool) => [`${SERVER_NAME}_${tool}`, 'allow'])) },
      };
      return { args: [], env: { ...env, [OPENCODE_CONFIG_VARIABLE]: JSON.stringify(config) } };
    }
    case 'copilot': {
      const config = { mcpServers: { [SERVER_NAME]: { type: 'local', ...stdio, tools: ['*'] } } };
      return {
        args: ['--additional-mcp-config', JSON.stringify(config), ...TOOL_NAMES.map((tool) => `--allow-tool=${SERVER_NAME}(${tool})`)],
        env,
      };
    }
    default:
      return { args: [], env };
  }
}

/**
 * Gemini CLI reads MCP servers only from settings files, and skips a system settings or defaults file unless root owns
 * it and every folder above it (GEMINI_CLI_SYSTEM_*_PATH are for administrators). So poli points `GEMINI_CLI_HOME` at
 * a session home whose `.gemini/settings.json` is the user's own settings plus poli's server, and whose every other
 * entry is a symbolic link into the user's real `.gemini` (credentials, trusted folders, chats, extensions, …), so
 * what the CLI reads and writes there is the user's. A user settings file that is not plain JSON cannot be merged:
 * then poli leaves Gemini CLI alone (no tools; `poli reply` still works).
 */
function geminiRegistration(options: RegistrationOptions, env: Record<string, string>, stdio: StdioServer): McpRegistration {
  const userHome = options.env?.[GEMINI_HOME_VARIABLE] || options.env?.HOME;
  if (!userHome) return { args: [], env };
  const userDir = path.join(userHome, '.gemini');
  const text = options.readText?.(path.join(userDir, 'settings.json'));
  const user = text === undefined ? {} : parseJsonObject(text);
  if (user === undefined) return { args: [], env };
  const servers = isObject(user.mcpServers) ? user.mcpServers : {};
  // An allow-list of MCP servers in the user's settings would hide poli's.
  const mcp = isObject(user.mcp) && Array.isArray(user.mcp.allowed) ? { mcp: { ...user.mcp, allowed: [...(user.mcp.allowed as unknown[]), SERVER_NAME] } } : {};
  const settings = {
    ...user,
    ...mcp,
    mcpServers: { ...servers, [SERVER_NAME]: { ...stdio, trust: true, includeTools: [...TOOL_NAMES] } },
  };
  const home = sessionFile(options, 'gemini-home');
  const dir = path.join(home, '.gemini');
  return {
    args: [],
    env: { ...env, [GEMINI_HOME_VARIABLE]: home },
    sessionDir: home,
    files: [{ path: path.join(dir, 'settings.json'), text: `${JSON.stringify(settings, null, 2)}\n` }],
    links: [{ dir, target: userDir, except: ['settings.json'], always: GEMINI_USER_ENTRIES }],
  };
}

/** `<runtime dir>/intake-<socket>-<role>-<name>`: beside the intake socket, one per tmux socket and pane. */
function sessionFile(options: RegistrationOptions, name: string): string {
  return `${options.socketPath.replace(/\.sock$/, '')}-${options.role.toLowerCase()}-${name}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object from `text` (whole-line `//` comments allowed, as in the CLIs' settings files), else undefined. */
function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
