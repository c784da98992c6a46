/**
 * Starts one real CLI (Claude Code or Codex) in a private tmux pane against its fake model server, with an
 * isolated HOME, and saves screens as fixtures. Used by screens.test.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claudeProfile } from '../../src/profiles/claude.ts';
import { codexProfile } from '../../src/profiles/codex.ts';
import type { CliProfile } from '../../src/profiles/types.ts';
import { startFakeAnthropic } from './fake-anthropic.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import type { FakeServer, ReplyScript } from './fake-server.ts';
import { createTestDirs, seedClaudeHome, seedCodexHome, type TestDirs } from './home.ts';
import { ensureRealClis, type RealClis } from './install.ts';
import { CliPane } from './pane.ts';

export const FIXTURES_DIR = fileURLToPath(new URL('../../src/profiles/fixtures/', import.meta.url));

export interface RunningCli {
  pane: CliPane;
  server: FakeServer;
  dirs: TestDirs;
  profile: CliProfile;
  /** Lines of the current screen, trailing blanks removed, as a profile reads them. */
  lines(): Promise<string[]>;
  /** Saves the current screen as `<name>.txt` (see {@link saveScreen}) and returns it. */
  save(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  script: ReplyScript;
  trustProject?: boolean;
  approveApiKey?: boolean;
  extraArgs?: readonly string[];
}

/** Where screens go: src/profiles/fixtures when POLI_WRITE_FIXTURES=1, else the run's own folder. */
export async function saveScreen(outDir: string, name: string, screen: string): Promise<void> {
  const dir = process.env.POLI_WRITE_FIXTURES === '1' ? FIXTURES_DIR : outDir;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.txt`), screen);
}

export function screenLines(screen: string): string[] {
  return screen.split('\n').map((line) => line.trimEnd());
}

/** Runs live under the cache folder, not /tmp: Codex warns about a CODEX_HOME under /tmp. */
function runsDir(clis: RealClis): string {
  return join(clis.cacheDir, 'runs');
}

function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', TERM: 'tmux-256color' };
}

export async function startClaude(options: StartOptions): Promise<RunningCli> {
  const clis = await ensureRealClis();
  const server = await startFakeAnthropic(options.script);
  const dirs = await createTestDirs(runsDir(clis));
  const env = await seedClaudeHome({
    home: dirs.home,
    project: dirs.project,
    baseUrl: server.url,
    version: clis.claudeVersion,
    trustProject: options.trustProject ?? true,
    approveApiKey: options.approveApiKey ?? true,
  });
  const argv = [clis.claude, ...claudeProfile.launch.args, ...(options.extraArgs ?? [])];
  const pane = await CliPane.start({ argv, env: { ...baseEnv(), ...env, ...claudeProfile.launch.env }, cwd: dirs.project });
  return running(pane, server, dirs, claudeProfile);
}

export async function startCodex(options: StartOptions): Promise<RunningCli> {
  const clis = await ensureRealClis();
  const server = await startFakeOpenAi(options.script);
  const dirs = await createTestDirs(runsDir(clis));
  const env = await seedCodexHome({
    home: dirs.home,
    project: dirs.project,
    baseUrl: server.url,
    trustProject: options.trustProject ?? true,
  });
  const argv = [clis.codex, ...codexProfile.launch.args, ...(options.extraArgs ?? [])];
  const pane = await CliPane.start({ argv, env: { ...baseEnv(), ...env, ...codexProfile.launch.env }, cwd: dirs.project });
  return running(pane, server, dirs, codexProfile);
}

function running(pane: CliPane, server: FakeServer, dirs: TestDirs, profile: CliProfile): RunningCli {
  return {
    pane,
    server,
    dirs,
    profile,
    lines: async () => screenLines(await pane.capture()),
    save: async (name) => {
      const screen = await pane.capture();
      await saveScreen(join(dirs.root, 'screens'), name, screen);
      return screen;
    },
    stop: async () => {
      await pane.kill();
      await server.close();
      if (process.env.POLI_KEEP_RUNS !== '1') await dirs.cleanup();
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
