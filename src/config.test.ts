import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SETTINGS,
  checkSettingCombinations,
  defaultStateDir,
  isInstalledPackage,
  loadSettings,
  resolveSettings,
  resolveUserCwd,
  type ResolveSettingsInput,
  type SettingName,
  type Settings,
} from './config.ts';
import { ConfigError } from './errors.ts';

const USER_CWD = '/home/ada/project';
const PACKAGE_ROOT = '/opt/poli';

function resolve(overrides: Partial<ResolveSettingsInput> = {}): Settings {
  return resolveSettings({ flags: {}, env: {}, userCwd: USER_CWD, packageRoot: PACKAGE_ROOT, ...overrides });
}

function configErrorOf(overrides: Partial<ResolveSettingsInput>): string {
  try {
    resolve(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

const DEFAULTS: Settings = {
  projectDir: USER_CWD,
  stateDir: '/opt/poli/logs',
  plannerCmd: 'claude',
  executerCmd: 'codex',
  mock: false,
  socket: 'poli',
  session: 'poli',
  maxRounds: 20,
  planTimeout: 300,
  execTimeout: 900,
  killOnExit: false,
  logLevel: 'info',
  restarts: 2,
  pollMs: 100,
  approve: 'off',
  plannerProfile: undefined,
  executerProfile: undefined,
  fileThreshold: 2048,
  notify: undefined,
  limitWait: 6,
  onLimit: 'wait',
  plannerFallbackCmd: undefined,
  executerFallbackCmd: undefined,
  prices: undefined,
};

describe('resolveSettings', () => {
  it('uses the defaults when no layer sets anything', () => {
    expect(resolve()).toEqual(DEFAULTS);
  });

  // One valid raw value per layer (flag, environment, .env, workspace file) and what each resolves to.
  const LAYER_VALUES: Record<SettingName, [string[], unknown[]]> = {
    projectDir: [['/f', 'e', '../d', '/w'], ['/f', '/home/ada/project/e', '/home/ada/d', '/w']],
    stateDir: [['s/f', '/e', 'd', 'w'], ['/home/ada/project/s/f', '/e', '/home/ada/project/d', '/home/ada/project/w']],
    plannerCmd: [['pf', 'pe', 'pd', 'pw'], ['pf', 'pe', 'pd', 'pw']],
    executerCmd: [['xf', 'xe', 'xd', 'xw'], ['xf', 'xe', 'xd', 'xw']],
    mock: [['yes', 'no', '1', '0'], [true, false, true, false]],
    socket: [['a', 'b.c', 'd_e', 'f-9'], ['a', 'b.c', 'd_e', 'f-9']],
    session: [['T7', 'A', 'b_c', 'x-9'], ['T7', 'A', 'b_c', 'x-9']],
    maxRounds: [['1', '2', '3', '4'], [1, 2, 3, 4]],
    planTimeout: [['0.5', '2', '3.25', '4'], [0.5, 2, 3.25, 4]],
    execTimeout: [['1', '.5', '30', '40.0'], [1, 0.5, 30, 40]],
    killOnExit: [['TRUE', 'False', 'Yes', 'NO'], [true, false, true, false]],
    logLevel: [['error', 'warn', 'debug', 'info'], ['error', 'warn', 'debug', 'info']],
    restarts: [['0', '1', '5', '7'], [0, 1, 5, 7]],
    pollMs: [['10', '20', '30', '40'], [10, 20, 30, 40]],
    approve: [['plans', 'all', 'off', 'plans'], ['plans', 'all', 'off', 'plans']],
    plannerProfile: [['claude', 'codex', 'generic', 'mock'], ['claude', 'codex', 'generic', 'mock']],
    executerProfile: [['codex', 'claude', 'mock', 'generic'], ['codex', 'claude', 'mock', 'generic']],
    fileThreshold: [['256', '512', '1024', '4096'], [256, 512, 1024, 4096]],
    notify: [['notify-send poli', 'cat', 'x y', 'z'], ['notify-send poli', 'cat', 'x y', 'z']],
    limitWait: [['0.5', '2', '12', '48.0'], [0.5, 2, 12, 48]],
    onLimit: [['switch', 'wait', 'switch', 'wait'], ['switch', 'wait', 'switch', 'wait']],
    plannerFallbackCmd: [['codex', 'gemini', 'qwen', 'claude --model x'], ['codex', 'gemini', 'qwen', 'claude --model x']],
    executerFallbackCmd: [['claude', 'qwen', 'gemini', 'codex -m y'], ['claude', 'qwen', 'gemini', 'codex -m y']],
    prices: [['p.json', '/e/p.json', 'd.json', 'w.json'], ['p.json', '/e/p.json', 'd.json', 'w.json']],
  };

  describe.each(SETTINGS.map((spec) => [spec.name, spec] as const))('precedence of %s', (name, spec) => {
    const [raw, expected] = LAYER_VALUES[name];
    const layers = (depth: number): Partial<ResolveSettingsInput> => ({
      flags: depth <= 0 ? { [name]: raw[0] } : {},
      env: depth <= 1 ? { [spec.env]: raw[1] } : {},
      dotenvText: depth <= 2 ? `${spec.env}=${raw[2]}\n` : '',
      workspaceEnvText: depth <= 3 ? `export ${spec.env}=${raw[3]}\n` : '',
    });

    it.each([
      ['flag', 0],
      ['environment', 1],
      ['.env', 2],
      ['config/shared_workspace.env', 3],
    ] as const)('takes the %s value over every later layer', (_layer, depth) => {
      expect(resolve(layers(depth))[name]).toEqual(expected[depth]);
    });

    it('falls back to the default', () => {
      expect(resolve(layers(4))[name]).toEqual(DEFAULTS[name]);
    });
  });

  it('accepts typed flag values as yargs produces them', () => {
    const settings = resolve({ flags: { maxRounds: 7, mock: true, killOnExit: false, planTimeout: 1.5 } });
    expect([settings.maxRounds, settings.mock, settings.killOnExit, settings.planTimeout]).toEqual([7, true, false, 1.5]);
  });

  it('treats an empty environment or file value as unset', () => {
    const settings = resolve({
      env: { PLANNER_CMD: '', POLI_MAX_ROUNDS: '  ' },
      dotenvText: 'PLANNER_CMD=\n',
      workspaceEnvText: 'PLANNER_CMD=gemini\n',
    });
    expect([settings.plannerCmd, settings.maxRounds]).toEqual(['gemini', 20]);
  });

  it('strips a leading export in the workspace file, indented or not', () => {
    const settings = resolve({ workspaceEnvText: '  export POLI_TMUX_SOCKET=team\nexport\tPOLI_POLL_MS=50\n' });
    expect([settings.socket, settings.pollMs]).toEqual(['team', 50]);
  });

  it('resolves relative paths against the user directory, not the package root', () => {
    const settings = resolve({ userCwd: '/srv/work', flags: { projectDir: 'app' }, env: { POLI_STATE_DIR: '../state' } });
    expect([settings.projectDir, settings.stateDir]).toEqual(['/srv/work/app', '/srv/state']);
  });

  it('checks that the project directory exists when given isDirectory', () => {
    const seen: string[] = [];
    const isDirectory = (p: string): boolean => {
      seen.push(p);
      return p === '/home/ada/project';
    };
    expect(resolve({ isDirectory }).projectDir).toBe('/home/ada/project');
    expect(configErrorOf({ isDirectory, env: { PROJECT_DIR: 'missing' } })).toBe(
      'invalid value for --project-dir (from environment PROJECT_DIR): "missing" (resolved to /home/ada/project/missing); ' +
        'expected an existing directory',
    );
    expect(seen).toEqual(['/home/ada/project', '/home/ada/project/missing']);
  });

  it('reports the default as the source when the default project directory is missing', () => {
    expect(configErrorOf({ isDirectory: () => false })).toBe(
      'invalid value for --project-dir (from default): "." (resolved to /home/ada/project); expected an existing directory',
    );
  });
});

describe('resolveSettings validation errors', () => {
  it.each<[string, Partial<ResolveSettingsInput>, string]>([
    [
      'max-rounds from the environment',
      { env: { POLI_MAX_ROUNDS: 'abc' } },
      'invalid value for --max-rounds (from environment POLI_MAX_ROUNDS): "abc"; expected an integer >= 1',
    ],
    [
      'max-rounds zero from a flag',
      { flags: { maxRounds: 0 } },
      'invalid value for --max-rounds (from flag --max-rounds): "0"; expected an integer >= 1',
    ],
    [
      'max-rounds decimal from .env',
      { dotenvText: 'POLI_MAX_ROUNDS=2.5' },
      'invalid value for --max-rounds (from .env POLI_MAX_ROUNDS): "2.5"; expected an integer >= 1',
    ],
    [
      'max-rounds from the workspace file',
      { workspaceEnvText: 'export POLI_MAX_ROUNDS=-3' },
      'invalid value for --max-rounds (from config/shared_workspace.env POLI_MAX_ROUNDS): "-3"; expected an integer >= 1',
    ],
    [
      'restarts negative',
      { flags: { restarts: '-1' } },
      'invalid value for --restarts (from flag --restarts): "-1"; expected an integer >= 0',
    ],
    [
      'poll-ms below 10',
      { env: { POLI_POLL_MS: '9' } },
      'invalid value for --poll-ms (from environment POLI_POLL_MS): "9"; expected an integer >= 10',
    ],
    [
      'file-threshold below 256',
      { env: { POLI_FILE_THRESHOLD: '255' } },
      'invalid value for --file-threshold (from environment POLI_FILE_THRESHOLD): "255"; expected an integer >= 256',
    ],
    [
      'plan-timeout zero',
      { env: { POLI_PLAN_TIMEOUT: '0' } },
      'invalid value for --plan-timeout (from environment POLI_PLAN_TIMEOUT): "0"; expected a number of seconds > 0 (decimals allowed)',
    ],
    [
      'exec-timeout not a number',
      { flags: { execTimeout: '10s' } },
      'invalid value for --exec-timeout (from flag --exec-timeout): "10s"; expected a number of seconds > 0 (decimals allowed)',
    ],
    [
      'exec-timeout NaN from yargs',
      { flags: { execTimeout: Number.NaN } },
      'invalid value for --exec-timeout (from flag --exec-timeout): "NaN"; expected a number of seconds > 0 (decimals allowed)',
    ],
    [
      'mock not a boolean',
      { env: { POLI_MOCK: 'maybe' } },
      'invalid value for --mock (from environment POLI_MOCK): "maybe"; expected one of true, false, 1, 0, yes, no',
    ],
    [
      'kill-on-exit not a boolean',
      { dotenvText: 'POLI_KILL_ON_EXIT=on' },
      'invalid value for --kill-on-exit (from .env POLI_KILL_ON_EXIT): "on"; expected one of true, false, 1, 0, yes, no',
    ],
    [
      'socket with a slash',
      { flags: { socket: 'a/b' } },
      'invalid value for --socket (from flag --socket): "a/b"; expected a name of letters, digits, "_", "." and "-"',
    ],
    [
      'session with a dot (tmux reads it as session.window)',
      { flags: { session: 'T7.1' } },
      'invalid value for --session (from flag --session): "T7.1"; expected a name of 1 to 64 letters, digits, "_" and "-", e.g. T7',
    ],
    [
      'session longer than 64',
      { env: { POLI_SESSION: 'x'.repeat(65) } },
      `invalid value for --session (from environment POLI_SESSION): "${'x'.repeat(65)}"; expected a name of 1 to 64 letters, digits, "_" and "-", e.g. T7`,
    ],
    [
      'log-level unknown',
      { env: { POLI_LOG_LEVEL: 'verbose' } },
      'invalid value for --log-level (from environment POLI_LOG_LEVEL): "verbose"; expected one of error, warn, info, debug',
    ],
    [
      'approve unknown',
      { workspaceEnvText: 'POLI_APPROVE=some' },
      'invalid value for --approve (from config/shared_workspace.env POLI_APPROVE): "some"; expected one of plans, all, off',
    ],
    [
      'planner-cmd empty flag',
      { flags: { plannerCmd: '' } },
      'invalid value for --planner-cmd (from flag --planner-cmd): ""; expected a non-empty value',
    ],
    [
      'executer-cmd blank flag',
      { flags: { executerCmd: '  ' } },
      'invalid value for --executer-cmd (from flag --executer-cmd): "  "; expected a non-empty value',
    ],
    [
      'planner-profile empty flag',
      { flags: { plannerProfile: '' } },
      'invalid value for --planner-profile (from flag --planner-profile): ""; expected a non-empty value',
    ],
    [
      'state-dir empty flag',
      { flags: { stateDir: '' } },
      'invalid value for --state-dir (from flag --state-dir): ""; expected a path',
    ],
  ])('%s', (_name, overrides, message) => {
    expect(configErrorOf(overrides)).toBe(message);
  });

  it('truncates a long value in the message', () => {
    expect(configErrorOf({ env: { POLI_TMUX_SOCKET: `${'x'.repeat(90)}/` } })).toBe(
      `invalid value for --socket (from environment POLI_TMUX_SOCKET): "${'x'.repeat(80)}…"; ` +
        'expected a name of letters, digits, "_", "." and "-"',
    );
  });

  it('has the stable code CONFIG_INVALID', () => {
    expect(() => resolve({ env: { POLI_MAX_ROUNDS: 'x' } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', name: 'ConfigError' }),
    );
  });
});

describe('resolveUserCwd', () => {
  it('prefers INIT_CWD, which npm run sets to the directory the user ran it from', () => {
    expect(resolveUserCwd({ INIT_CWD: '/home/ada/project' }, '/opt/poli')).toBe('/home/ada/project');
  });

  it('falls back to the working directory when INIT_CWD is missing or not absolute', () => {
    expect(resolveUserCwd({}, '/opt/poli')).toBe('/opt/poli');
    expect(resolveUserCwd({ INIT_CWD: '' }, '/opt/poli')).toBe('/opt/poli');
    expect(resolveUserCwd({ INIT_CWD: 'rel' }, '/opt/poli')).toBe('/opt/poli');
  });

  it('feeds resolution of relative paths', () => {
    const userCwd = resolveUserCwd({ INIT_CWD: '/home/ada' }, '/opt/poli');
    const settings = resolveSettings({ flags: { projectDir: 'project', stateDir: 'state' }, env: {}, userCwd, packageRoot: '/opt/poli' });
    expect([settings.projectDir, settings.stateDir]).toEqual(['/home/ada/project', '/home/ada/state']);
  });
});

describe('the default state directory', () => {
  const INSTALLED = '/usr/local/lib/node_modules/poli';

  it("is the checkout's logs/ when poli runs from a checkout, whatever directory it was started from", () => {
    expect(isInstalledPackage('/home/ada/src/poli')).toBe(false);
    for (const userCwd of ['/home/ada/project', '/tmp', '/']) {
      expect(resolve({ userCwd, packageRoot: '/home/ada/src/poli' }).stateDir).toBe('/home/ada/src/poli/logs');
    }
  });

  it('is $XDG_STATE_HOME/poli, by default ~/.local/state/poli, when poli is installed as a package', () => {
    expect(isInstalledPackage(INSTALLED)).toBe(true);
    expect(isInstalledPackage('/home/ada/project/node_modules/poli')).toBe(true);
    expect(defaultStateDir(INSTALLED, {}, '/home/ada')).toBe('/home/ada/.local/state/poli');
    expect(defaultStateDir(INSTALLED, { XDG_STATE_HOME: '/var/state/ada' }, '/home/ada')).toBe('/var/state/ada/poli');
    // The XDG specification says a relative path is invalid and must be ignored.
    expect(defaultStateDir(INSTALLED, { XDG_STATE_HOME: 'state' }, '/home/ada')).toBe('/home/ada/.local/state/poli');
    for (const userCwd of ['/home/ada/project', '/tmp']) {
      expect(resolve({ userCwd, packageRoot: INSTALLED, homeDir: '/home/ada', env: { XDG_STATE_HOME: '/x' } }).stateDir).toBe('/x/poli');
    }
  });

  it('gives way to --state-dir, POLI_STATE_DIR and the env files, which resolve against the user directory', () => {
    const installed = { packageRoot: INSTALLED, homeDir: '/home/ada' };
    expect(resolve({ ...installed, flags: { stateDir: 'st' } }).stateDir).toBe('/home/ada/project/st');
    expect(resolve({ ...installed, env: { POLI_STATE_DIR: '/srv/poli' } }).stateDir).toBe('/srv/poli');
    expect(resolve({ ...installed, dotenvText: 'POLI_STATE_DIR=here\n' }).stateDir).toBe('/home/ada/project/here');
  });
});

describe('loadSettings', () => {
  let root: string;
  let userCwd: string;
  let packageRoot: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'poli-config-'));
    userCwd = path.join(root, 'user');
    packageRoot = path.join(root, 'pkg');
    await mkdir(userCwd);
    await mkdir(path.join(packageRoot, 'config'), { recursive: true });
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('works without .env or the workspace file', async () => {
    expect(await loadSettings({ flags: {}, env: {}, userCwd, packageRoot })).toEqual({
      ...DEFAULTS,
      projectDir: userCwd,
      stateDir: path.join(packageRoot, 'logs'),
    });
  });

  it('reads .env from the user directory and the workspace file from the package root', async () => {
    await writeFile(path.join(userCwd, '.env'), 'PLANNER_CMD=from-dotenv\nPOLI_MAX_ROUNDS=3\n');
    await writeFile(path.join(packageRoot, 'config/shared_workspace.env'), 'export PLANNER_CMD=ws\nEXECUTER_CMD=ws-x\n');
    await writeFile(path.join(packageRoot, '.env'), 'POLI_RESTARTS=9\n');
    const settings = await loadSettings({ flags: {}, env: { POLI_MAX_ROUNDS: '4' }, userCwd, packageRoot });
    expect([settings.plannerCmd, settings.executerCmd, settings.maxRounds, settings.restarts]).toEqual([
      'from-dotenv',
      'ws-x',
      4,
      2,
    ]);
  });

  it('rejects a project directory that is a file', async () => {
    await writeFile(path.join(userCwd, 'notes.txt'), '');
    await expect(loadSettings({ flags: { projectDir: 'notes.txt' }, env: {}, userCwd, packageRoot })).rejects.toThrow(
      `invalid value for --project-dir (from flag --project-dir): "notes.txt" (resolved to ${userCwd}/notes.txt); ` +
        'expected an existing directory',
    );
  });

  it('reports a .env that cannot be read', async () => {
    await mkdir(path.join(userCwd, '.env'));
    await expect(loadSettings({ flags: {}, env: {}, userCwd, packageRoot })).rejects.toThrow(
      `could not read ${userCwd}/.env: EISDIR: illegal operation on a directory, read; fix its permissions or remove it`,
    );
  });
});

describe('config/shared_workspace.env', () => {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'config', 'shared_workspace.env');

  it('documents every setting, commented out, with its default', async () => {
    const lines = (await readFile(file, 'utf8')).split('\n');
    for (const spec of SETTINGS) {
      expect(lines).toContain(`# ${spec.env}=${spec.default ?? ''}`);
    }
  });

  it('sets nothing, so the defaults in code rule', async () => {
    expect(resolve({ workspaceEnvText: await readFile(file, 'utf8') })).toEqual(DEFAULTS);
  });
});

describe('resolveSettings with only some settings needed', () => {
  it('gives an invalid setting that is not needed its default and reports it; a needed one still fails', () => {
    const reported: string[] = [];
    const settings = resolve({ dotenvText: 'POLI_MAX_ROUNDS=zero\n', needed: ['stateDir', 'socket'], onInvalid: (e) => reported.push(e.message) });
    expect(settings.maxRounds).toBe(20);
    expect(reported).toEqual(['invalid value for --max-rounds (from .env POLI_MAX_ROUNDS): "zero"; expected an integer >= 1']);
    expect(() => resolve({ dotenvText: 'POLI_TMUX_SOCKET=a b\n', needed: ['stateDir', 'socket'] })).toThrow(ConfigError);
  });
});

describe('checkSettingCombinations', () => {
  it('refuses --on-limit switch without any fallback command, saying how to give one', () => {
    expect(() => checkSettingCombinations({ onLimit: 'switch', plannerFallbackCmd: undefined, executerFallbackCmd: undefined })).toThrow(
      '--on-limit switch needs a fallback CLI to switch to: give --planner-fallback-cmd and/or --executer-fallback-cmd (e.g. --on-limit switch --executer-fallback-cmd codex), or use --on-limit wait',
    );
  });

  it.each([
    { onLimit: 'switch', plannerFallbackCmd: undefined, executerFallbackCmd: 'codex' },
    { onLimit: 'switch', plannerFallbackCmd: 'gemini', executerFallbackCmd: undefined },
    { onLimit: 'wait', plannerFallbackCmd: undefined, executerFallbackCmd: undefined },
  ] as const)('accepts %o', (settings) => {
    expect(() => checkSettingCombinations(settings)).not.toThrow();
  });
});
