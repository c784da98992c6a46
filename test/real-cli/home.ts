/**
 * Seeds an isolated HOME (and project directory) per test for the real Claude Code and Codex CLIs, so each starts
 * straight at its prompt against the fake model server, or, on request, at one of its first-run dialogs.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A fake key long enough that Claude keys its approval on the last 20 characters, as for a real one. */
export const FAKE_API_KEY = 'sk-ant-fake-0123456789abcdefghijklmnop';
/** The Codex provider's `env_key`: a variable Codex reads the key from, which nothing else uses. */
export const CODEX_KEY_VARIABLE = 'FAKE_OPENAI_API_KEY';

export interface TestDirs {
  root: string;
  home: string;
  /** The working directory, a fresh git repository (Codex asks about trust only in one), as a realpath. */
  project: string;
  cleanup(): Promise<void>;
}

/**
 * Creates `<parent>/poli-real-cli-XXXX/{home,project}`; the project is `git init`ed. Codex warns (and shows
 * "⚠ 1 warning" in its footer) when CODEX_HOME is under /tmp, so the screen tests pass a parent outside it.
 */
export async function createTestDirs(parent: string = tmpdir()): Promise<TestDirs> {
  await mkdir(parent, { recursive: true });
  const root = await realpath(await mkdtemp(join(parent, 'poli-real-cli-')));
  const home = join(root, 'home');
  const project = join(root, 'project');
  await mkdir(home, { recursive: true });
  await mkdir(project, { recursive: true });
  await run('git', ['init', '-q', project]);
  await writeFile(join(project, 'README.md'), '# scratch project for poli real-CLI tests\n');
  return { root, home, project, // The CLIs may still be writing their HOME for a moment after tmux's kill-server: retry.
    cleanup: () => rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }),
  };
}

/** A claude.ai account and its OAuth tokens, as `/login` stores them (values fake). */
const FAKE_OAUTH_ACCOUNT = {
  accountUuid: '00000000-0000-4000-8000-000000000001',
  emailAddress: 'poli-test@example.com',
  organizationUuid: '00000000-0000-4000-8000-000000000002',
  organizationName: 'poli test',
  organizationRole: 'admin',
  displayName: 'poli test',
};
const FAKE_OAUTH_TOKENS = {
  accessToken: 'sk-ant-oat01-poli-test-fake',
  refreshToken: 'sk-ant-ort01-poli-test-fake',
  scopes: ['user:inference', 'user:profile', 'user:sessions:claude_code'],
  subscriptionType: 'max',
  rateLimitTier: 'default_claude_max_20x',
};

export interface ClaudeHomeOptions {
  home: string;
  project: string;
  /** `http://127.0.0.1:PORT` of the fake Anthropic server. */
  baseUrl: string;
  /** The `version` Claude reports (`claude --version`), recorded as the last onboarding version. */
  version: string;
  /** Pre-accept the "Quick safety check" trust dialog for `project` (default true). */
  trustProject?: boolean;
  /** Pre-approve the key in "Detected a custom API key" (default true). */
  approveApiKey?: boolean;
  /** Pre-accept the `--dangerously-skip-permissions` warning (default false). */
  acceptBypass?: boolean;
  /**
   * Signed in to a claude.ai Max subscription instead of an API key: an OAuth credentials file and account, as after
   * `/login` (the banner reads "Claude Max"). Offline the fake server takes the bearer token like a key; a 429 with
   * `anthropic-ratelimit-unified-*` headers then shows the subscription's usage-limit screen.
   */
  subscription?: boolean;
}

/**
 * Writes `$HOME/.claude.json` (onboarding done, dark theme, key approval, project trust) and returns the
 * environment to run `claude` with. Everything else (PATH, TERM, LANG) is the caller's.
 */
export async function seedClaudeHome(options: ClaudeHomeOptions): Promise<Record<string, string>> {
  const { home, project, trustProject = true, approveApiKey = true, acceptBypass = false } = options;
  const config: Record<string, unknown> = {
    hasCompletedOnboarding: true,
    lastOnboardingVersion: options.version,
    theme: 'dark',
    numStartups: 1,
    customApiKeyResponses: { approved: approveApiKey ? [FAKE_API_KEY.slice(-20)] : [], rejected: [] },
    projects: trustProject
      ? { [await realpath(project)]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } }
      : {},
    ...(acceptBypass ? { bypassPermissionsModeAccepted: true } : {}),
    ...(options.subscription ? { oauthAccount: FAKE_OAUTH_ACCOUNT } : {}),
  };
  await writeFile(join(home, '.claude.json'), `${JSON.stringify(config, null, 2)}\n`);
  if (options.subscription) {
    await mkdir(join(home, '.claude'), { recursive: true });
    const expiresAt = Date.now() + 30 * 24 * 3600 * 1000;
    const credentials = { claudeAiOauth: { ...FAKE_OAUTH_TOKENS, expiresAt } };
    await writeFile(join(home, '.claude', '.credentials.json'), JSON.stringify(credentials), { mode: 0o600 });
  }
  return {
    HOME: home,
    ANTHROPIC_BASE_URL: options.baseUrl,
    // Empty: a subscription session must not see a key (an API key wins over the OAuth login).
    ANTHROPIC_API_KEY: options.subscription ? '' : FAKE_API_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    // As root, --dangerously-skip-permissions refuses to start without it; harmless otherwise.
    IS_SANDBOX: '1',
  };
}

export interface CodexHomeOptions {
  home: string;
  project: string;
  /** `http://127.0.0.1:PORT` of the fake OpenAI server (the provider gets `${baseUrl}/v1`). */
  baseUrl: string;
  /** Pre-trust `project` (default true); otherwise Codex asks "Trust this folder?". */
  trustProject?: boolean;
}

/** Writes `$CODEX_HOME/config.toml` with the fake provider and returns the environment to run `codex` with. */
export async function seedCodexHome(options: CodexHomeOptions): Promise<Record<string, string>> {
  const { home, project, trustProject = true } = options;
  const codexHome = join(home, '.codex');
  await mkdir(codexHome, { recursive: true });
  await writeFile(join(codexHome, 'config.toml'), codexConfig(options.baseUrl, trustProject ? await realpath(project) : undefined));
  return { HOME: home, CODEX_HOME: codexHome, [CODEX_KEY_VARIABLE]: 'sk-test' };
}

/** The config.toml text: the fake provider, no retries, no notices, and optionally one trusted project. */
export function codexConfig(baseUrl: string, trustedProject?: string): string {
  const lines = [
    'model = "gpt-fake"',
    'model_provider = "fake"',
    'approval_policy = "on-request"',
    'sandbox_mode = "workspace-write"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.fake]',
    'name = "Fake"',
    `base_url = ${tomlString(`${baseUrl}/v1`)}`,
    `env_key = "${CODEX_KEY_VARIABLE}"`,
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    '[tui]',
    'screen_reader_detection_done = true',
    'show_tooltips = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[notice]',
    'hide_full_access_warning = true',
    'hide_world_writable_warning = true',
    'hide_rate_limit_model_nudge = true',
  ];
  if (trustedProject !== undefined) lines.push('', `[projects.${tomlString(trustedProject)}]`, 'trust_level = "trusted"');
  return `${lines.join('\n')}\n`;
}

/** A TOML basic string: JSON's escaping is valid TOML for the paths and URLs used here. */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

/** Writes a JSON file, creating its folder. */
async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

export interface MoreHomeOptions {
  home: string;
  project: string;
  /** `http://127.0.0.1:PORT` of the fake model server. */
  baseUrl: string;
  /** Pre-trust `project` where the CLI asks (default true). */
  trustProject?: boolean;
}

/**
 * Gemini CLI: `~/.gemini/settings.json` picks API-key auth (else an interactive auth dialog) and turns off update
 * checks and telemetry; UI settings stay at their defaults. `~/.gemini/trustedFolders.json` trusts the project.
 */
export async function seedGeminiHome(options: MoreHomeOptions): Promise<Record<string, string>> {
  const { home, project, trustProject = true } = options;
  await writeJson(join(home, '.gemini', 'settings.json'), {
    security: { auth: { selectedType: 'gemini-api-key' } },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    ide: { enabled: false },
  });
  if (trustProject) await writeJson(join(home, '.gemini', 'trustedFolders.json'), { [await realpath(project)]: 'TRUST_FOLDER' });
  return {
    HOME: home,
    GOOGLE_GEMINI_BASE_URL: options.baseUrl,
    GEMINI_API_KEY: 'fake-gemini-key',
    GOOGLE_API_KEY: '',
    GOOGLE_GENAI_USE_VERTEXAI: '',
    GOOGLE_CLOUD_PROJECT: '',
  };
}

/** Qwen Code: an OpenAI-compatible endpoint from the environment (no first-run dialog then); settings untouched. */
export async function seedQwenHome(options: MoreHomeOptions): Promise<Record<string, string>> {
  return { HOME: options.home, OPENAI_BASE_URL: `${options.baseUrl}/v1`, OPENAI_API_KEY: 'sk-fake-qwen', OPENAI_MODEL: 'fake-model' };
}

/** opencode: a provider on the fake server, one model, no autoupdate or sharing; permissions left at default. */
export async function seedOpencodeHome(options: MoreHomeOptions): Promise<Record<string, string>> {
  const { home } = options;
  await writeJson(join(home, '.config', 'opencode', 'opencode.json'), {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    provider: {
      fake: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Fake',
        options: { baseURL: `${options.baseUrl}/v1`, apiKey: 'sk-fake-opencode' },
        models: { 'fake-model': { name: 'Fake model' } },
      },
    },
    model: 'fake/fake-model',
    small_model: 'fake/fake-model',
  });
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_SHARE: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    OPENCODE_DISABLE_CLAUDE_CODE: '1',
  };
}

/** pi: a provider on the fake server in `~/.pi/agent/models.json`, chosen in settings.json; no telemetry. */
export async function seedPiHome(options: MoreHomeOptions): Promise<Record<string, string>> {
  const { home } = options;
  await writeJson(join(home, '.pi', 'agent', 'models.json'), {
    providers: {
      fake: {
        baseUrl: `${options.baseUrl}/v1`,
        api: 'openai-completions',
        apiKey: 'sk-fake-pi',
        models: [{ id: 'fake-model', name: 'Fake model', contextWindow: 128000, maxTokens: 8000, compat: { supportsDeveloperRole: false } }],
      },
    },
  });
  await writeJson(join(home, '.pi', 'agent', 'settings.json'), { defaultProvider: 'fake', defaultModel: 'fake-model', enableInstallTelemetry: false });
  return { HOME: home, PI_OFFLINE: '1', PI_SKIP_VERSION_CHECK: '1', PI_TELEMETRY: '0' };
}

/** GitHub Copilot CLI in offline bring-your-own-key mode; `~/.copilot/config.json` trusts the project. */
export async function seedCopilotHome(options: MoreHomeOptions): Promise<Record<string, string>> {
  const { home, project, trustProject = true } = options;
  const copilotHome = join(home, '.copilot');
  await writeJson(join(copilotHome, 'config.json'), trustProject ? { trustedFolders: [await realpath(project)] } : {});
  return {
    HOME: home,
    COPILOT_HOME: copilotHome,
    COPILOT_OFFLINE: 'true',
    COPILOT_AUTO_UPDATE: 'false',
    COPILOT_PROVIDER_BASE_URL: `${options.baseUrl}/v1`,
    COPILOT_PROVIDER_TYPE: 'openai',
    COPILOT_PROVIDER_WIRE_API: 'completions',
    COPILOT_PROVIDER_API_KEY: 'sk-fake-copilot',
    COPILOT_MODEL: 'fake-model',
    COPILOT_PROVIDER_MAX_PROMPT_TOKENS: '100000',
    COPILOT_PROVIDER_MAX_OUTPUT_TOKENS: '8000',
    COPILOT_GITHUB_TOKEN: '',
    GH_TOKEN: '',
    GITHUB_TOKEN: '',
  };
}
