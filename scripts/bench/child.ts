/**
 * Runs one benchmark scenario in this process and prints its result as the last stdout line:
 * `BENCH_RESULT {json}`. Started by scripts/bench.ts with `node --expose-gc --import tsx`.
 */
import { printing } from './printing.ts';
import { delivery, dialogue, idle, reads } from './scenarios.ts';
import type { Mode } from './world.ts';

interface Job {
  scenario: 'dialogue' | 'idle' | 'reads' | 'delivery' | 'printing';
  mode: Mode;
  socket: string;
  options: Record<string, unknown>;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const common = { socket: job.socket };
const run = (): Promise<unknown> => {
  switch (job.scenario) {
    case 'dialogue':
      return dialogue(job.mode, { ...common, rounds: 100, pollMs: 250, memoryAt: 10, ...job.options });
    case 'idle':
      return idle(job.mode, { ...common, seconds: 30, pollMs: 250, ...job.options });
    case 'reads':
      return reads(job.mode, { ...common, iterations: 200, ...job.options });
    case 'delivery':
      return delivery(job.mode, { ...common, sizes: [1024, 65_536, 262_144], repeats: 3, ...job.options });
    case 'printing':
      return printing(job.mode, { ...common, rate: 50, seconds: 40, pollMs: 1_000, ...job.options });
  }
};

run().then(
  (result) => {
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
