/**
 * `npm run bench`: poli's tmux layer, event-driven (control mode) against polling at 250 ms, with the
 * instant mock CLIs. Six figures per mode (docs/benchmarks.md explains each), a table on stdout, and
 * everything measured in bench/results.json. Each scenario runs in its own Node process on its own
 * private tmux server (`poli-bench-<random>`), killed afterwards.
 *
 *   npm run bench              # ~7 minutes on 2 cores, and ~5 more for the queue's throughput
 *   npm run bench -- --printing-only   # only the cost of a printing CLI (~4 minutes)
 *   npm run bench -- --full    # also polls through 1,000 rounds for the memory figure (~15 more minutes)
 *   npm run bench -- --startup # only the start-up figure (scripts/bench/startup.ts, ~15 s)
 *   npm run bench -- --hops-only  # only the real-CLI hops, tool channel next to screen (scripts/bench/hops.ts, ~4 min)
 *   npm run bench -- --throughput-only [--pairs 1,2,4,8]  # only the queue's throughput (scripts/bench/throughput.ts)
 *                                                          # (`--only throughput` says the same)
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, judge, type JobResults, type Results } from './bench/report.ts';
import { formatHops, measureHops, type HopResults } from './bench/hops.ts';
import { formatStartup, measureStartup, type StartupResults } from './bench/startup.ts';
import { formatThroughput, measureThroughput, type ThroughputResults } from './bench/throughput.ts';
import { killServer, newSocketName, type Mode } from './bench/world.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = path.join(ROOT, 'scripts', 'bench', 'child.ts');
/** The polling baseline's interval (--poll-ms). */
const POLL_MS = 250;
/**
 * In control mode --poll-ms only bounds a wait when no pane changes (ticks for timeouts, liveness, the
 * control inbox): output, pane death and pauses wake the dialogue at once. 1 s keeps crash detection
 * under 2 s (the subscription reports a death within ~1 s) and idle wake-ups rare.
 */
const EVENT_HEARTBEAT_MS = 1_000;
const MEMORY_ROUNDS = 1_000;

interface Job<S extends keyof JobResults> {
  scenario: S;
  mode: Mode;
  options?: Record<string, unknown>;
}

/** Runs one scenario in a fresh process; kills its tmux server whatever happens. */
async function runJob<S extends keyof JobResults>(job: Job<S>): Promise<JobResults[S]> {
  const socket = newSocketName();
  const started = Date.now();
  const label = `${job.scenario} (${job.mode}${job.options ? ` ${JSON.stringify(job.options)}` : ''})`;
  process.stderr.write(`bench: ${label} …\n`);
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, JSON.stringify({ ...job, socket, options: job.options ?? {} })], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`${label} failed (exit ${code}):\n${stderr.trim().split('\n').slice(-15).join('\n')}`)),
      );
    });
    const line = output.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
    if (line === undefined) throw new Error(`${label} printed no result:\n${output.slice(-2000)}`);
    process.stderr.write(`bench: ${label} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return JSON.parse(line.slice('BENCH_RESULT '.length)) as JobResults[S];
  } finally {
    await killServer(socket);
  }
}

/** Issue targets for the cost of a printing CLI: % of a core for poli, the tmux server's ratio to no poli, RSS. */
const PRINTING_TARGETS: Record<number, { poliCpuPct: number; tmuxRatio?: number; rssMaxMb?: number }> = {
  50: { poliCpuPct: 5, tmuxRatio: 2, rssMaxMb: 150 },
  500: { poliCpuPct: 15 },
};

type PrintingResult = JobResults['printing'];

/** While one CLI prints 50 and 500 lines a second for 40 s: poli's CPU and memory, and the tmux server's CPU. */
async function printingFigures(): Promise<{ table: string; results: PrintingResult[] }> {
  const results: PrintingResult[] = [];
  for (const rate of [50, 500]) {
    results.push(await runJob({ scenario: 'printing', mode: 'event', options: { rate, seconds: 40, pollMs: EVENT_HEARTBEAT_MS } }));
  }
  const rows = results.map((r) => {
    const target = PRINTING_TARGETS[r.rate] ?? { poliCpuPct: 100 };
    const ok =
      r.completed &&
      r.poliCpuPct <= target.poliCpuPct &&
      (target.tmuxRatio === undefined || r.tmuxRatio <= target.tmuxRatio) &&
      (target.rssMaxMb === undefined || r.rssMaxMb <= target.rssMaxMb);
    return (
      `| ${r.rate} lines/s × ${r.seconds} s | ${r.completed ? 'yes' : 'NO'} | ${r.poliCpuPct} % (control client ${r.controlClientCpuMs} ms) ` +
      `| ${r.tmuxServerCpuMs} ms vs ${r.tmuxBaselineCpuMs} ms with no poli (${r.tmuxRatio}×) | ${r.rssMaxMb} MB | ${ok ? 'met' : 'MISSED'} |`
    );
  });
  const table = [
    '',
    'A CLI printing (event-driven, terminal models):',
    '| output | reply taken | poli CPU (% of a core) | tmux server CPU | poli RSS max | target |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  return { table, results };
}

/** `--startup`: the start-up figure alone, printed and written to bench/startup.json. */
async function startupOnly(): Promise<void> {
  process.stderr.write('bench: start-up …\n');
  const startup = await measureStartup(ROOT);
  process.stdout.write(formatStartup(startup));
  await mkdir(path.join(ROOT, 'bench'), { recursive: true });
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version };
  await writeFile(path.join(ROOT, 'bench', 'startup.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, startup }, null, 2)}\n`);
  process.stdout.write('\nwrote bench/startup.json\n');
}

/** `--hops-only`: the real-CLI hops alone, printed and written to bench/hops.json. */
async function hopsOnly(): Promise<void> {
  const hops = await measureHops(undefined, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(formatHops(hops));
  await writeHops(hops);
}

async function writeHops(hops: HopResults): Promise<void> {
  await mkdir(path.join(ROOT, 'bench'), { recursive: true });
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version };
  await writeFile(path.join(ROOT, 'bench', 'hops.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, hops }, null, 2)}\n`);
}

/** The --parallel values of the throughput figure: `--pairs 1,2,4,8,12` or the default. */
function throughputPairs(): number[] {
  const at = process.argv.indexOf('--pairs');
  if (at < 0) return [1, 2, 4, 8];
  const pairs = (process.argv[at + 1] ?? '').split(',').map(Number);
  if (pairs.length === 0 || pairs.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--pairs wants whole numbers ≥ 1 separated by commas, e.g. --pairs 1,2,4,8; got ${JSON.stringify(process.argv[at + 1] ?? '')}`);
  }
  return pairs;
}

async function throughputFigures(): Promise<ThroughputResults> {
  return measureThroughput(ROOT, { pairs: throughputPairs() }, (line) => process.stderr.write(`${line}\n`));
}

/** `--throughput-only`: the queue's throughput alone, printed and written to bench/throughput.json. */
async function throughputOnly(): Promise<void> {
  const throughput = await throughputFigures();
  process.stdout.write(formatThroughput(throughput));
  await mkdir(path.join(ROOT, 'bench'), { recursive: true });
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version };
  await writeFile(path.join(ROOT, 'bench', 'throughput.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, throughput }, null, 2)}\n`);
  process.stdout.write('\nwrote bench/throughput.json\n');
}

async function main(): Promise<void> {
  if (process.argv.includes('--startup')) return startupOnly();
  if (process.argv.includes('--hops-only')) return hopsOnly();
  const only = process.argv.indexOf('--only');
  if (only >= 0 && process.argv[only + 1] !== 'throughput') {
    throw new Error(`--only knows throughput (the others have --startup, --hops-only, --printing-only); got ${JSON.stringify(process.argv[only + 1] ?? '')}`);
  }
  if (process.argv.includes('--throughput-only') || only >= 0) return throughputOnly();
  const full = process.argv.includes('--full');
  const started = Date.now();
  if (process.argv.includes('--printing-only')) {
    const { table, results } = await printingFigures();
    process.stdout.write(table);
    await mkdir(path.join(ROOT, 'bench'), { recursive: true });
    await writeFile(path.join(ROOT, 'bench', 'printing.json'), `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
    return;
  }
  // First, while nothing else runs: the start-up figure is wall time of short processes.
  process.stderr.write('bench: start-up …\n');
  const startup: StartupResults = await measureStartup(ROOT);
  const event = { pollMs: EVENT_HEARTBEAT_MS };
  const poll = { pollMs: POLL_MS };

  // Latency-sensitive figures first, one at a time. Polling reads are slow and uniform: fewer of them.
  const dialogueEvent = await runJob({ scenario: 'dialogue', mode: 'event', options: { rounds: 100, ...event } });
  const readsEvent = await runJob({ scenario: 'reads', mode: 'event', options: { iterations: 200 } });
  const readsPoll = await runJob({ scenario: 'reads', mode: 'poll', options: { iterations: 50 } });
  const deliveryEvent = await runJob({ scenario: 'delivery', mode: 'event' });
  const deliveryPoll = await runJob({ scenario: 'delivery', mode: 'poll' });
  // The slow polling dialogue (its latency is ~all sleeping) runs beside the idle processes, which use
  // almost no CPU, and then beside the long event-driven dialogue that only measures memory.
  const [[idleEvent, idleEvent250, idlePoll, memoryEvent], dialoguePoll] = await Promise.all([
    Promise.all([
      runJob({ scenario: 'idle', mode: 'event', options: event }),
      runJob({ scenario: 'idle', mode: 'event', options: poll }),
      runJob({ scenario: 'idle', mode: 'poll', options: poll }),
    ]).then(async (idles) => [...idles, await runJob({ scenario: 'dialogue', mode: 'event', options: { rounds: MEMORY_ROUNDS, ...event } })] as const),
    runJob({ scenario: 'dialogue', mode: 'poll', options: { rounds: 100, ...poll } }),
  ]);
  const memoryPoll = full ? await runJob({ scenario: 'dialogue', mode: 'poll', options: { rounds: MEMORY_ROUNDS, ...poll } }) : dialoguePoll;

  const results: Results = {
    event: { dialogue: dialogueEvent, memory: memoryEvent, idle: idleEvent, idleAtPollMs: idleEvent250, reads: readsEvent, delivery: deliveryEvent },
    poll: { dialogue: dialoguePoll, memory: memoryPoll, idle: idlePoll, reads: readsPoll, delivery: deliveryPoll },
  };
  const printing = await printingFigures();
  // The queue: `poli work` at 1, 2, 4 and 8 pairs of mocks, each on its own server.
  const throughput = await throughputFigures();
  // Last: two real CLIs start and answer through fake model servers (skipped when they are not installed).
  const hops = await measureHops(undefined, (line) => process.stderr.write(`${line}\n`));
  await writeHops(hops);
  const verdicts = judge(results);
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(formatTable(results, verdicts, { pollMs: POLL_MS, heartbeatMs: EVENT_HEARTBEAT_MS, seconds }));
  process.stdout.write(printing.table);
  process.stdout.write(formatThroughput(throughput));
  process.stdout.write(formatHops(hops));
  process.stdout.write(`\n${formatStartup(startup)}`);
  await mkdir(path.join(ROOT, 'bench'), { recursive: true });
  await writeFile(
    path.join(ROOT, 'bench', 'results.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version },
        config: { pollMs: POLL_MS, eventHeartbeatMs: EVENT_HEARTBEAT_MS, memoryRounds: MEMORY_ROUNDS, full },
        seconds,
        results,
        printing: printing.results,
        throughput,
        hops,
        startup,
        targets: verdicts,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nwrote bench/results.json (${seconds.toFixed(0)} s)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
