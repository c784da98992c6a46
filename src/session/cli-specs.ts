/**
 * The CLIs a workspace runs: each role's command with its profile's launch flags and environment, poli's MCP server
 * registered for it, and its primer; the --on-limit switch fallbacks likewise. Checked before anything starts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CommandNotFoundError, ConfigError } from '../errors.ts';
import { PACKAGE_ROOT, readPrimer, type AppIO } from '../host.ts';
import { mcpRegistration, type McpRegistration } from '../mcp/register.ts';
import { findProgram } from '../profiles/command-check.ts';
import { withLaunchArgs } from '../profiles/launch.ts';
import { selectProfile } from '../profiles/select.ts';
import type { Role } from '../protocol/types.ts';
import type { Settings } from '../settings.ts';
import type { CliSpec } from './cli-spec.ts';

/** Both CLIs and the fallbacks, every command found; `registrations`: the MCP registrations made for them. */
export interface ResolvedClis {
  clis: Record<Role, CliSpec>;
  fallbacks: Partial<Record<Role, CliSpec>>;
  registrations: McpRegistration[];
}

/**
 * Resolves both CLIs and the fallbacks. @throws CommandNotFoundError (a CLI's command is not found, named as the person
 * gave it) or ConfigError (a fallback's is not).
 */
export async function resolveCheckedClis(io: AppIO, settings: Settings, intakeSocket: string, tokens: Record<Role, string>): Promise<ResolvedClis> {
  const registrations: McpRegistration[] = [];
  const clis = await resolveClis(io, settings, intakeSocket, registrations, tokens);
  const missing = (['PLANNER', 'EXECUTER'] as const).filter(
    (role) => !findProgram(clis[role].command, { path: io.env.PATH ?? '', cwd: settings.projectDir }),
  );
  const [first, second] = missing;
  if (first) {
    // Named as the person gave it (--planner-cmd), not with the launch flags poli adds to it.
    const given = (role: Role) => (role === 'PLANNER' ? settings.plannerCmd : settings.executerCmd);
    throw new CommandNotFoundError(first, given(first), second ? { also: { role: second, command: given(second) } } : {});
  }
  const fallbacks = await resolveFallbacks(io, settings, intakeSocket, registrations, tokens);
  for (const [role, spec] of Object.entries(fallbacks) as [Role, CliSpec][]) {
    if (!findProgram(spec.command, { path: io.env.PATH ?? '', cwd: settings.projectDir })) {
      throw new ConfigError(
        `--${role.toLowerCase()}-fallback-cmd: ${JSON.stringify(spec.command)} was not found (on PATH or in ${settings.projectDir}); ` +
          'give a command that runs in the project directory, or leave --on-limit at wait',
      );
    }
  }
  return { clis, fallbacks, registrations };
}

/**
 * The commands, environment, profiles and primers of both CLIs. Each profile's launch flags and
 * environment (a real scrollback, no update prompt) are added to the user's command and pane.
 */
async function resolveClis(
  io: AppIO,
  settings: Settings,
  intakeSocket: string,
  registrations: McpRegistration[],
  tokens: Record<Role, string>,
): Promise<Record<Role, CliSpec>> {
  const spec = cliSpecMaker(io, settings, intakeSocket, registrations, tokens);
  return {
    PLANNER: await spec('PLANNER', settings.mock ? mockCommand('mock-planner.ts') : settings.plannerCmd, settings.plannerProfile),
    EXECUTER: await spec('EXECUTER', settings.mock ? mockCommand('mock-executer.ts') : settings.executerCmd, settings.executerProfile),
  };
}

/**
 * --on-limit switch: each role's fallback CLI, with its own profile (by its command's name; the mock profile under
 * --mock, where the fallback is a mock too). None with --on-limit wait.
 */
async function resolveFallbacks(
  io: AppIO,
  settings: Settings,
  intakeSocket: string,
  registrations: McpRegistration[],
  tokens: Record<Role, string>,
): Promise<Partial<Record<Role, CliSpec>>> {
  if (settings.onLimit !== 'switch') return {};
  const spec = cliSpecMaker(io, settings, intakeSocket, registrations, tokens);
  const fallbacks: Partial<Record<Role, CliSpec>> = {};
  if (settings.plannerFallbackCmd) fallbacks.PLANNER = await spec('PLANNER', settings.plannerFallbackCmd, undefined);
  if (settings.executerFallbackCmd) fallbacks.EXECUTER = await spec('EXECUTER', settings.executerFallbackCmd, undefined);
  return fallbacks;
}

function cliSpecMaker(io: AppIO, settings: Settings, intakeSocket: string, registrations: McpRegistration[], tokens: Record<Role, string>) {
  const mockEnv = Object.fromEntries(
    Object.entries(io.env).filter((e): e is [string, string] => e[0].startsWith('MOCK_') && e[1] !== undefined),
  );
  return async (role: Role, command: string, profileName: string | undefined): Promise<CliSpec> => {
    // A profile name is checked under --mock too (the mocks run with the mock profile): a typo is refused either way.
    if (settings.mock && profileName !== undefined) selectProfile(command, profileName);
    const profile = selectProfile(command, settings.mock ? 'mock' : profileName);
    const mcp = mcpRegistration(profile.name, { role, socketPath: intakeSocket, token: tokens[role], env: io.env, readText: readTextIfAny });
    registrations.push(mcp);
    return {
      command: withLaunchArgs(command, [...profile.launch.args, ...mcp.args]),
      // The mock CLIs' settings go to every pane that runs a mock (--mock, or a mock command with --*-profile mock).
      env: { ...profile.launch.env, ...mcp.env, ...(settings.mock || profile.name === 'mock' ? mockEnv : {}) },
      profile,
      primer: await readPrimer(role === 'PLANNER' ? 'planner' : 'executer'),
      fileThreshold: settings.fileThreshold,
      environment: { ...io.env, ...profile.launch.env },
    };
  };
}

/** A file's text, or undefined when it cannot be read (e.g. a CLI's settings file the user never wrote). */
function readTextIfAny(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The bundled mock TUI, run by this Node with tsx's loader (no PATH lookups needed). */
function mockCommand(file: string): string {
  const tsx = import.meta.resolve('tsx');
  return [process.execPath, '--import', tsx, path.join(PACKAGE_ROOT, 'mocks', file)].map(shellQuote).join(' ');
}

/** A word as sh reads it back unchanged: quoted only when it needs to be. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
