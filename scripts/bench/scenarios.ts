/**
 * The measurements, one function per scenario; each runs in its own Node process (scripts/bench/child.ts)
 * so CPU and memory figures are poli's alone. All go through poli's real code paths: PoliSession, runTask,
 * PaneReader and sendMessage over the TmuxClient of the mode under test.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runTask, type TaskRecorder } from '../../src/dialogue/run-task.ts';
import { realClock } from '../../src/host.ts';
import { mockProfile } from '../../src/profiles/basic.ts';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import type { Role } from '../../src/protocol/types.ts';
import { PaneReader } from '../../src/tmux/reader.ts';
import { sendMessage } from '../../src/tmux/send.ts';
import { median, percentile, round, sum } from './stats.ts';
import { nowMs, openDialogueWorld, openWorld, type DialogueWorld, type Mode } from './world.ts';

const TASK = 'Create hello.txt containing Hello';
/** Reply types that poli forwards to the other CLI (a hop ends when the forwarded message is submitted). */
const FORWARDED = new Set(['plan', 'continue', 'revision', 'result', 'error']);

interface Submit {
  role: Role;
  id: string;
  start: number;
  end: number;
}

/** Records when each message poli types into a pane starts and is confirmed. */
function traceSubmits(world: DialogueWorld): Submit[] {
  const submits: Submit[] = [];
  for (const role of ['PLANNER', 'EXECUTER'] as const) {
    const channel = world.session.channels[role];
    const submit = channel.submit.bind(channel);
    channel.submit = async (text) => {
      const start = nowMs();
      await submit(text);
      submits.push({ role, id: parseBlocks(text).blocks[0]?.header.id ?? '', start, end: nowMs() });
    };
  }
  return submits;
}

function memory(): { rssMb: number; heapMb: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssMb: round(m.rss / 2 ** 20, 1), heapMb: round(m.heapUsed / 2 ** 20, 1) };
}

/**
 * A whole dialogue of `rounds` rounds. Hop latency: from the moment the mock completed a reply block
 * (its trace) to poli's confirmed submission of the forwarded message in the other pane.
 */
export async function dialogue(mode: Mode, options: { rounds: number; pollMs: number; socket: string; memoryAt: number }) {
  const world = await openDialogueWorld(mode, { rounds: options.rounds, pollMs: options.pollMs, socket: options.socket });
  try {
    const submits = traceSubmits(world);
    const samples: Record<string, { rssMb: number; heapMb: number }> = {};
    const recorder: TaskRecorder = {
      record: async () => undefined,
      setRounds: async (rounds) => {
        if (rounds === options.memoryAt) samples[`round ${rounds}`] = memory();
      },
      finish: async () => undefined,
    };
    const started = nowMs();
    const outcome = await runTask({
      channels: world.session.channels,
      recorder,
      clock: realClock,
      limits: { maxRounds: options.rounds + 5, planTimeoutSec: 600, execTimeoutSec: 600 },
      taskNumber: 1,
      start: { task: TASK },
      newId: (r) => `T1-R${r}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`,
      pollMs: options.pollMs,
    });
    const wallMs = nowMs() - started;
    samples[`round ${outcome.rounds}`] = memory();
    if (outcome.status !== 'completed') throw new Error(`the dialogue ended ${outcome.status}: ${outcome.reason}`);
    const trace = await world.readTrace();
    const hops: number[] = [];
    const detect: number[] = [];
    for (let k = 1; k < submits.length; k += 1) {
      const previous = submits[k - 1] as Submit;
      const current = submits[k] as Submit;
      const reply = trace.find((b) => b.event === 'block' && b.role === previous.role && b.id === previous.id && FORWARDED.has(b.type));
      if (reply === undefined) continue;
      hops.push(current.end - reply.t);
      detect.push(current.start - reply.t);
    }
    // The CLIs' own time: from echoing a submission (their turn starts) to the last block of their answer.
    const cliMs = submits.map((s) => {
      const received = trace.find((b) => b.event === 'received' && b.role === s.role && b.id === s.id);
      const answers = trace.filter((b) => b.event === 'block' && b.role === s.role && b.id === s.id);
      const done = answers.at(-1);
      return received && done ? Math.max(0, done.t - received.t) : 0;
    });
    return {
      mode: world.client.mode,
      warnings: world.warnings,
      rounds: outcome.rounds,
      wallMs: round(wallMs, 0),
      perRoundMs: round(wallMs / outcome.rounds),
      overheadPerRoundMs: round((wallMs - sum(cliMs)) / outcome.rounds),
      hops: hops.length,
      hopMs: { p50: round(percentile(hops, 50)), p95: round(percentile(hops, 95)), p99: round(percentile(hops, 99)), max: round(Math.max(...hops)) },
      detectMs: { p50: round(percentile(detect, 50)), p99: round(percentile(detect, 99)) },
      memory: samples,
    };
  } finally {
    await world.cleanup();
  }
}

/** CPU time (ms) of this process, of its reaped children (tmux client processes), and of other processes by pid. */
function cpuMs(pids: readonly number[]): { self: number; children: number; others: number } {
  const usage = process.cpuUsage();
  const ticks = (stat: string, from: number, count: number): number => {
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let total = 0;
    // Fields after the command name start at field 3 (state); utime is field 14.
    for (let i = 0; i < count; i += 1) total += Number(fields[from - 3 + i]);
    return total * 10; // USER_HZ is 100 on Linux
  };
  const own = readFileSync('/proc/self/stat', 'utf8');
  let others = 0;
  for (const pid of pids) {
    try {
      others += ticks(readFileSync(`/proc/${pid}/stat`, 'utf8'), 14, 2);
    } catch {
      // gone: nothing to add
    }
  }
  return { self: (usage.user + usage.system) / 1000, children: ticks(own, 16, 2), others };
}

/**
 * Both CLIs silent: the planner never answers the task (`--silent-at 1`), so poli waits with nothing on
 * either screen changing. Measures poli's CPU over `seconds`, the control client process included.
 */
export async function idle(mode: Mode, options: { seconds: number; pollMs: number; socket: string }) {
  const world = await openDialogueWorld(mode, { rounds: 3, pollMs: options.pollMs, plannerFlags: ['--silent-at', '1'], socket: options.socket });
  const controller = new AbortController();
  try {
    const submits = traceSubmits(world);
    const recorder: TaskRecorder = { record: async () => undefined, setRounds: async () => undefined, finish: async () => undefined };
    const task = runTask({
      channels: world.session.channels,
      recorder,
      clock: realClock,
      limits: { maxRounds: 10, planTimeoutSec: 3600, execTimeoutSec: 3600 },
      taskNumber: 1,
      start: { task: TASK },
      newId: (r) => `T1-R${r}-idle00`,
      pollMs: options.pollMs,
      signal: controller.signal,
    });
    while (submits.length === 0) await realClock.sleep(50);
    await realClock.sleep(2_000); // let the mock's turn end and the screens settle
    const clients = (await world.client.run(['list-clients', '-F', '#{client_pid}'])).stdout.split('\n').filter(Boolean).map(Number);
    const serverPid = Number((await world.client.run(['display-message', '-p', '#{pid}'])).stdout.trim());
    const before = cpuMs(clients);
    const serverBefore = cpuMs([serverPid]).others;
    const t0 = nowMs();
    await realClock.sleep(options.seconds * 1000);
    const elapsed = nowMs() - t0;
    const after = cpuMs(clients);
    const serverAfter = cpuMs([serverPid]).others;
    controller.abort('benchmark done');
    const outcome = await task;
    const poliMs = after.self - before.self + (after.children - before.children) + (after.others - before.others);
    return {
      mode: world.client.mode,
      warnings: world.warnings,
      outcome: outcome.status,
      seconds: round(elapsed / 1000, 1),
      poliCpuPercent: round((100 * poliMs) / elapsed, 3),
      breakdownMs: { node: round(after.self - before.self, 1), tmuxProcesses: after.children - before.children, controlClient: after.others - before.others },
      tmuxServerCpuPercent: round((100 * (serverAfter - serverBefore)) / elapsed, 3),
    };
  } finally {
    controller.abort('cleanup');
    await world.cleanup();
  }
}

/** One dialogue look at a pane (readSince its mark + the bottom lines for its state) at 0, 10k and 100k rows of history. */
export async function reads(mode: Mode, options: { socket: string; iterations: number }) {
  const world = await openWorld(mode, options.socket);
  try {
    const { run } = world.client;
    const created = await run(['new-session', '-d', '-s', 'bench', '-x', '250', '-y', '50', '-P', '-F', '#{pane_id}', 'exec cat']);
    if (created.exitCode !== 0) throw new Error(`new-session failed: ${created.stderr}`);
    await run(['set-option', '-w', '-t', created.stdout.trim(), 'window-size', 'manual', ';', 'set-option', '-g', 'history-limit', '110000']);
    const sizes = [0, 10_000, 100_000];
    const panes: string[] = [];
    for (const lines of sizes) {
      const command = lines === 0 ? 'exec cat' : `seq 1 ${lines}; exec cat`;
      panes.push((await run(['new-window', '-d', '-t', 'bench:', '-P', '-F', '#{pane_id}', command])).stdout.trim());
    }
    for (const [i, pane] of panes.entries()) {
      const want = Math.max(0, (sizes[i] as number) - 60);
      for (let tries = 0; ; tries += 1) {
        const size = Number((await run(['display-message', '-p', '-t', pane, '#{history_size}'])).stdout.trim());
        if (size >= want) break;
        if (tries > 1200) throw new Error(`pane ${pane} reached only ${size} rows of history, expected ${want}`);
        await realClock.sleep(50);
      }
    }
    if (mode === 'event' && !(await world.client.attach('bench'))) throw new Error(`control mode did not attach: ${world.warnings.join('; ')}`);
    const result: Record<string, { historyRows: number; medianMs: number; p95Ms: number; unchangedMs: number }> = {};
    for (const [i, pane] of panes.entries()) {
      const reader = new PaneReader(run, pane);
      const mark = await reader.mark({ linesAbove: 8 });
      const look = async (): Promise<number> => {
        const t0 = nowMs();
        await reader.readSince(mark);
        await reader.bottomLines(15);
        return nowMs() - t0;
      };
      const changed: number[] = [];
      const unchanged: number[] = [];
      for (let k = 0; k < options.iterations + 10; k += 1) {
        // The pane changes before each timed look (cat echoes a key), so the look really captures;
        // a second look right after finds it unchanged (control mode answers that one from its cache).
        await run(['send-keys', '-t', pane, '-l', 'x']);
        if (world.client.mode === 'control') await world.client.waitForChange([pane], 1_000);
        else await realClock.sleep(5);
        const first = await look();
        const second = await look();
        if (k >= 10) {
          changed.push(first);
          unchanged.push(second);
        }
      }
      const rows = Number((await run(['display-message', '-p', '-t', pane, '#{history_size}'])).stdout.trim());
      result[String(sizes[i])] = {
        historyRows: rows,
        medianMs: round(median(changed), 3),
        p95Ms: round(percentile(changed, 95), 3),
        unchangedMs: round(median(unchanged), 3),
      };
    }
    const ratio = (result['100000']?.medianMs ?? Number.NaN) / (result['0']?.medianMs ?? Number.NaN);
    return { mode: world.client.mode, warnings: world.warnings, reads: result, ratio100kTo0: round(ratio, 2) };
  } finally {
    await world.cleanup();
  }
}

/** Text of exactly `bytes` UTF-8 bytes with quotes, `$()`, `;`, `\`, CJK, emoji, tabs and key names. */
export function mixedText(bytes: number): string {
  const chunk = 'ASCII line with "quotes" and \'single\' $(rm -rf /) `cmd` ; \\ back\\slash\n' +
    '\tTabbed é ü ß 中文字符 日本語 😀 👨‍👩‍👧 -flag #{pane_id} Enter C-c M-x\n';
  let text = '';
  while (Buffer.byteLength(text) + Buffer.byteLength(chunk) <= bytes) text += chunk;
  return text + 'x'.repeat(bytes - Buffer.byteLength(text));
}

/** sendMessage into test/fixtures/paste-recorder.ts: time to a confirmed submission, and the bytes it recorded. */
export async function delivery(mode: Mode, options: { socket: string; sizes: number[]; repeats: number }) {
  const world = await openWorld(mode, options.socket);
  try {
    const { run } = world.client;
    const outFile = path.join(world.dir, 'received.jsonl');
    const script = path.resolve(import.meta.dirname, '../../test/fixtures/paste-recorder.ts');
    const command = [process.execPath, '--import', import.meta.resolve('tsx'), script, outFile].map((w) => `'${w}'`).join(' ');
    const created = await run(['new-session', '-d', '-s', 'bench', '-x', '250', '-y', '50', '-P', '-F', '#{pane_id}', command]);
    if (created.exitCode !== 0) throw new Error(`new-session failed: ${created.stderr}`);
    const paneId = created.stdout.trim();
    await run(['set-option', '-w', '-t', paneId, 'window-size', 'manual']);
    const waitForChange = mode === 'event' ? (ids: readonly string[], ms: number) => world.client.waitForChange(ids, ms) : undefined;
    const reader = new PaneReader(run, paneId);
    for (let tries = 0; !(await reader.bottomLines(5)).includes('  ? for shortcuts'); tries += 1) {
      if (tries > 400) throw new Error(`the paste recorder never drew its prompt:\n${await reader.lastLines()}`);
      await realClock.sleep(50);
    }
    const received = async (): Promise<Buffer[]> =>
      (await readFile(outFile, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => Buffer.from((JSON.parse(line) as { b64: string }).b64, 'base64'));
    const result: Record<string, { confirmedMs: number; recordedMs: number; exact: boolean }> = {};
    let count = 0;
    for (const size of options.sizes) {
      const text = mixedText(size);
      const confirmed: number[] = [];
      const recorded: number[] = [];
      let exact = true;
      for (let k = 0; k < options.repeats; k += 1) {
        const t0 = nowMs();
        await sendMessage({ run, paneId, text, profile: mockProfile, clock: realClock, reader, ...(waitForChange ? { waitForChange } : {}) });
        confirmed.push(nowMs() - t0);
        count += 1;
        let got = await received();
        while (got.length < count) {
          if (nowMs() - t0 > 20_000) throw new Error(`the recorder did not record submission ${count}`);
          await realClock.sleep(2);
          got = await received();
        }
        recorded.push(nowMs() - t0);
        exact &&= got[count - 1]?.equals(Buffer.from(text, 'utf8')) === true;
      }
      result[String(size)] = { confirmedMs: round(median(confirmed), 1), recordedMs: round(median(recorded), 1), exact };
    }
    return { mode: world.client.mode, warnings: world.warnings, delivery: result };
  } finally {
    await world.cleanup();
  }
}
