/**
 * A benchmark world: poli's private tmux server on a `poli-bench-<random>` socket, a project
 * directory, a TmuxClient in the mode under test, and — for dialogue figures — a PoliSession with
 * the instant mock CLIs (`--think-ms 0`) that trace every block they print (MOCK_TRACE_FILE).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, readPrimer, realClock } from '../../src/host.ts';
import { selectProfile } from '../../src/profiles/select.ts';
import type { Role } from '../../src/protocol/types.ts';
import type { CliSpec } from '../../src/session/cli-spec.ts';
import { PoliSession } from '../../src/session/session.ts';
import { createPollingClient, createTmuxClient, type TmuxClient } from '../../src/tmux/client.ts';
import { createTmuxRunner, DEFAULT_TMUX_CONFIG } from '../../src/tmux/runner.ts';

export type Mode = 'event' | 'poll';

export interface TracedBlock {
  t: number;
  /** 'block': the mock completed a block it sends; 'received': it echoed a block poli submitted to it. */
  event: 'block' | 'received';
  role: Role;
  id: string;
  type: string;
  to: string;
}

export interface BenchWorld {
  socket: string;
  dir: string;
  client: TmuxClient;
  /** Warnings the client gave (a fallback to polling would show here). */
  warnings: string[];
  cleanup(): Promise<void>;
}

export interface DialogueWorld extends BenchWorld {
  session: PoliSession;
  traceFile: string;
  readTrace(): Promise<TracedBlock[]>;
}

/** Sub-millisecond epoch time, comparable with the mocks' trace (same formula). */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export function newSocketName(): string {
  return `poli-bench-${randomBytes(5).toString('hex')}`;
}

/** A client for `mode`; the event client upgrades itself to control mode at its first wait. */
export async function openWorld(mode: Mode, socket = newSocketName()): Promise<BenchWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), 'poli-bench-'));
  const warnings: string[] = [];
  const options = { socket, configFile: DEFAULT_TMUX_CONFIG, clock: realClock };
  const client = mode === 'event' ? createTmuxClient({ ...options, warn: (m) => warnings.push(m) }) : createPollingClient(options);
  return {
    socket,
    dir,
    client,
    warnings,
    async cleanup() {
      await client.close();
      await killServer(socket);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Kills exactly the server on `socket` and removes its socket file (tmux 3.3a leaves it). */
export async function killServer(socket: string): Promise<void> {
  const run = createTmuxRunner({ socket });
  const where = await run(['display-message', '-p', '#{socket_path}']);
  await run(['kill-server']);
  const file = where.exitCode === 0 ? where.stdout.trim() : path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket);
  if (file.endsWith(`/${socket}`)) await rm(file, { force: true });
}

/**
 * Opens poli's session with both mock CLIs answering at once. `rounds`: executer rounds the
 * planner asks for; `plannerFlags`: extra mock flags (e.g. `--silent-at 1` for a silent planner).
 */
export async function openDialogueWorld(
  mode: Mode,
  options: { rounds: number; pollMs: number; plannerFlags?: string[]; executerFlags?: string[]; socket?: string },
): Promise<DialogueWorld> {
  const world = await openWorld(mode, options.socket);
  const traceFile = path.join(world.dir, 'trace.jsonl');
  const projectDir = path.join(world.dir, 'project');
  await mkdir(projectDir);
  const mockFlags = ['--think-ms', '0', '--rounds', String(options.rounds)];
  const cli = async (role: Role, file: string, extra: string[]): Promise<CliSpec> => {
    const command = mockCommand(file, [...mockFlags, ...extra]);
    const profile = selectProfile(command, 'mock');
    return {
      command,
      env: { ...profile.launch.env, MOCK_TRACE_FILE: traceFile },
      profile,
      primer: await readPrimer(role === 'PLANNER' ? 'planner' : 'executer'),
    };
  };
  try {
    const session = await PoliSession.open({
      run: world.client.run,
      // The event-driven mode reads the panes through terminal models fed by control mode, as poli does.
      ...(mode === 'event' ? { client: world.client } : {}),
      waitForChange: (paneIds, ms) => world.client.waitForChange(paneIds, ms),
      socket: world.socket,
      clock: realClock,
      projectDir,
      clis: {
        PLANNER: await cli('PLANNER', 'mock-planner.ts', options.plannerFlags ?? []),
        EXECUTER: await cli('EXECUTER', 'mock-executer.ts', options.executerFlags ?? []),
      },
      readyTimeoutMs: 60_000,
      pollMs: options.pollMs,
    });
    return {
      ...world,
      session,
      traceFile,
      async readTrace() {
        const text = await readFile(traceFile, 'utf8').catch(() => '');
        return text
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as TracedBlock);
      },
    };
  } catch (error) {
    await world.cleanup();
    throw error;
  }
}

/** The bundled mock, run by this Node with tsx's loader, as the workspace does for --mock. */
export function mockCommand(file: string, flags: readonly string[]): string {
  const tsx = import.meta.resolve('tsx');
  return [process.execPath, '--import', tsx, path.join(PACKAGE_ROOT, 'mocks', file), ...flags].map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
