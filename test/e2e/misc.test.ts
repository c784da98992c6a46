/**
 * Issue 18, item 27 and the small items of 32: what poli tells a person when the project or state directory cannot be
 * used, and the small things a newcomer met (help width, hints, the state's read-only view, scripts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, type PoliWorld, createWorld, runPoli, startPoli, testEnv } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

function serverRunning(socket: string): boolean {
  try {
    execFileSync('tmux', ['-L', socket, 'has-session'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('directories poli cannot use (item 27)', () => {
  it('--state-dir under /proc fails at once with the state-dir error (it used to spin a core forever)', async () => {
    world = await createWorld();
    const r = await runPoli(['--mock', '--task', 'x', '--socket', world.socket, '--project-dir', world.projectDir, '--state-dir', '/proc/nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "poli: cannot use the state directory /proc/nope: could not create the directory /proc/nope (ENOENT: no such file or directory, mkdir '/proc/nope'). " +
        'poli keeps its task state, events and log there. Choose a writable directory with --state-dir DIR (or POLI_STATE_DIR), or make this one writable.\n',
    );
    expect(serverRunning(world.socket)).toBe(false);
  }, 30_000);

  it('a project directory where .poli/ cannot be made is refused before tmux starts, with what, why and what to do', async () => {
    world = await createWorld();
    // As root, permissions cannot make a directory unwritable for this test: a file where .poli/ should be does.
    await writeFile(path.join(world.projectDir, '.poli'), '');
    const long = `Create a.txt containing A. ${'Some context. '.repeat(300)}`;
    const r = await runPoli(['--mock', '--task', long, ...world.flags]);
    const dir = path.join(world.projectDir, '.poli', 'messages');
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr:
        `poli: cannot write in the project directory ${world.projectDir}: could not create the directory ${dir} ` +
        `(ENOTDIR: not a directory, mkdir '${dir}'). poli hands long messages to the CLIs as files in .poli/ there. ` +
        'Make the project directory writable (and .poli in it a folder), or choose another with --project-dir DIR.\n',
    });
    expect(serverRunning(world.socket)).toBe(false);
  }, 30_000);
});

describe('what a task leaves in the project', () => {
  it('a long message went through a file; at the end no empty .poli/messages, .poli/replies or .poli/ is left', async () => {
    world = await createWorld();
    const long = `Create a.txt containing ${'A'.repeat(300)}`;
    const r = await runPoli(['--mock', '--task', long, '--file-threshold', '256', '--kill-on-exit', ...world.flags], { env: { MOCK_ROUNDS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(world.projectDir)).not.toContain('.poli');
  }, 90_000);
});

describe('small things a newcomer met (item 32)', () => {
  it('the missing-CLI error names the command as given, not with the launch flags poli adds', async () => {
    world = await createWorld();
    // claude and codex get MCP and screen flags added by their profiles; the person typed only these words.
    const r = await runPoli(['--planner-cmd', 'claude', '--executer-cmd', 'codex --model x', '--task', 'x', ...world.flags], {
      env: { PATH: path.dirname(process.execPath) + ':/usr/bin:/bin' },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr:
        'poli: the PLANNER command "claude" and the EXECUTER command "codex --model x" are not installed (not found on PATH). ' +
        'Install them, set a different command with --planner-cmd/--executer-cmd, or run the bundled mock CLIs with --mock.\n',
    });
  });

  it('--mock --planner-profile nope is refused as it is without --mock', async () => {
    world = await createWorld();
    const r = await runPoli(['--mock', '--planner-profile', 'nope', '--task', 'x', '--kill-on-exit', ...world.flags]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'poli: unknown CLI profile "nope"; known profiles: claude, codex, aider, gemini, qwen, pi, opencode, copilot, generic, mock (see docs/profiles.md)\n',
    });
    expect(serverRunning(world.socket)).toBe(false);
  });

  it('scripts/kill_tmux.sh with no poli and no lock file prints only its own line', () => {
    const tmp = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    try {
      const r = spawnSync(path.join(REPO_ROOT, 'scripts', 'kill_tmux.sh'), ['--socket', 'poli-test-nolock'], {
        encoding: 'utf8',
        env: { ...process.env, TMPDIR: tmp, TMUX_TMPDIR: tmp },
      });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
        status: 0,
        stdout: 'no poli tmux server is running on socket poli-test-nolock\n',
        stderr: '',
      });
    } finally {
      execFileSync('rm', ['-rf', tmp]);
    }
  });
});

describe('what poli says about its tmux session (item 32)', () => {
  it('says it reuses a running session rather than "starting" it', async () => {
    world = await createWorld();
    const started = await runPoli(['start', '--mock', ...world.flags]);
    expect(started.stderr).toContain(`info  starting the tmux session on socket "${world.socket}" in ${world.projectDir}\n`);
    const r = await runPoli(['--mock', '--task', 'Create r.txt containing R', '--kill-on-exit', ...world.flags], { env: { MOCK_ROUNDS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`info  reusing the tmux session on socket "${world.socket}" (in ${world.projectDir})\n`);
    expect(r.stderr).not.toContain('starting the tmux session');
  }, 90_000);

  it('the interactive banner says leaving stops the CLIs under --kill-on-exit (and keeps them otherwise)', async () => {
    world = await createWorld();
    const killing = await runPoli(['--mock', '--kill-on-exit', ...world.flags], { input: ':quit\n' });
    expect(killing.stdout).toContain('Commands: :state (list tasks)  :help (this text)  :quit or Ctrl+D (leave; the CLIs are stopped: --kill-on-exit)\n');
    expect(killing.stdout).not.toContain('keep running');
    const keeping = await runPoli(['--mock', ...world.flags], { input: ':quit\n' });
    expect(keeping.stdout).toContain('Commands: :state (list tasks)  :help (this text)  :quit or Ctrl+D (leave; the CLIs keep running)\n');
  }, 90_000);
});

describe('poli reply and poli mcp outside a pane poli started (item 32)', () => {
  it('both exit 1 with the same reason', async () => {
    const reply = await runPoli(['reply', '--id', 'T1-R1-x', '--to', 'PLANNER', '--type', 'result'], { input: 'done\n' });
    const mcp = await runPoli(['mcp'], { input: '' });
    const reason = (r: { stderr: string }) => r.stderr.replace(/^poli (reply|mcp): /, '');
    expect({ reply: reply.code, mcp: mcp.code }).toEqual({ reply: 1, mcp: 1 });
    expect(reason(mcp)).toBe(reason(reply));
    expect(reply.stderr).toMatch(/^poli reply: \S/);
  }, 30_000);
});

describe('poli watch --socket (item 32)', () => {
  it('shows only that socket\'s events from a shared state directory', async () => {
    world = await createWorld();
    const w = world;
    await mkdir(w.stateDir, { recursive: true });
    const event = (socket: string, summary: string) => JSON.stringify({ at: '2026-12-01T10:00:00.000Z', event: 'say', role: 'PLANNER', summary, socket });
    // The other socket's event comes first: once this socket's is shown, the other one would have been too.
    await writeFile(path.join(w.stateDir, 'events.jsonl'), `${event('poli-test-other', 'from the other poli')}\n${event(w.socket, 'from this poli')}\n`);
    const run = startPoli(['watch', '--all', '--socket', w.socket, '--state-dir', w.stateDir]);
    await run.waitFor('from this poli');
    run.child.kill('SIGINT');
    await run.exited;
    expect(run.stdout()).not.toContain('from the other poli');
  }, 30_000);
});

describe('a failed start under --kill-on-exit (item 32)', () => {
  it('removes the socket file of a tmux server that died (SIGKILL) while the CLIs started', async () => {
    world = await createWorld();
    const socketFile = path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, world.socket);
    // The PLANNER's command kills its own tmux server with SIGKILL: tmux gets no chance to remove its socket file.
    const r = await runPoli(['--planner-cmd', 'kill -9 $(tmux display -p "#{pid}"); sleep 30', '--executer-cmd', 'sleep 30', '--kill-on-exit', '--task', 'x', ...world.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`poli: the poli tmux server (socket "${world.socket}") is no longer running`);
    expect(serverRunning(world.socket)).toBe(false);
    await expect(stat(socketFile)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});

describe('hints in the form the person ran (item 32)', () => {
  it('under npm run poli they say npm run poli -- …; run as poli they say poli …', async () => {
    world = await createWorld();
    const underNpm = await runPoli(['--mock', '--resume', 'T9', ...world.flags], { env: { npm_lifecycle_event: 'poli' } });
    expect(underNpm.stderr).toBe(`poli: no task with id "T9" in ${world.stateDir} (tasks: none yet). List them with: npm run poli -- --state\n`);
    const state = await runPoli(['--state', '--state-dir', world.stateDir], { env: { npm_lifecycle_event: 'poli' } });
    expect(state.stdout).toBe('No tasks yet. Start one with: npm run poli -- --task "..."\n');
    const direct = await runPoli(['--mock', '--resume', 'T9', ...world.flags], { env: { npm_lifecycle_event: '' } });
    expect(direct.stderr).toBe(`poli: no task with id "T9" in ${world.stateDir} (tasks: none yet). List them with: poli --state\n`);
  }, 30_000);
});

describe('the live line at a terminal (item 32)', () => {
  it('shows a spinner and the time while the CLIs are primed, and the first frames read "starting", never "done"', async () => {
    world = await createWorld();
    const poli = [process.execPath, path.join(REPO_ROOT, 'bin', 'poli.js'), '--mock', '--task', 'Create s.txt containing S', '--kill-on-exit', ...world.flags];
    // script(1) runs poli on a pseudo-terminal and passes on every byte it draws, the frames of the live line too.
    const command = `stty cols 120 rows 40; exec ${poli.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ')}`;
    const r = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], {
      encoding: 'utf8',
      env: testEnv({ MOCK_ROUNDS: '1' }),
      timeout: 90_000,
    });
    expect(r.status, r.stdout).toBe(0);
    const frames = r.stdout.split('\r\x1b[2K').map((f) => f.replace(/\r?\n[\s\S]*$/, '')).filter((f) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[\d+:\d\d\]/.test(f));
    expect(frames[0]).toMatch(/^⠋ \[0:00\] starting · starting and priming the PLANNER and EXECUTER$/);
    const firstWork = frames.findIndex((f) => / r\d+ (PLANNER|EXECUTER) working · /.test(f));
    expect(firstWork).toBeGreaterThan(0);
    expect(frames.slice(0, firstWork).filter((f) => !/ starting · /.test(f))).toEqual([]);
  }, 120_000);
});

describe('the progress lines of a result (item 32)', () => {
  it('one result takes one line: no echo of it as the review, no "sent for review" line', async () => {
    world = await createWorld();
    const r = await runPoli(['--mock', '--task', 'Create o.txt containing O', '--kill-on-exit', ...world.flags], { env: { MOCK_ROUNDS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').map((l) => l.replace(/^\[\d+:\d\d\] /, ''));
    const at = lines.findIndex((l) => l.startsWith('r1 EXECUTER → PLANNER result: '));
    expect(lines.slice(at, at + 2)).toEqual(['r1 EXECUTER → PLANNER result: Created o.txt (2 bytes)', 'r1 PLANNER → ORCHESTRATOR complete: Task complete after 1 round: Create o.txt containing O']);
  }, 90_000);
});

describe('events.jsonl (item 32)', () => {
  it('has a send event for every message typed into a CLI, the plan typed into the EXECUTER too', async () => {
    world = await createWorld();
    const r = await runPoli(['--mock', '--task', 'Create e.txt containing E', '--kill-on-exit', ...world.flags], { env: { MOCK_ROUNDS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const events = (await readFile(path.join(world.stateDir, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.event === 'send').map((e) => `${String(e.from)} → ${String(e.role)} ${String(e.type)}`)).toEqual([
      'ORCHESTRATOR → PLANNER task',
      'PLANNER → EXECUTER plan',
      'ORCHESTRATOR → PLANNER review',
    ]);
  }, 90_000);
});

describe('a resumed task\'s duration (item 32)', () => {
  it('leaves out the time it stood interrupted', async () => {
    world = await createWorld();
    const w = world;
    const run = startPoli(['--mock', '--task', 'Create d.txt containing D', '--kill-on-exit', ...w.flags], { env: { MOCK_SILENT_AT: '1' } });
    await run.waitFor('ORCHESTRATOR → PLANNER task');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(1);
    // As if it was interrupted two hours ago.
    const file = path.join(w.stateDir, 'tasks', 'T1.json');
    const task = JSON.parse(await readFile(file, 'utf8')) as { startedAt: string; endedAt: string };
    const back = (iso: string) => new Date(Date.parse(iso) - 2 * 3600_000).toISOString();
    await writeFile(file, JSON.stringify({ ...task, startedAt: back(task.startedAt), endedAt: back(task.endedAt) }));
    const resumed = await runPoli(['--mock', '--resume', 'T1', '--kill-on-exit', ...w.flags], { env: { MOCK_ROUNDS: '1' } });
    expect(resumed.code, resumed.stderr).toBe(0);
    const table = await runPoli(['--state', '--state-dir', w.stateDir]);
    const row = table.stdout.split('\n')[1] ?? '';
    const duration = row.split(/\s{2,}/)[4];
    expect(duration, row).toMatch(/^(\d+\.\ds|\dm\d\ds)$/);
  }, 120_000);
});
