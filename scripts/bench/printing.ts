/**
 * What poli costs while a CLI prints (issue "Reading that never loses a reply", item 8): the executer mock prints
 * `rate` lines a second for `seconds` before it answers, and poli runs the whole task. Measured:
 * - poli's CPU over the task, in % of one core (this process plus its tmux control-mode client process);
 * - the tmux server's CPU over the task, against the same mock printing the same lines in a server with no poli
 *   attached (the baseline, measured first on its own server);
 * - poli's largest resident memory, sampled every 250 ms;
 * - that the task completed (no reply lost).
 */
import { readFileSync } from 'node:fs';
import { runTask, type TaskRecorder } from '../../src/dialogue/run-task.ts';
import { realClock } from '../../src/host.ts';
import { formatBlock } from '../../src/protocol/format-block.ts';
import { createTmuxRunner, DEFAULT_TMUX_CONFIG } from '../../src/tmux/runner.ts';
import { round } from './stats.ts';
import { killServer, mockCommand, newSocketName, nowMs, openDialogueWorld, type Mode } from './world.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** utime + stime of a process, in ms (USER_HZ is 100 on Linux); 0 when it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function serverPid(socket: string): Promise<number> {
  const run = createTmuxRunner({ socket, configFile: DEFAULT_TMUX_CONFIG });
  return Number((await run(['display-message', '-p', '#{pid}'])).stdout.trim());
}

/** Pids of the control-mode clients attached to the server (poli's own reader). */
async function controlClientPids(socket: string): Promise<number[]> {
  const run = createTmuxRunner({ socket, configFile: DEFAULT_TMUX_CONFIG });
  const out = (await run(['list-clients', '-F', '#{client_pid} #{client_control_mode}'])).stdout;
  return out
    .split('\n')
    .filter((line) => line.endsWith(' 1'))
    .map((line) => Number(line.split(' ')[0]));
}

/** The same mock printing the same lines, in its own server, with no client attached: the tmux server's CPU. */
async function baselineTmuxCpuMs(rate: number, seconds: number): Promise<number> {
  const socket = newSocketName();
  const run = createTmuxRunner({ socket, configFile: DEFAULT_TMUX_CONFIG });
  try {
    const command = mockCommand('mock-executer.ts', ['--think-ms', '0', '--print-rate', String(rate), '--print-seconds', String(seconds)]);
    await run(['new-session', '-d', '-s', 'base', '-x', '501', '-y', '50', command]);
    await sleep(4_000);
    const pane = (await run(['display-message', '-p', '-t', 'base', '#{pane_id}'])).stdout.trim();
    const pid = await serverPid(socket);
    const before = processCpuMs(pid);
    const block = formatBlock({ to: 'EXECUTER', type: 'plan', id: 'B1-R1-base00' }, '1. Print your work.');
    await run(['load-buffer', '-b', 'base', '-', ';', 'paste-buffer', '-p', '-r', '-d', '-b', 'base', '-t', pane], { input: block });
    await sleep(300);
    await run(['send-keys', '-t', pane, 'Enter']);
    await sleep((seconds + 2) * 1000);
    return processCpuMs(pid) - before;
  } finally {
    await killServer(socket);
  }
}

export async function printing(mode: Mode, options: { rate: number; seconds: number; socket: string; pollMs: number }) {
  const baselineMs = await baselineTmuxCpuMs(options.rate, options.seconds);
  const world = await openDialogueWorld(mode, {
    rounds: 1,
    pollMs: options.pollMs,
    socket: options.socket,
    executerFlags: ['--print-rate', String(options.rate), '--print-seconds', String(options.seconds)],
  });
  try {
    const server = await serverPid(world.socket);
    let rssMax = 0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
    }, 250);
    const recorder: TaskRecorder = { record: async () => undefined, setRounds: async () => undefined, finish: async () => undefined };
    let controls: number[] = [];
    const cpuStart = process.cpuUsage();
    const serverStart = processCpuMs(server);
    const started = nowMs();
    let controlStart = 0;
    const task = runTask({
      channels: world.session.channels,
      recorder,
      clock: realClock,
      limits: { maxRounds: 5, planTimeoutSec: 600, execTimeoutSec: 600 },
      taskNumber: 1,
      start: { task: 'Create hello.txt containing Hello' },
      newId: (r) => `T1-R${r}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`,
      pollMs: options.pollMs,
    });
    // The control client attaches at the first read of the dialogue: count its CPU from then on.
    for (let i = 0; i < 50 && controls.length === 0; i += 1) {
      await sleep(100);
      controls = await controlClientPids(world.socket);
      controlStart = controls.reduce((total, pid) => total + processCpuMs(pid), 0);
    }
    const outcome = await task;
    const wallMs = nowMs() - started;
    const own = process.cpuUsage(cpuStart);
    const controlMs = controls.reduce((total, pid) => total + processCpuMs(pid), 0) - controlStart;
    const serverMs = processCpuMs(server) - serverStart;
    clearInterval(sampler);
    const poliMs = (own.user + own.system) / 1000 + controlMs;
    return {
      mode: world.client.mode,
      rate: options.rate,
      seconds: options.seconds,
      completed: outcome.status === 'completed',
      wallMs: round(wallMs, 0),
      poliCpuPct: round((poliMs / wallMs) * 100),
      controlClientCpuMs: round(controlMs, 0),
      tmuxServerCpuMs: round(serverMs, 0),
      tmuxBaselineCpuMs: round(baselineMs, 0),
      tmuxRatio: round(serverMs / Math.max(1, baselineMs)),
      rssMaxMb: round(rssMax / 1024 / 1024),
    };
  } finally {
    await world.cleanup();
  }
}
