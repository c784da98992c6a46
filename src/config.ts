/**
 * Resolves and validates the settings (table in settings.ts) from their layers: flags, the
 * environment, .env in the user's directory, config/shared_workspace.env, then defaults.
 */
import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from './errors.ts';
import { SETTINGS, type Settings, type SettingName, type SettingSpec } from './settings.ts';

export * from './settings.ts';

/** Path of the workspace config file, relative to the package root; also how errors name it. */
export const WORKSPACE_ENV_FILE = 'config/shared_workspace.env';
const DOTENV_FILE = '.env';

export type FlagValues = Partial<Record<SettingName, string | number | boolean | undefined>>;

export interface ResolveSettingsInput {
  flags: FlagValues;
  env: Record<string, string | undefined>;
  /** Contents of `.env` in the user's directory, if any. */
  dotenvText?: string;
  /** Contents of `config/shared_workspace.env` in the package root, if any. */
  workspaceEnvText?: string;
  /** Directory poli was started from; relative paths resolve against it. */
  userCwd: string;
  packageRoot: string;
  /** The user's home directory, for the default state directory of an installed poli (default: os.homedir()). */
  homeDir?: string;
  /** When given, `projectDir` must satisfy it. */
  isDirectory?: (absolutePath: string) => boolean;
  /**
   * When given, only these settings must be valid: any other invalid one gets its default and is
   * reported to `onInvalid` (a command that only reads state must not fail on a bad `.env` value).
   */
  needed?: readonly SettingName[];
  onInvalid?: (error: ConfigError) => void;
}

type Source = 'flag' | 'environment' | 'dotenv' | 'workspace' | 'default';

/**
 * Resolves every setting from its layers (flags, environment, `.env`, `config/shared_workspace.env`, defaults; the
 * first layer that has it wins) and validates it. Pure apart from the injected `isDirectory`.
 * In the environment and the env files an empty value counts as unset, so `PLANNER_CMD=` falls through.
 * @throws ConfigError naming the setting, where its value came from, the value and what is accepted.
 */
export function resolveSettings(input: ResolveSettingsInput): Settings {
  const dotenv = parseDotenv(input.dotenvText ?? '');
  const workspace = parseDotenv(stripExportPrefixes(input.workspaceEnvText ?? ''));
  const computed: Partial<Record<SettingName, string>> = {
    stateDir: defaultStateDir(input.packageRoot, input.env, input.homeDir ?? homedir()),
  };
  const values: Record<string, unknown> = {};
  for (const spec of SETTINGS) {
    const [raw, source] = pickLayer(spec, input.flags, input.env, dotenv, workspace, computed[spec.name]);
    try {
      values[spec.name] = convertSetting(spec, raw, source, input);
    } catch (error) {
      if (!input.needed || input.needed.includes(spec.name) || !(error instanceof ConfigError)) throw error;
      input.onInvalid?.(error);
      values[spec.name] = convertSetting(spec, computed[spec.name] ?? spec.default, 'default', input);
    }
  }
  return values as unknown as Settings;
}

/**
 * Reads `.env` from `userCwd` and `config/shared_workspace.env` from `packageRoot` (missing files are fine), then
 * resolves the settings and checks that the project directory exists.
 */
export async function loadSettings(input: {
  flags: FlagValues;
  env: Record<string, string | undefined>;
  userCwd: string;
  packageRoot: string;
  needed?: readonly SettingName[];
  onInvalid?: (error: ConfigError) => void;
}): Promise<Settings> {
  const [dotenvText, workspaceEnvText] = await Promise.all([
    readOptionalFile(path.join(input.userCwd, DOTENV_FILE)),
    readOptionalFile(path.join(input.packageRoot, WORKSPACE_ENV_FILE)),
  ]);
  return resolveSettings({ ...input, dotenvText, workspaceEnvText, isDirectory: isDirectorySync });
}

/**
 * Every `KEY=value` of the layers settings come from, the first found winning: the environment, `.env` in `userCwd`,
 * `config/shared_workspace.env`. For values that are not settings of their own (the queue's task types).
 */
export async function loadConfigValues(input: { env: Record<string, string | undefined>; userCwd: string; packageRoot: string }): Promise<Record<string, string | undefined>> {
  const [dotenvText, workspaceEnvText] = await Promise.all([
    readOptionalFile(path.join(input.userCwd, DOTENV_FILE)),
    readOptionalFile(path.join(input.packageRoot, WORKSPACE_ENV_FILE)),
  ]);
  return { ...parseDotenv(stripExportPrefixes(workspaceEnvText ?? '')), ...parseDotenv(dotenvText ?? ''), ...input.env };
}

/**
 * Where poli keeps its state unless told otherwise: outside the user's project either way, and the
 * same from every directory, so `poli --state` finds the tasks wherever it is run. Run from a
 * checkout, the checkout's `logs/`; installed as a package (its root inside a `node_modules`
 * directory), `$XDG_STATE_HOME/poli`, by default `~/.local/state/poli` (the XDG Base Directory
 * specification ignores a relative XDG_STATE_HOME).
 */
export function defaultStateDir(packageRoot: string, env: Record<string, string | undefined>, homeDir: string): string {
  if (!isInstalledPackage(packageRoot)) return path.join(packageRoot, 'logs');
  const xdg = env.XDG_STATE_HOME;
  return path.join(xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(homeDir, '.local', 'state'), 'poli');
}

/** Whether poli runs from an installed package (npm install [-g]) rather than a checkout (npm link keeps the checkout). */
export function isInstalledPackage(packageRoot: string): boolean {
  return path.resolve(packageRoot).split(path.sep).includes('node_modules');
}

/**
 * The directory the user started poli from. `npm run` changes the working directory to the package root and keeps
 * the original one in INIT_CWD.
 */
export function resolveUserCwd(env: Record<string, string | undefined>, cwd: string): string {
  const initCwd = env.INIT_CWD;
  return initCwd !== undefined && path.isAbsolute(initCwd) ? initCwd : cwd;
}

/** `config/shared_workspace.env` may be written to be `source`d by a shell; dotenv wants plain `KEY=value`. */
function stripExportPrefixes(text: string): string {
  return text.replace(/^([ \t]*)export[ \t]+/gm, '$1');
}

function pickLayer(
  spec: SettingSpec,
  flags: FlagValues,
  env: Record<string, string | undefined>,
  dotenv: Record<string, string>,
  workspace: Record<string, string>,
  computedDefault: string | undefined,
): [string | number | boolean | undefined, Source] {
  const flag = flags[spec.name];
  if (flag !== undefined) return [flag, 'flag'];
  const layers: [Record<string, string | undefined>, Source][] = [
    [env, 'environment'],
    [dotenv, 'dotenv'],
    [workspace, 'workspace'],
  ];
  for (const [layer, source] of layers) {
    const value = layer[spec.env];
    if (value !== undefined && value.trim() !== '') return [value, source];
  }
  return [computedDefault ?? spec.default, 'default'];
}

function convertSetting(
  spec: SettingSpec,
  raw: string | number | boolean | undefined,
  source: Source,
  input: ResolveSettingsInput,
): unknown {
  const fail = (expected: string, shown?: string): never => {
    throw new ConfigError(
      `invalid value for --${spec.flag} (from ${describeSource(spec, source)}): ${shown ?? quote(raw)}; ` +
        `expected ${expected}`,
    );
  };
  const kind = spec.kind;
  if (kind.type === 'path') {
    const text = raw === undefined ? '.' : String(raw).trim();
    if (text === '') return fail('a path');
    const absolute = path.resolve(input.userCwd, text);
    if (kind.mustBeDirectory && input.isDirectory && !input.isDirectory(absolute)) {
      return fail('an existing directory', `${quote(raw ?? '.')} (resolved to ${absolute})`);
    }
    return absolute;
  }
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  switch (kind.type) {
    case 'string':
      if (text === '') return fail('a non-empty value');
      if (kind.pattern && !kind.pattern.test(text)) return fail(kind.patternText ?? String(kind.pattern));
      return text;
    case 'boolean': {
      const value = BOOLEAN_WORDS.get(text.toLowerCase());
      return value ?? fail(`one of ${[...BOOLEAN_WORDS.keys()].join(', ')}`);
    }
    case 'integer': {
      const value = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < kind.min) {
        return fail(`an integer >= ${kind.min}`);
      }
      return value;
    }
    case 'seconds': {
      const value = Number(text);
      if (!/^(\d+\.?\d*|\.\d+)$/.test(text) || !Number.isFinite(value) || value <= 0) {
        return fail('a number of seconds > 0 (decimals allowed)');
      }
      return value;
    }
    case 'hours': {
      const value = Number(text);
      if (!/^(\d+\.?\d*|\.\d+)$/.test(text) || !Number.isFinite(value) || value <= 0) {
        return fail('a number of hours > 0 (decimals allowed)');
      }
      return value;
    }
    case 'choice':
      return kind.choices.includes(text) ? text : fail(`one of ${kind.choices.join(', ')}`);
  }
}

const BOOLEAN_WORDS = new Map<string, boolean>([
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
  ['yes', true],
  ['no', false],
]);

function describeSource(spec: SettingSpec, source: Source): string {
  switch (source) {
    case 'flag':
      return `flag --${spec.flag}`;
    case 'environment':
      return `environment ${spec.env}`;
    case 'dotenv':
      return `${DOTENV_FILE} ${spec.env}`;
    case 'workspace':
      return `${WORKSPACE_ENV_FILE} ${spec.env}`;
    case 'default':
      return 'default';
  }
}

const MAX_SHOWN_VALUE = 80;

function quote(value: unknown): string {
  const text = String(value);
  const shown = text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text;
  return JSON.stringify(shown);
}

async function readOptionalFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`could not read ${file}: ${(error as Error).message}; fix its permissions or remove it`, {
      cause: error,
    });
  }
}

function isDirectorySync(absolutePath: string): boolean {
  try {
    return statSync(absolutePath).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Settings that only make sense together: --on-limit switch needs a fallback CLI for at least one role (a role without
 * one waits out its limits as with --on-limit wait).
 * @throws ConfigError saying what is missing and how to give it.
 */
export function checkSettingCombinations(settings: Pick<Settings, 'onLimit' | 'plannerFallbackCmd' | 'executerFallbackCmd'>): void {
  if (settings.onLimit === 'switch' && !settings.plannerFallbackCmd && !settings.executerFallbackCmd) {
    throw new ConfigError(
      '--on-limit switch needs a fallback CLI to switch to: give --planner-fallback-cmd and/or --executer-fallback-cmd ' +
        '(e.g. --on-limit switch --executer-fallback-cmd codex), or use --on-limit wait',
    );
  }
}
