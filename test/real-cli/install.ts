/**
 * Installs the real Claude Code and Codex CLIs, at pinned versions, into a cache folder outside the repository
 * (`$POLI_CLI_CACHE`, default `~/.cache/poli-real-cli`), once. Later calls only check the installed versions.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Versions the real-CLI tests were written against (screens, first-run dialogs and config keys differ between versions). */
export const CLAUDE_CODE_VERSION = '2.1.197';
export const CODEX_VERSION = '0.169.0';

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
  const packages = [`@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`, `@openai/codex@${CODEX_VERSION}`];
  try {
    await run(
      'npm',
      ['install', '--prefix', cacheDir, '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', ...packages],
      { cwd: cacheDir, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    throw new Error(`npm install --prefix ${cacheDir} ${packages.join(' ')} failed: ${String(error)}`, { cause: error });
  }
}

/** `claude --version` prints `2.1.197 (Claude Code)`; `codex --version` prints `codex-cli 0.169.0`. */
async function readVersions(claude: string, codex: string): Promise<{ claude?: string; codex?: string }> {
  const [claudeOut, codexOut] = await Promise.all([versionOutput(claude), versionOutput(codex)]);
  return { claude: /^(\d+\.\d+\.\d+)/.exec(claudeOut)?.[1], codex: /(\d+\.\d+\.\d+)/.exec(codexOut)?.[1] };
}

async function versionOutput(executable: string): Promise<string> {
  try {
    const { stdout } = await run(executable, ['--version'], { timeout: VERSION_TIMEOUT_MS });
    return stdout.trim();
  } catch {
    return '';
  }
}
