/**
 * Installs the real CLIs (Claude Code, Codex, Gemini CLI, Qwen Code, opencode, pi, GitHub Copilot CLI), at pinned
 * versions, into a cache folder outside the repository (`$POLI_CLI_CACHE`, default `~/.cache/poli-real-cli`), with
 * one `npm install`, once. Later calls only check the installed versions. With `--latest` / `POLI_REAL_CLI_LATEST=1`
 * the newest published version of each goes into a separate folder (`~/.cache/poli-real-cli-latest`).
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Versions the real-CLI tests were written against (screens, first-run dialogs and config keys differ between versions). */
export const CLAUDE_CODE_VERSION = '2.1.197';
export const CODEX_VERSION = '0.169.0';

/** The five other CLIs: npm package, pinned version, executable in node_modules/.bin. */
export const MORE_CLIS = {
  gemini: { package: '@google/gemini-cli', version: '0.61.0', bin: 'gemini' },
  qwen: { package: '@qwen-code/qwen-code', version: '0.24.4', bin: 'qwen' },
  opencode: { package: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
  pi: { package: '@mariozechner/pi-coding-agent', version: '0.73.1', bin: 'pi' },
  copilot: { package: '@github/copilot', version: '1.0.102', bin: 'copilot' },
} as const;
export type MoreCli = keyof typeof MORE_CLIS;

/** Pinned packages of every CLI, installed together (one npm install). */
function pinnedPackages(): string[] {
  return [
    `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`,
    `@openai/codex@${CODEX_VERSION}`,
    ...Object.values(MORE_CLIS).map((cli) => `${cli.package}@${cli.version}`),
  ];
}

/** True when the run asks for the newest published versions (`npm run test:real-cli -- --latest`). */
export function latestRequested(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): boolean {
  return env.POLI_REAL_CLI_LATEST === '1' || argv.includes('--latest');
}

/** The Claude Code package ships a ~245 MB native binary: a cold install takes ~20 s, allow far more. */
const INSTALL_TIMEOUT_MS = 600_000;
const VERSION_TIMEOUT_MS = 30_000;

export interface RealClis {
  cacheDir: string;
  claude: string;
  codex: string;
  claudeVersion: string;
  codexVersion: string;
}

/** The cache folder: `$POLI_CLI_CACHE` or `~/.cache/poli-real-cli`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (latestRequested(env)) return env.POLI_CLI_CACHE_LATEST ?? join(homedir(), '.cache', 'poli-real-cli-latest');
  return env.POLI_CLI_CACHE ?? join(homedir(), '.cache', 'poli-real-cli');
}

/**
 * Returns the paths of the pinned `claude` and `codex` executables, installing them with `npm install --prefix`
 * first when either is missing or reports another version. Safe to call from every test file: the check is two
 * `--version` runs.
 */
export async function ensureRealClis(cacheDir: string = defaultCacheDir()): Promise<RealClis> {
  const claude = join(cacheDir, 'node_modules', '.bin', 'claude');
  const codex = join(cacheDir, 'node_modules', '.bin', 'codex');
  if (latestRequested()) {
    await ensureLatest(cacheDir);
    const now = await readVersions(claude, codex);
    return { cacheDir, claude, codex, claudeVersion: now.claude ?? '?', codexVersion: now.codex ?? '?' };
  }
  const installed = await readVersions(claude, codex);
  if (installed.claude !== CLAUDE_CODE_VERSION || installed.codex !== CODEX_VERSION) {
    await install(cacheDir);
    const after = await readVersions(claude, codex);
    if (after.claude !== CLAUDE_CODE_VERSION || after.codex !== CODEX_VERSION) {
      throw new Error(
        `real CLIs in ${cacheDir} report claude ${after.claude ?? '(none)'} and codex ${after.codex ?? '(none)'} ` +
          `after installing claude ${CLAUDE_CODE_VERSION} and codex ${CODEX_VERSION}; ` +
          `delete ${cacheDir} and run again, or set POLI_CLI_CACHE to another folder`,
      );
    }
  }
  return { cacheDir, claude, codex, claudeVersion: CLAUDE_CODE_VERSION, codexVersion: CODEX_VERSION };
}

async function install(cacheDir: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  // A package.json of its own keeps npm from walking up into a surrounding project.
  await rm(join(cacheDir, 'package.json'), { force: true });
  await writeFile(join(cacheDir, 'package.json'), `${JSON.stringify({ name: 'poli-real-cli-cache', private: true })}\n`);
  await npmInstall(cacheDir, pinnedPackages());
}

async function npmInstall(cacheDir: string, packages: readonly string[]): Promise<void> {
  try {
    await run(
      'npm',
      ['install', '--prefix', cacheDir, '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', ...packages],
      { cwd: cacheDir, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    throw new Error(`npm install --prefix ${cacheDir} ${packages.join(' ')} failed: ${String(error)}`, { cause: error });
  }
  await fixQwenRipgrep(cacheDir);
}

/**
 * Qwen Code's bundled ripgrep is unpacked without its execute bit (npm skips install scripts here); the CLI then
 * prints an EACCES warning before its UI. Give it the bit.
 */
async function fixQwenRipgrep(cacheDir: string): Promise<void> {
  const rg = join(cacheDir, 'node_modules', '@qwen-code', 'qwen-code', 'vendor', 'ripgrep', `${process.arch}-${process.platform}`, 'rg');
  if (await stat(rg).then(() => true, () => false)) await chmod(rg, 0o755);
}

/** Newest published versions, into their own cache folder; installed once per run of the test process. */
let latestInstalled: Promise<void> | undefined;
function ensureLatest(cacheDir: string): Promise<void> {
  latestInstalled ??= (async () => {
    await mkdir(cacheDir, { recursive: true });
    await rm(join(cacheDir, 'package.json'), { force: true });
    await writeFile(join(cacheDir, 'package.json'), `${JSON.stringify({ name: 'poli-real-cli-latest', private: true })}\n`);
    const packages = ['@anthropic-ai/claude-code', '@openai/codex', ...Object.values(MORE_CLIS).map((cli) => cli.package)];
    await npmInstall(cacheDir, packages.map((name) => `${name}@latest`));
  })();
  return latestInstalled;
}

export interface MoreCliInstall {
  cacheDir: string;
  /** Path of the executable. */
  bin: string;
  /** The version the executable reports. */
  version: string;
}

/**
 * The executable of one of the five other CLIs, installing every pinned CLI first when it is missing or reports
 * another version (or, with --latest, the newest of each once).
 */
export async function ensureMoreCli(kind: MoreCli, cacheDir: string = defaultCacheDir()): Promise<MoreCliInstall> {
  const cli = MORE_CLIS[kind];
  const bin = join(cacheDir, 'node_modules', '.bin', cli.bin);
  if (latestRequested()) {
    await ensureLatest(cacheDir);
    return { cacheDir, bin, version: parseVersion(await versionOutput(bin)) ?? '?' };
  }
  let version = parseVersion(await versionOutput(bin));
  if (version !== cli.version) {
    await install(cacheDir);
    version = parseVersion(await versionOutput(bin));
    if (version !== cli.version) {
      throw new Error(`${cli.bin} in ${cacheDir} reports ${version ?? '(none)'} after installing ${cli.package}@${cli.version}`);
    }
  }
  await fixQwenRipgrep(cacheDir);
  return { cacheDir, bin, version };
}

function parseVersion(output: string): string | undefined {
  return /(\d+\.\d+\.\d+)/.exec(output)?.[1];
}

/** `claude --version` prints `2.1.197 (Claude Code)`; `codex --version` prints `codex-cli 0.169.0`. */
async function readVersions(claude: string, codex: string): Promise<{ claude?: string; codex?: string }> {
  const [claudeOut, codexOut] = await Promise.all([versionOutput(claude), versionOutput(codex)]);
  return { claude: /^(\d+\.\d+\.\d+)/.exec(claudeOut)?.[1], codex: /(\d+\.\d+\.\d+)/.exec(codexOut)?.[1] };
}

async function versionOutput(executable: string): Promise<string> {
  try {
    // pi prints its version on stderr.
    const { stdout, stderr } = await run(executable, ['--version'], { timeout: VERSION_TIMEOUT_MS });
    return `${stdout.trim()}\n${stderr.trim()}`.trim();
  } catch {
    return '';
  }
}
