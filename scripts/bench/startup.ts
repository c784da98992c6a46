/**
 * The start-up figure: median wall time of `poli --state`, `poli status --short` and `poli --help` (bin/poli.js
 * running the compiled dist/, as an installed poli or a tmux status bar does) against a bare `node -e 0`, each
 * started RUNS times in turn from a directory outside the checkout. Target: every command ≤ 2.5 × node -e 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median, round } from './stats.ts';

export const STARTUP_TARGET_RATIO = 2.5;

export interface StartupFigure {
  command: string;
  medianMs: number;
  /** Median over the median of `node -e 0`. */
  ratio: number;
}

export interface StartupResults {
  runs: number;
  node: { medianMs: number };
  commands: StartupFigure[];
}

/** Builds dist/ (so bin/poli.js does not fall back to tsx), then times each command RUNS times, interleaved. */
export async function measureStartup(root: string, runs = 10): Promise<StartupResults> {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const cwd = await mkdtemp(path.join(tmpdir(), 'poli-bench-startup-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(POLI_|INIT_CWD$|npm_)/.test(k)) env[k] = v;
  const bin = path.join(root, 'bin', 'poli.js');
  const commands: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['poli --state', [bin, '--state']],
    ['poli status --short', [bin, 'status', '--short']],
    ['poli --help', [bin, '--help']],
  ];
  const times = new Map<string, number[]>(commands.map(([name]) => [name, []]));
  try {
    for (let i = -1; i < runs; i++) {
      for (const [name, args] of commands) {
        const started = process.hrtime.bigint();
        const result = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr.toString()}`);
        if (i >= 0) times.get(name)?.push(ms); // the first round only warms the file cache
      }
    }
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
  const nodeMs = median(times.get('node -e 0') ?? []);
  return {
    runs,
    node: { medianMs: round(nodeMs, 1) },
    commands: commands.slice(1).map(([name]) => {
      const ms = median(times.get(name) ?? []);
      return { command: name, medianMs: round(ms, 1), ratio: round(ms / nodeMs) };
    }),
  };
}

export function formatStartup(results: StartupResults): string {
  const lines = [`start-up, median of ${results.runs} runs each (bin/poli.js running dist/)`, `  node -e 0              ${results.node.medianMs} ms`];
  for (const c of results.commands) {
    const verdict = c.ratio <= STARTUP_TARGET_RATIO ? 'met' : 'MISSED';
    lines.push(`  ${c.command.padEnd(22)} ${c.medianMs} ms = ${c.ratio} × node -e 0   ${verdict} (≤ ${STARTUP_TARGET_RATIO} ×)`);
  }
  return `${lines.join('\n')}\n`;
}
