/**
 * The queue's throughput (issue 20, `poli work`): for each N, a fresh git project, `tasks(N)` mock tasks queued with
 * `poli add --mock`, and `poli work --parallel N --mock` on a private tmux server, run as a person runs it
 * (`node bin/poli.js`, the compiled dist/). Measured:
 * - wall time from starting `poli work` to its exit (the queue drained), hence tasks merged per minute;
 * - CPU seconds of poli's own processes (the work process and each pair's poli), of the git and tmux client processes
 *   they ran, of the mock CLIs (for comparison: what the "AI" cost) and of the tmux server;
 * - poli's peak resident memory: the work process, the largest pair, and all poli processes alive at one sample;
 *   the mocks' likewise.
 * The mocks answer at once (MOCK_THINK_MS=0) after one round (MOCK_ROUNDS=1), so the time is the queue's own:
 * starting a pair and its two CLIs, priming, one round, and the merge queue.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTmuxRunner } from '../../src/tmux/runner.ts';
import { classify, commandLine, descendants, parentMap, sampleProcess, type ProcKind, type ProcSample } from './proc-tree.ts';
import { round } from './stats.ts';
import { killServer, newSocketName } from './world.ts';

const SAMPLE_MS = 200;

export interface ThroughputOptions {
  /** The --parallel values, in turn. */
  pairs: readonly number[];
  /** Tasks queued for N pairs (default: 2N, at least 8). */
  tasks?: (pairs: number) => number;
  /** Give up on one N after this long (default: 2 min + 30 s a task, for a loaded machine). */
  timeoutMs?: number;
}

export interface KindFigures {
  /** Processes of this kind seen. */
  processes: number;
  cpuS: number;
  /** The largest resident set of one of them (VmHWM). */
  peakRssMb: number;
  /** The largest sum of their resident sets at one sample. */
  peakTotalRssMb: number;
}

export interface ThroughputRun {
  pairs: number;
  tasks: number;
  merged: number;
  /** Tasks that ended in another state (failed, needs_merge, …), by state. */
  notMerged: Record<string, number>;
  wallS: number;
  tasksPerMinute: number;
  /** The work process alone. */
  work: KindFigures;
  /** The pairs' poli processes. */
  pairsPoli: KindFigures;
  /** poli's own processes together (work + pairs): CPU, and the largest sum of their RSS at one sample. */
  poli: { cpuS: number; cpuSPerTask: number; peakTotalRssMb: number };
  /** git, sh and tmux client processes below poli: the work process's and the pairs' reaped children. */
  helpersCpuS: number;
  mocks: KindFigures;
  /** The tmux servers this run started (one after another), together. */
  tmuxServer: { servers: number; cpuS: number; peakRssMb: number };
  /** CPU of the whole run in % of one core: poli's processes, their helpers, the mocks and the tmux server. */
  totalCpuPercentOfCore: number;
  /** The lowest MemAvailable seen during the run. */
  minMemAvailableMb: number;
  loadAverageAtStart: number;
  error?: string;
}

export interface ThroughputResults {
  cores: number;
  memTotalMb: number;
  thinkMs: number;
  rounds: number;
  runs: ThroughputRun[];
}

const MB = (kb: number): number => round(kb / 1024, 1);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function memInfoKb(key: string): number {
  const text = readFileSync('/proc/meminfo', 'utf8');
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
}

/** CPU (ms) of the children this process has waited for: `poli work` and what it reaped, once it has exited. */
function reapedChildrenCpuMs(): number {
  return sampleProcess(process.pid)?.childrenCpuMs ?? 0;
}

/** Builds dist/ when a source is newer (the rule bin/poli.js follows), so pairs run compiled code, not tsx. */
export function ensureBuilt(root: string): void {
  const main = path.join(root, 'dist', 'main.js');
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  const src = path.join(root, 'src');
  const stale = readdirSync(src, { recursive: true }).some((f) => {
    const file = String(f);
    return file.endsWith('.ts') && !file.endsWith('.test.ts') && statSync(path.join(src, file)).mtimeMs > built;
  });
  if (!stale) return;
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

/** Per-process figures, kept from the last sample each process was seen at. */
class Tally {
  readonly last = new Map<number, ProcSample & { kind: ProcKind }>();
  readonly peakTotals = new Map<ProcKind | 'poli', number>();
  minAvailableKb = Number.POSITIVE_INFINITY;

  add(samples: readonly (ProcSample & { kind: ProcKind })[]): void {
    const totals = new Map<ProcKind | 'poli', number>();
    for (const s of samples) {
      // A process that has exited but is not reaped yet (a zombie) shows no memory and its final CPU: keep the peak.
      const before = this.last.get(s.pid);
      this.last.set(s.pid, before === undefined ? s : { ...s, cpuMs: Math.max(s.cpuMs, before.cpuMs), peakRssKb: Math.max(s.peakRssKb, before.peakRssKb) });
      totals.set(s.kind, (totals.get(s.kind) ?? 0) + s.rssKb);
      if (s.kind === 'poli-work' || s.kind === 'poli-pair') totals.set('poli', (totals.get('poli') ?? 0) + s.rssKb);
    }
    for (const [kind, kb] of totals) this.peakTotals.set(kind, Math.max(this.peakTotals.get(kind) ?? 0, kb));
    this.minAvailableKb = Math.min(this.minAvailableKb, memInfoKb('MemAvailable'));
  }

  figures(kind: ProcKind): KindFigures {
    const of = [...this.last.values()].filter((s) => s.kind === kind);
    return {
      processes: of.length,
      cpuS: round(of.reduce((a, s) => a + s.cpuMs, 0) / 1000),
      peakRssMb: MB(Math.max(0, ...of.map((s) => s.peakRssKb))),
      peakTotalRssMb: MB(this.peakTotals.get(kind) ?? 0),
    };
  }
}

/** A fresh project: a git repository on `main` with one commit. */
async function makeProject(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'README'), 'throughput benchmark\n');
  const git = (args: string[]): void => {
    const r = spawnSync('git', ['-c', 'user.email=bench@localhost', '-c', 'user.name=bench', ...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  };
  git(['init', '-q', '-b', 'main']);
  git(['add', '-A']);
  git(['commit', '-qm', 'init']);
}

/** One N: queue the tasks, run `poli work --parallel N`, sample its tree and the tmux server's until it exits. */
async function runOne(root: string, pairs: number, tasks: number, timeoutMs: number): Promise<ThroughputRun> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'poli-bench-throughput-'));
  const project = path.join(base, 'project');
  const socket = newSocketName();
  const bin = path.join(root, 'bin', 'poli.js');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(POLI_|MOCK_|PLANNER_|EXECUTER_|INIT_CWD$|npm_)/.test(k)) env[k] = v;
  Object.assign(env, { MOCK_THINK_MS: '0', MOCK_ROUNDS: '1' });
  const common = ['--state-dir', path.join(base, 'state'), '--socket', socket, '--mock'];
  const loadAverageAtStart = round(os.loadavg()[0] ?? 0);
  const tally = new Tally();
  // tmux exits when its last session is killed (one pair at a time: between tasks), and the next pair starts a new
  // server: every server seen is a root.
  const serverPids = new Set<number>();
  let work: ReturnType<typeof spawn> | undefined;
  try {
    await makeProject(project);
    for (let i = 1; i <= tasks; i += 1) {
      const added = spawnSync(process.execPath, [bin, ...common, 'add', `Create file${i}.txt containing FILE ${i}`], { cwd: project, env, encoding: 'utf8' });
      if (added.status !== 0) throw new Error(`poli add failed: ${added.stderr}`);
    }
    const reapedBefore = reapedChildrenCpuMs();
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...common, 'work', '--parallel', String(pairs)], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    work = child;
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    const workPid = child.pid ?? -1;
    const run = createTmuxRunner({ socket });
    let lastServerLook = 0;
    while (code === undefined) {
      if (performance.now() - started > timeoutMs) throw new Error(`poli work --parallel ${pairs} did not drain ${tasks} tasks in ${timeoutMs / 1000} s:\n${output.slice(-1500)}`);
      const parents = parentMap();
      if (performance.now() - lastServerLook > 1_000 && ![...serverPids].some((pid) => parents.has(pid))) {
        lastServerLook = performance.now();
        const r = await run(['display-message', '-p', '#{pid}']);
        if (r.exitCode === 0 && /^\d+$/.test(r.stdout.trim())) serverPids.add(Number(r.stdout.trim()));
      }
      const pids = descendants(parents, [workPid, ...serverPids]);
      const samples: (ProcSample & { kind: ProcKind })[] = [];
      for (const pid of pids) {
        const sample = sampleProcess(pid);
        if (sample === undefined) continue;
        // Sorted again at each sample: a child caught between fork and exec still shows its parent's command line.
        const kind = serverPids.has(pid) ? 'tmux' : classify(pid, commandLine(pid), workPid);
        samples.push({ ...sample, kind });
      }
      tally.add(samples);
      await Promise.race([sleep(SAMPLE_MS), exited]);
    }
    const wallS = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`poli work exited ${code}:\n${output.slice(-1500)}`);
    const listed = spawnSync(process.execPath, [bin, ...common, 'queue', '--all', '--json'], { cwd: project, env, encoding: 'utf8' });
    const queue = (JSON.parse(listed.stdout) as { queue: { state: string }[] }).queue;
    const merged = queue.filter((t) => t.state === 'merged').length;
    const notMerged: Record<string, number> = {};
    for (const t of queue) if (t.state !== 'merged') notMerged[t.state] = (notMerged[t.state] ?? 0) + 1;
    const treeCpuS = (reapedChildrenCpuMs() - reapedBefore) / 1000;
    const workFigures = tally.figures('poli-work');
    const pairFigures = tally.figures('poli-pair');
    // Everything below the work process was waited for by it or by a pair it waited for, so the work process's tree
    // is in this process's cutime/cstime (exact); less poli's own (sampled, so up to one interval short each) it
    // leaves the git, sh and tmux client processes poli ran.
    const helpersCpuS = round(Math.max(0, treeCpuS - workFigures.cpuS - pairFigures.cpuS));
    const servers = [...serverPids].map((pid) => tally.last.get(pid)).filter((s) => s !== undefined);
    const serverCpuMs = servers.reduce((a, s) => a + s.cpuMs, 0);
    const mocks = tally.figures('mock');
    const poliCpuS = workFigures.cpuS + pairFigures.cpuS;
    const totalS = poliCpuS + helpersCpuS + mocks.cpuS + serverCpuMs / 1000;
    return {
      pairs,
      tasks,
      merged,
      notMerged,
      wallS: round(wallS, 1),
      tasksPerMinute: round((merged * 60) / wallS, 1),
      work: workFigures,
      pairsPoli: pairFigures,
      poli: { cpuS: round(poliCpuS), cpuSPerTask: round(poliCpuS / Math.max(1, merged)), peakTotalRssMb: MB(tally.peakTotals.get('poli') ?? 0) },
      helpersCpuS,
      mocks,
      tmuxServer: { servers: servers.length, cpuS: round(serverCpuMs / 1000), peakRssMb: MB(Math.max(0, ...servers.map((s) => s.peakRssKb))) },
      totalCpuPercentOfCore: round((100 * totalS) / wallS, 1),
      minMemAvailableMb: MB(tally.minAvailableKb),
      loadAverageAtStart,
    };
  } finally {
    if (work !== undefined && work.exitCode === null && work.pid !== undefined) work.kill('SIGTERM');
    // Pairs are detached: stop the ones still running (by pid, the ones this run saw), then the server.
    for (const [pid, s] of tally.last) if (s.kind === 'poli-pair') killQuietly(pid);
    await killServer(socket).catch(() => undefined);
    await rm(base, { recursive: true, force: true }).catch(() => undefined);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** Each N in turn; a failed N is reported with its error and the next one still runs. */
export async function measureThroughput(root: string, options: ThroughputOptions, log: (line: string) => void = () => undefined): Promise<ThroughputResults> {
  ensureBuilt(root);
  const tasksFor = options.tasks ?? ((n: number) => Math.max(8, 2 * n));
  const runs: ThroughputRun[] = [];
  for (const pairs of options.pairs) {
    const tasks = tasksFor(pairs);
    log(`bench: throughput, ${tasks} tasks at --parallel ${pairs} …`);
    const t0 = Date.now();
    try {
      const result = await runOne(root, pairs, tasks, options.timeoutMs ?? 120_000 + 30_000 * tasks);
      runs.push(result);
      // The run's figures as they come: a long sweep stopped halfway still leaves them in the log.
      log(`bench: throughput --parallel ${pairs} done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(result)}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`bench: throughput --parallel ${pairs} FAILED: ${message}`);
      runs.push(failedRun(pairs, tasks, message));
    }
  }
  return { cores: os.cpus().length, memTotalMb: MB(memInfoKb('MemTotal')), thinkMs: 0, rounds: 1, runs };
}

function failedRun(pairs: number, tasks: number, error: string): ThroughputRun {
  const none: KindFigures = { processes: 0, cpuS: 0, peakRssMb: 0, peakTotalRssMb: 0 };
  return {
    pairs,
    tasks,
    merged: 0,
    notMerged: {},
    wallS: 0,
    tasksPerMinute: 0,
    work: none,
    pairsPoli: none,
    poli: { cpuS: 0, cpuSPerTask: 0, peakTotalRssMb: 0 },
    helpersCpuS: 0,
    mocks: none,
    tmuxServer: { servers: 0, cpuS: 0, peakRssMb: 0 },
    totalCpuPercentOfCore: 0,
    minMemAvailableMb: 0,
    loadAverageAtStart: 0,
    error,
  };
}

/** The table: one row per N. */
export function formatThroughput(results: ThroughputResults): string {
  const header = [
    'pairs',
    'tasks',
    'merged',
    'wall',
    'tasks/min',
    'poli CPU (work + pairs)',
    'per task',
    'git+tmux clients',
    'mocks CPU',
    'tmux server',
    'all, % of a core',
    'RSS work',
    'RSS one pair',
    'RSS poli peak sum',
    'RSS mocks peak sum',
  ];
  const rows = results.runs.map((r) =>
    r.error !== undefined
      ? [String(r.pairs), String(r.tasks), `FAILED: ${r.error.split('\n')[0]}`]
      : [
          String(r.pairs),
          String(r.tasks),
          Object.keys(r.notMerged).length === 0 ? String(r.merged) : `${r.merged} (${Object.entries(r.notMerged).map(([s, n]) => `${n} ${s}`).join(', ')})`,
          `${r.wallS} s`,
          String(r.tasksPerMinute),
          `${r.poli.cpuS} s (${r.work.cpuS} + ${r.pairsPoli.cpuS})`,
          `${r.poli.cpuSPerTask} s`,
          `${r.helpersCpuS} s`,
          `${r.mocks.cpuS} s`,
          `${r.tmuxServer.cpuS} s`,
          `${r.totalCpuPercentOfCore} %`,
          `${r.work.peakRssMb} MB`,
          `${r.pairsPoli.peakRssMb} MB`,
          `${r.poli.peakTotalRssMb} MB`,
          `${r.mocks.peakTotalRssMb} MB`,
        ],
  );
  return [
    '',
    `Queue throughput (poli work --parallel N, mock CLIs answering at once, ${results.rounds} round a task; ${results.cores} cores, ${results.memTotalMb} MB):`,
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
  ].join('\n');
}

