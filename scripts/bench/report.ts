/** The benchmark's verdicts against the targets and its table. Pure: results in, text out. */
import type { delivery, dialogue, idle, reads } from './scenarios.ts';
import type { printing } from './printing.ts';

type Result<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
type Dialogue = Result<typeof dialogue>;

/** What each scenario returns (scripts/bench/child.ts prints it as JSON). */
export interface JobResults {
  dialogue: Dialogue;
  idle: Result<typeof idle>;
  reads: Result<typeof reads>;
  delivery: Result<typeof delivery>;
  printing: Result<typeof printing>;
}

export interface ModeResults {
  dialogue: Dialogue;
  /** The long dialogue whose memory is reported (the 100-round one when polling, unless --full). */
  memory: Dialogue;
  idle: Result<typeof idle>;
  reads: Result<typeof reads>;
  delivery: Result<typeof delivery>;
}

export interface Results {
  event: ModeResults & { idleAtPollMs: Result<typeof idle> };
  poll: ModeResults;
}

export interface Verdict {
  target: string;
  value: string;
  ok: boolean;
}

const KB256 = '262144';

/** Memory growth between the first and the last sample of a dialogue (MB), and the rounds it spans. */
export function memoryGrowth(d: Dialogue): { from: string; to: string; growthMb: number } {
  const keys = Object.keys(d.memory);
  const from = keys[0] ?? '';
  const to = keys.at(-1) ?? '';
  return { from, to, growthMb: (d.memory[to]?.rssMb ?? Number.NaN) - (d.memory[from]?.rssMb ?? Number.NaN) };
}

/** The event-driven figures against the targets. */
export function judge(results: Results): Verdict[] {
  const e = results.event;
  const growth = memoryGrowth(e.memory);
  const readAt = (n: string) => e.reads.reads[n]?.medianMs ?? Number.NaN;
  const exact = e.delivery.delivery[KB256];
  return [
    { target: 'hop p50 ≤ 30 ms', value: `${e.dialogue.hopMs.p50} ms`, ok: e.dialogue.hopMs.p50 <= 30 },
    { target: 'hop p99 ≤ 150 ms', value: `${e.dialogue.hopMs.p99} ms`, ok: e.dialogue.hopMs.p99 <= 150 },
    { target: 'idle CPU ≤ 0.5 % of one core', value: `${e.idle.poliCpuPercent} %`, ok: e.idle.poliCpuPercent <= 0.5 },
    { target: 'read at 100k ≤ 1.5 × read at 0', value: `${(readAt('100000') / readAt('0')).toFixed(2)} ×`, ok: readAt('100000') <= 1.5 * readAt('0') },
    { target: 'memory growth round 10 → 1,000 ≤ 20 MB', value: `${growth.growthMb.toFixed(1)} MB (${growth.from} → ${growth.to})`, ok: growth.growthMb <= 20 && growth.to === 'round 1000' },
    { target: '256 KB exact in ≤ 1 s', value: `${exact?.confirmedMs} ms, ${exact?.exact ? 'exact' : 'NOT exact'}`, ok: exact?.exact === true && exact.confirmedMs <= 1000 },
  ];
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
}

export function formatTable(results: Results, verdicts: readonly Verdict[], info: { pollMs: number; heartbeatMs: number; seconds: number }): string {
  const { event: e, poll: p } = results;
  const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? 'n/a' : `${n} ms`);
  const rows: string[][] = [['figure', `event-driven (control mode)`, `polling every ${info.pollMs} ms`]];
  const add = (figure: string, ev: string, po: string) => rows.push([figure, ev, po]);
  const hop = (d: Dialogue) => `${d.hopMs.p50} / ${d.hopMs.p95} / ${d.hopMs.p99} ms (${d.hops} hops)`;
  add('1. hop latency p50 / p95 / p99', hop(e.dialogue), hop(p.dialogue));
  add('   of which: reply seen → send starts (p50)', ms(e.dialogue.detectMs.p50), ms(p.dialogue.detectMs.p50));
  add(`2. ${e.dialogue.rounds}-round dialogue: wall time`, `${(e.dialogue.wallMs / 1000).toFixed(1)} s`, `${(p.dialogue.wallMs / 1000).toFixed(1)} s`);
  add('   per round / poli overhead per round', `${e.dialogue.perRoundMs} / ${e.dialogue.overheadPerRoundMs} ms`, `${p.dialogue.perRoundMs} / ${p.dialogue.overheadPerRoundMs} ms`);
  add(`3. idle CPU, both CLIs silent ${e.idle.seconds} s`, `${e.idle.poliCpuPercent} % of a core`, `${p.idle.poliCpuPercent} % of a core`);
  add(`   same, control mode waking every ${info.pollMs} ms`, `${e.idleAtPollMs.poliCpuPercent} % of a core`, '');
  add('   tmux server meanwhile', `${e.idle.tmuxServerCpuPercent} %`, `${p.idle.tmuxServerCpuPercent} %`);
  for (const n of ['0', '10000', '100000']) {
    const label = n === '0' ? '4. one read (changed pane), 0 rows history' : `   ${Number(n).toLocaleString('en')} rows of history`;
    add(label, `${ms(e.reads.reads[n]?.medianMs)} (p95 ${ms(e.reads.reads[n]?.p95Ms)})`, `${ms(p.reads.reads[n]?.medianMs)} (p95 ${ms(p.reads.reads[n]?.p95Ms)})`);
  }
  add('   read of an unchanged pane (100k rows)', ms(e.reads.reads['100000']?.unchangedMs), ms(p.reads.reads['100000']?.unchangedMs));
  const mem = (d: Dialogue) => {
    const g = memoryGrowth(d);
    return `${d.memory[g.from]?.rssMb} → ${d.memory[g.to]?.rssMb} MB (${g.from} → ${g.to}, +${g.growthMb.toFixed(1)})`;
  };
  add('5. resident memory', mem(e.memory), mem(p.memory));
  for (const size of ['1024', '65536', KB256]) {
    const label = size === '1024' ? '6. delivery 1 KB (confirmed, exact)' : `   ${Number(size) / 1024} KB`;
    const cell = (d: ModeResults['delivery']) => {
      const r = d.delivery[size];
      return r === undefined ? 'n/a' : `${r.confirmedMs} ms, ${r.exact ? 'exact' : 'NOT EXACT'}`;
    };
    add(label, cell(e.delivery), cell(p.delivery));
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const lines = rows.map((r) => row(r, widths));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const warnings = [...e.dialogue.warnings, ...e.memory.warnings, ...e.idle.warnings, ...e.reads.warnings, ...e.delivery.warnings];
  const out = [
    `poli benchmark: instant mock CLIs, ${info.seconds.toFixed(0)} s. Control mode waits at most ${info.heartbeatMs} ms when nothing changes.`,
    '',
    ...lines,
    '',
    'targets (event-driven):',
    ...verdicts.map((v) => `  ${v.ok ? 'met   ' : 'MISSED'}  ${v.target}: ${v.value}`),
    ...(warnings.length > 0 ? ['', 'warnings:', ...warnings.map((w) => `  ${w}`)] : []),
  ];
  return `${out.join('\n')}\n`;
}
