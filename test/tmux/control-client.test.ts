/**
 * The control-mode client through a real tmux server: commands, output signals, a 256 KB
 * paste into test/fixtures/paste-recorder.ts, what happens when the server is killed, and when poli
 * dies with output pending (test/fixtures/control-holder.ts).
 * No timing is asserted: waits are bounded by counts or generous timeouts only.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TmuxServerGoneError } from '../../src/errors.ts';
import { mockProfile } from '../../src/profiles/basic.ts';
import { createTmuxClient, type TmuxClient } from '../../src/tmux/client.ts';
import { ControlClient, ControlClientClosedError } from '../../src/tmux/control-client.ts';
import { DEFAULT_TMUX_CONFIG, spawnTmuxControl } from '../../src/tmux/runner.ts';
import { PaneReader } from '../../src/tmux/reader.ts';
import { sendMessage, type SendReport } from '../../src/tmux/send.ts';
import type { Clock } from '../../src/tmux/types.ts';
import { createSandbox, defaultSocketPath, REPO_ROOT, TSX_BIN, waitFor, type Sandbox } from '../helpers/tmux-sandbox.ts';

const clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
/** Waits far longer than any healthy signal takes: a wait that times out shows up as `false`. */
const LONG_WAIT_MS = 10_000;

describe('control-mode client on a real tmux server', () => {
  let sandbox: Sandbox;
  let client: TmuxClient;
  let catPane: string;
  const warnings: string[] = [];

  beforeAll(async () => {
    sandbox = createSandbox();
    catPane = await sandbox.newPane('cat');
    client = createTmuxClient({ socket: sandbox.socket, configFile: DEFAULT_TMUX_CONFIG, clock, warn: (m) => warnings.push(m) });
  });

  afterAll(async () => {
    await client.close();
    await sandbox.cleanup();
    expect(existsSync(defaultSocketPath(sandbox.socket))).toBe(false);
  });

  it('starts polling and switches to control mode at the first wait for a pane', async () => {
    expect(client.mode).toBe('poll');
    await client.waitForChange([catPane], 0);
    expect(client.mode).toBe('control');
    expect(warnings).toEqual([]);
  });

  it('runs commands: several per line, UTF-8, quotes, errors', async () => {
    expect(await client.run(['display-message', '-p', "é中 'q' $HOME ~ {;", ';', 'display-message', '-p', '-t', catPane, '#{pane_id}'])).toEqual({
      stdout: `é中 'q' $HOME ~ {;\n${catPane}\n`,
      stderr: '',
      exitCode: 0,
    });
    expect(await client.run(['capture-pane', '-p', '-t', '%999', ';', 'display-message', '-p', 'skipped'])).toEqual({
      stdout: '',
      stderr: "can't find pane: %999\n",
      exitCode: 1,
    });
  });

  it('reports output of a pane within a bounded number of events, and the text is then on screen', async () => {
    const reader = new PaneReader(client.run, catPane);
    await client.run(['send-keys', '-t', catPane, '-l', '%end 1 2 1 marker-one']);
    await client.run(['send-keys', '-t', catPane, 'Enter']);
    let events = 0;
    for (; events < 20; events += 1) {
      await client.waitForChange([catPane], LONG_WAIT_MS);
      const lines = (await reader.snapshot()).lines;
      if (lines.filter((line) => line === '%end 1 2 1 marker-one').length === 2) break;
    }
    expect(events).toBeLessThan(20);
  });

  it('delivers a 256 KB paste byte for byte with event-driven waits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poli-control-'));
    try {
      const outFile = join(dir, 'received.jsonl');
      // A window of the attached session: a control client sees the output of its own session only.
      const script = join(REPO_ROOT, 'test/fixtures/paste-recorder.ts');
      const session = (await client.run(['display-message', '-p', '-t', catPane, '#{session_name}'])).stdout.trim();
      const created = await client.run(['new-window', '-d', '-t', `${session}:`, '-P', '-F', '#{pane_id}', `exec '${TSX_BIN}' '${script}' '${outFile}'`]);
      const paneId = created.stdout.trim();
      const reader = new PaneReader(client.run, paneId);
      await waitFor(
        async () => ((await reader.bottomLines(5)).includes('  ? for shortcuts') ? true : undefined),
        async () => `recorder never drew its prompt; screen:\n${await reader.lastLines()}`,
      );
      const chunk = 'line with "quotes" $(x) ; \\ é 中文 😀 Enter C-c\n\ttab\n';
      let text = chunk.repeat(Math.floor((256 * 1024) / Buffer.byteLength(chunk)));
      text += 'x'.repeat(256 * 1024 - Buffer.byteLength(text));
      let report: SendReport | undefined;
      await sendMessage({
        run: client.run,
        waitForChange: (ids, ms) => client.waitForChange(ids, ms),
        paneId,
        text,
        profile: mockProfile,
        clock,
        reader,
        onReport: (r) => (report = r),
      });
      const received = await waitFor(
        async () => (await readFile(outFile, 'utf8').catch(() => '')).split('\n').find((line) => line !== ''),
        async () => `nothing recorded; screen:\n${await reader.lastLines()}`,
      );
      const bytes = Buffer.from((JSON.parse(received) as { b64: string }).b64, 'base64');
      expect(bytes.length).toBe(262_144);
      expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
      expect(report).toMatchObject({ attempts: 1, pastes: 1, enterPresses: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('control-mode client when the server goes away', () => {
  it('cannot attach to a session that does not exist, and says why', async () => {
    const sandbox = createSandbox();
    try {
      await sandbox.newPane('cat');
      const attach = ControlClient.attach({
        socket: sandbox.socket,
        spawn: () => spawnTmuxControl({ socket: sandbox.socket, target: 'no-such-session' }),
        fallbackRun: sandbox.run,
      });
      await expect(attach).rejects.toThrow(`the tmux control-mode client on socket "${sandbox.socket}" could not attach: can't find session: no-such-session.`);
    } finally {
      await sandbox.cleanup();
    }
  });

  it('falls back to polling with one warning when control mode cannot attach', async () => {
    const sandbox = createSandbox();
    const warnings: string[] = [];
    const client = createTmuxClient({
      socket: sandbox.socket,
      clock,
      warn: (m) => warnings.push(m),
      spawnControl: () => spawnTmuxControl({ socket: sandbox.socket, target: 'no-such-session' }),
    });
    try {
      const pane = await sandbox.newPane('cat');
      await client.waitForChange([pane], 0);
      await client.waitForChange([pane], 0);
      expect(client.mode).toBe('poll');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('could not attach: can\'t find session: no-such-session');
      expect(warnings[0]).toContain('polling the panes instead (every --poll-ms)');
      expect((await client.run(['display-message', '-p', 'still works'])).stdout).toBe('still works\n');
    } finally {
      await client.close();
      await sandbox.cleanup();
    }
  });

  it('rejects pending commands, ends waits and falls back when the server is killed', async () => {
    const sandbox = createSandbox();
    const warnings: string[] = [];
    const client = createTmuxClient({ socket: sandbox.socket, clock, warn: (m) => warnings.push(m) });
    try {
      const pane = await sandbox.newPane('cat');
      expect(await client.attach(pane)).toBe(true);
      const wait = client.waitForChange([pane], 60_000);
      // `run-shell` without -b holds up the commands queued after it (its own reply comes at
      // once in control mode): the display-message is still pending when the server dies.
      // SIGKILL, so the server answers nothing more (kill-server still answers what it ran).
      await client.run(['run-shell', 'sleep 5']);
      const blocked = client.run(['display-message', '-p', 'x']).then(
        () => 'resolved',
        (error: unknown) => error,
      );
      const pid = Number((await sandbox.run(['display-message', '-p', '#{pid}'])).stdout.trim());
      process.kill(pid, 'SIGKILL');
      const error = await blocked;
      expect(error).toBeInstanceOf(TmuxServerGoneError);
      expect((error as TmuxServerGoneError).cause).toBeInstanceOf(ControlClientClosedError);
      await wait;
      expect(client.mode).toBe('poll');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^tmux control mode stopped: .*; polling the panes instead \(every --poll-ms\)$/);
      const after = await client.run(['display-message', '-p', 'x']);
      expect(after.exitCode).toBe(1);
      expect(after.stderr).toContain('no server running');
    } finally {
      await client.close();
      await sandbox.cleanup();
    }
  });

  it('tells onStop when another client detaches it (a person\'s `tmux attach -d`), and attach() attaches again', async () => {
    const sandbox = createSandbox();
    const warnings: string[] = [];
    const client = createTmuxClient({ socket: sandbox.socket, clock, warn: (m) => warnings.push(m) });
    try {
      const pane = await sandbox.newPane('cat');
      expect(await client.attach(pane)).toBe(true);
      let stops = 0;
      client.onStop?.(() => (stops += 1));
      // What `attach -d` does to every other client of the session.
      const session = (await sandbox.run(['display-message', '-p', '-t', pane, '#{session_name}'])).stdout.trim();
      await sandbox.run(['detach-client', '-s', session]);
      await waitFor(async () => (stops === 1 ? true : undefined), () => `onStop was told ${stops} times`, LONG_WAIT_MS);
      expect(client.mode).toBe('poll');
      expect(warnings[0]).toMatch(/^tmux control mode stopped: .*; polling the panes instead/);
      expect(await client.attach(pane)).toBe(true);
      expect(client.mode).toBe('control');
    } finally {
      await client.close();
      await sandbox.cleanup();
    }
  });

  // tmux (3.3a and 3.7c alike) keeps a control client whose reader is gone until its pending output is written; with
  // tmux's stdout going straight to poli that output can never be written, so the `tmux -C` process stayed and a
  // later kill-server never finished. runner.ts relays the output through a process that outlives poli.
  it('leaves no tmux -C process behind when poli dies with output pending, and kill-server then ends the server', async () => {
    const sandbox = createSandbox();
    const dir = await mkdtemp(join(tmpdir(), 'poli-holder-'));
    const rounds = join(dir, 'rounds');
    // Prints about 19 KB a round, all the time: output for the client keeps coming after its reader is gone. The file
    // counts the rounds.
    const pane = await sandbox.newPane(`i=0; while :; do seq 1 4000; i=$((i+1)); echo $i > '${rounds}'; sleep 0.05; done`);
    const roundCount = (): number => Number(existsSync(rounds) ? readFileSync(rounds, 'utf8') : 0);
    // The holder is node itself (as poli is), not a tsx wrapper process: SIGKILL must end the client's owner.
    const holder = spawn(process.execPath, ['--import', 'tsx/esm', join(REPO_ROOT, 'test/fixtures/control-holder.ts'), sandbox.socket, pane], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let said = '';
    holder.stdout?.on('data', (chunk: Buffer) => {
      said += chunk.toString('utf8');
    });
    const processes = (): string[] => processesOf(sandbox.socket);
    try {
      await waitFor(
        async () => (said.includes('attached') ? true : undefined),
        () => `the holder never attached; processes: ${processes().join('; ')}`,
      );
      // The holder now reads no more. Wait until tmux holds output it could not write yet: the pane printed 30 rounds
      // (~570 KB, more than the pipes and sockets in between take), or tmux stopped reading the pane, which it does
      // when a client is far behind (no new round for a second). Either way, no duration decides the outcome.
      const attachedAt = roundCount();
      let last = { rounds: attachedAt, at: Date.now() };
      await waitFor(
        async () => {
          const rounds = roundCount();
          if (rounds !== last.rounds) last = { rounds, at: Date.now() };
          return rounds >= attachedAt + 30 || (rounds > attachedAt && Date.now() - last.at > 1_000) ? true : undefined;
        },
        () => `the pane printed nothing after the holder attached (${roundCount()} rounds)`,
        30_000,
      );
      holder.kill('SIGKILL');
      await waitFor(
        async () => (processes().some((p) => p.includes(' -C ')) ? undefined : true),
        () => `a tmux -C client outlived its reader: ${processes().join('; ')}`,
      );
      await sandbox.run(['kill-server']);
      await waitFor(
        async () => (processes().length === 0 ? true : undefined),
        () => `processes left after kill-server: ${processes().join('; ')}`,
      );
    } finally {
      holder.kill('SIGKILL');
      // A client left behind by a failure: SIGTERM makes it exit, so the server can finish too.
      for (const p of processes()) if (p.includes(' -C ')) process.kill(Number(p.split(':')[0]), 'SIGTERM');
      await sandbox.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** `pid: command line` of every process whose command line names the socket (the server, clients, the relay). */
function processesOf(socket: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmdline.includes(socket)) found.push(`${entry}: ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
