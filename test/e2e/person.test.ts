/**
 * A person at a terminal, without one: what poli does when stdin, stdout or the state dir are not
 * what a person at a terminal has (cron, CI, pipes), what it tells them, and what it leaves behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, type PoliWorld, createWorld, runPoli, startPoli, testEnv } from '../helpers/poli-process.ts';
import { runtimeDir } from '../../src/host.ts';

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

async function events(w: PoliWorld): Promise<Record<string, unknown>[]> {
  const text = await readFile(path.join(w.stateDir, 'events.jsonl'), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('--approve without a terminal', () => {
  it('end of input at the question stops the task as interrupted; nothing is rejected for the person', async () => {
    world = await createWorld();
    const r = await runPoli(['--mock', '--approve', 'plans', '--task', 'Create n.txt containing N', '--kill-on-exit', ...world.flags], { input: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'poli: task T1 ended interrupted: no answer at the approval prompt (end of input: Ctrl+D, or no terminal on stdin); nothing was forwarded\n' +
        'poli: its state is kept; continue it with: poli --resume T1\n',
    );
    expect(r.stdout).not.toContain('Reason for rejecting');
    await expect(readFile(path.join(world.stateDir, 'approvals.jsonl'), 'utf8')).rejects.toThrow(/ENOENT/);
    const state = JSON.parse((await runPoli(['--state', '--json', '--state-dir', world.stateDir])).stdout) as { tasks: { status: string; rounds: number }[] };
    expect(state.tasks.map((t) => [t.status, t.rounds])).toEqual([['interrupted', 0]]);
  });
});

describe('--approve with stdin on /dev/null (cron, CI)', () => {
  it('is refused before anything starts', async () => {
    world = await createWorld();
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'poli.js'), '--mock', '--approve', 'plans', '--task', 'x', ...world.flags], {
      env: testEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toBe(
      'poli: --approve plans asks you at the terminal, but stdin is not a terminal (it is /dev/null: cron, CI, </dev/null). ' +
        'Run poli at a terminal, pipe the answers in, or use --approve off.\n',
    );
    expect(serverRunning(world.socket)).toBe(false);
  });
});

describe('a state dir poli cannot use', () => {
  it('is refused before tmux starts, naming the dir, what failed and what to do; exit 1; nothing left running', async () => {
    world = await createWorld();
    // A file where a folder should be: as root, permissions cannot make a directory read-only for this test.
    const blocker = path.join(world.projectDir, 'not-a-dir');
    await writeFile(blocker, '');
    const stateDir = path.join(blocker, 'state');
    const r = await runPoli(['--mock', '--task', 'x', '--socket', world.socket, '--project-dir', world.projectDir, '--state-dir', stateDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `poli: cannot use the state directory ${stateDir}: could not create the directory ${stateDir} ` +
        `(ENOTDIR: not a directory, mkdir '${stateDir}'). poli keeps its task state, events and log there. ` +
        'Choose a writable directory with --state-dir DIR (or POLI_STATE_DIR), or make this one writable.\n',
    );
    expect(serverRunning(world.socket)).toBe(false);
  });
});

describe('a bad .env value', () => {
  it('does not stop --state (it says what it ignores), but still stops a task', async () => {
    world = await createWorld();
    await writeFile(path.join(world.projectDir, '.env'), 'POLI_MAX_ROUNDS=zero\n');
    const state = await runPoli(['--state', '--state-dir', world.stateDir], { cwd: world.projectDir });
    expect(state).toEqual({
      code: 0,
      stdout: 'No tasks yet. Start one with: poli --task "..."\n',
      stderr: 'poli: ignoring invalid value for --max-rounds (from .env POLI_MAX_ROUNDS): "zero"; expected an integer >= 1 (not needed here)\n',
    });
    const task = await runPoli(['--mock', '--task', 'x', ...world.flags], { cwd: world.projectDir });
    expect(task).toEqual({ code: 2, stdout: '', stderr: 'poli: invalid value for --max-rounds (from .env POLI_MAX_ROUNDS): "zero"; expected an integer >= 1\n' });
  });
});

describe('a CLI that never gets ready', () => {
  it('names the real limit and the socket, and says the server keeps running', async () => {
    world = await createWorld();
    const r = await runPoli(['--planner-cmd', 'sleep 60', '--executer-cmd', 'sleep 60', '--plan-timeout', '1.5', '--task', 'x', ...world.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^poli: the (PLANNER|EXECUTER) CLI in pane %\d+ did not show a ready prompt within 1\.5 s \(the start-up limit is --plan-timeout, at most 120 s\)\. Last lines of its screen:\n/m,
    );
    expect(r.stderr).toContain(`or attach to look: tmux -L ${world.socket} attach\n`);
    expect(r.stderr).not.toContain('<socket>');
    expect(r.stderr).toContain(
      `poli: the CLIs keep running in tmux (socket ${world.socket}). Watch or step in: tmux -L ${world.socket} attach · stop them: tmux -L ${world.socket} kill-server\n`,
    );
    expect(serverRunning(world.socket)).toBe(true);
  });

  it('both missing commands are named', async () => {
    world = await createWorld();
    const r = await runPoli(['--planner-cmd', 'no-such-planner-cli', '--executer-cmd', 'no-such-executer-cli', '--task', 'x', ...world.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'poli: the PLANNER command "no-such-planner-cli" and the EXECUTER command "no-such-executer-cli" are not installed (not found on PATH). ' +
        'Install them, set a different command with --planner-cmd/--executer-cmd, or run the bundled mock CLIs with --mock.\n',
    );
  });
});

describe('a task whose output goes to files and pipes', () => {
  it('no colour, --notify gets the end as JSON, events name the socket, --mock warns about an ignored command, message files and .poli/ stay out of git; --resume refuses before starting anything', async () => {
    world = await createWorld();
    const w = world;
    execFileSync('git', ['init', '-q', w.projectDir]);
    const notified = path.join(w.projectDir, '..', 'notified.jsonl');
    // Message files of ids this task never sent: another poli's on the same project (it numbers its tasks from T1 too).
    const messages = path.join(w.projectDir, '.poli', 'messages');
    await mkdir(messages, { recursive: true });
    await writeFile(path.join(messages, 'T1-R1-aaaaaa.md'), 'x\n');
    await writeFile(path.join(messages, 'T7-R1-bbbbbb.md'), 'x\n');
    const r = await runPoli(
      ['--mock', '--planner-cmd', 'my-planner', '--notify', `cat >> '${notified}'`, '--task', 'Create l.txt containing L', '--kill-on-exit', ...w.flags],
      { env: { MOCK_ROUNDS: '1', NO_COLOR: '' } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('poli: --mock runs the bundled mock CLIs; --planner-cmd "my-planner" is ignored.');
    expect(r.stdout + r.stderr).not.toContain('\x1b');
    const lines = (await readFile(notified, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((e) => [e.event, e.task, e.status, e.socket])).toEqual([['complete', 'T1', 'completed', w.socket]]);
    const all = await events(w);
    expect(all.every((e) => e.socket === w.socket)).toBe(true);
    // The task removes only the message files of the ids it sent (none here), and git never sees .poli/.
    expect(await readdir(messages)).toEqual(['T1-R1-aaaaaa.md', 'T7-R1-bbbbbb.md']);
    expect(await readFile(path.join(w.projectDir, '.git', 'info', 'exclude'), 'utf8')).toContain('\n/.poli/\n');
    const status = execFileSync('git', ['-C', w.projectDir, 'status', '--porcelain', '--untracked-files=all'], { encoding: 'utf8' });
    expect(status).not.toContain('.poli');

    const done = await runPoli(['--mock', '--resume', 'T1', ...w.flags]);
    expect(done).toEqual({ code: 1, stdout: '', stderr: 'poli: cannot resume: task T1 is completed; only interrupted, failed or timed-out tasks can be resumed\n' });
    const cased = await runPoli(['--mock', '--resume', 't1', ...w.flags]);
    expect(cased).toEqual({ code: 1, stdout: '', stderr: `poli: no task with id "t1" in ${w.stateDir} (did you mean T1?). List them with: poli --state\n` });
    expect(serverRunning(w.socket)).toBe(false);
    // A new session shows how the last task on the socket ended, not "idle".
    expect((await runPoli(['start', '--mock', ...w.flags])).code).toBe(0);
    expect(execFileSync('tmux', ['-L', w.socket, 'show-option', '-gv', 'status-right'], { encoding: 'utf8' })).toBe('poli T1 completed\n');
    const status1 = await runPoli(['status', ...w.flags]);
    expect(status1.stdout).toBe('poli T1 completed · Create l.txt containing L\n');
  }, 60_000);
});

describe('a CLI waiting at its permission prompt', () => {
  it('runs --notify with the waiting event', async () => {
    world = await createWorld();
    const w = world;
    const notified = path.join(w.projectDir, '..', 'notified.jsonl');
    const run = startPoli(['--mock', '--notify', `cat >> '${notified}'`, '--task', 'Create w.txt containing W', '--kill-on-exit', ...w.flags], {
      env: { MOCK_ROUNDS: '1', MOCK_EXECUTER_APPROVAL_AT: '1' },
    });
    await run.waitFor('waiting for approval');
    const seen = async () => (await readFile(notified, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const deadline = Date.now() + 10_000;
    while ((await seen()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const [waiting] = await seen();
    expect(waiting).toMatchObject({ event: 'waiting', task: 'T1', role: 'EXECUTER', socket: w.socket });
    expect(String(waiting?.reason)).toContain(`answer it in tmux (attach with: tmux -L ${w.socket} attach)`);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(1);
  }, 60_000);
});

describe('a session reused for another project', () => {
  it('says plainly that both CLIs restart there and lose their context', async () => {
    world = await createWorld();
    const w = world;
    expect((await runPoli(['start', '--mock', ...w.flags])).code).toBe(0);
    const other = path.join(w.projectDir, 'other');
    await mkdir(other);
    const r = await runPoli(['start', '--mock', '--socket', w.socket, '--state-dir', w.stateDir, '--project-dir', other]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warn  the session on socket "${w.socket}" works in ${w.projectDir}; restarting both CLIs in ${other}, so they lose their context. ` +
        'To keep that session, use another socket (--socket NAME).\n',
    );
  }, 60_000);
});

describe('a session reused with other settings for the CLIs', () => {
  it('starts the CLIs again with this run\'s environment and says which variables changed', async () => {
    world = await createWorld();
    const w = world;
    expect((await runPoli(['start', '--mock', ...w.flags], { env: { MOCK_THINK_MS: '100' } })).code).toBe(0);
    const same = await runPoli(['start', '--mock', ...w.flags], { env: { MOCK_THINK_MS: '100' } });
    expect(same.stderr).not.toContain('environment changed');
    const r = await runPoli(['start', '--mock', ...w.flags], { env: { MOCK_THINK_MS: '250', MOCK_EXECUTER_SILENT_AT: '1' } });
    expect(r.code, r.stderr).toBe(0);
    // The whole line, to its end (it ended "with this run's", cut off mid-sentence).
    expect(r.stdout + r.stderr).toMatch(
      /info {2}restarting the PLANNER pane %\d+: its environment changed \(MOCK_EXECUTER_SILENT_AT, MOCK_THINK_MS\); the CLI starts again with this run's environment\n/,
    );
    // A run without the setting gets a CLI without it: the executer answers (it would stay silent with the old one).
    const task = await runPoli(['--mock', '--task', 'Create e.txt containing E', '--kill-on-exit', ...w.flags], { env: { MOCK_ROUNDS: '1' } });
    expect(task.code, task.stderr).toBe(0);
    expect(task.stdout + task.stderr).toContain('its environment changed (MOCK_EXECUTER_SILENT_AT, MOCK_ROUNDS, MOCK_THINK_MS)');
  }, 120_000);
});

describe('notes from another terminal', () => {
  it('a note for the executer sent after its last turn is reported as not delivered (terminal, log, events, state)', async () => {
    world = await createWorld();
    const w = world;
    // The PLANNER's answer to the result (its 2nd block, `complete`) waits until the note is taken: no race with a
    // think time on a loaded machine.
    const hold = path.join(path.dirname(w.stateDir), 'hold-review');
    await writeFile(hold, '');
    const env = { MOCK_ROUNDS: '1', MOCK_PLANNER_HOLD_AT: '2', MOCK_PLANNER_HOLD_FILE: hold };
    const run = startPoli(['--mock', '--task', 'Create q.txt containing Q', '--kill-on-exit', ...w.flags], { env });
    await run.waitFor('EXECUTER → PLANNER result');
    const say = await runPoli(['say', '--to', 'executer', 'also add a README', ...w.flags]);
    expect(say.code, say.stderr).toBe(0);
    await run.waitFor('a note from the human for EXECUTER will go with the next message to it');
    await rm(hold);
    expect(await run.exited, run.stderr()).toBe(0);
    const why = 'the task ended before poli sent the EXECUTER another message';
    expect(run.stderr()).toMatch(new RegExp(`warn  the note for the EXECUTER was not delivered \\(${why}\\): also add a README\\n`));
    const log = await readFile(path.join(w.stateDir, 'poli_orchestrator.log'), 'utf8');
    expect(log).toContain(`"message":"the note for the EXECUTER was not delivered (${why}): also add a README"`);
    expect((await events(w)).filter((e) => e.event === 'say')).toMatchObject([{ role: 'EXECUTER', summary: 'also add a README', delivered: false, reason: why }]);
    const task = JSON.parse(await readFile(path.join(w.stateDir, 'tasks', 'T1.json'), 'utf8')) as { undeliveredNotes?: unknown };
    expect(task.undeliveredNotes).toEqual([{ to: 'EXECUTER', text: 'also add a README' }]);
  }, 60_000);
});

describe('scripts', () => {
  const KILL = path.join(REPO_ROOT, 'scripts', 'kill_tmux.sh');
  const sh = (args: string[], env: Record<string, string> = {}) => {
    try {
      return { code: 0, out: execFileSync(KILL, args, { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (error) {
      const e = error as { status: number; stdout: string; stderr: string };
      return { code: e.status, out: e.stdout + e.stderr };
    }
  };

  it('kill_tmux.sh --help and --socket touch only what they name; a server a poli drives is refused unless --force', async () => {
    world = await createWorld();
    const w = world;
    const started = await runPoli(['start', '--mock', ...w.flags]);
    expect(started.code, started.stderr).toBe(0);
    const help = sh(['--help']);
    expect(help.code).toBe(0);
    expect(help.out.split('\n')[0]).toBe('usage: scripts/kill_tmux.sh [--socket NAME] [--force]');
    expect(serverRunning(w.socket)).toBe(true);

    // A live poli holds the socket's lock (this test process stands in for it).
    const locks = path.join(runtimeDir(process.env, process.getuid?.() ?? 0), 'locks');
    await mkdir(locks, { recursive: true });
    await writeFile(path.join(locks, `${w.socket}.lock`), `${process.pid}\n`);
    const refused = sh(['--socket', w.socket]);
    expect(refused).toEqual({
      code: 1,
      out:
        `kill_tmux.sh: poli (pid ${process.pid}) is running on socket ${w.socket}; stop it first (poli stop, Ctrl+C, or :quit),\n` +
        'or run again with --force to kill the server anyway (its task ends interrupted).\n',
    });
    expect(serverRunning(w.socket)).toBe(true);
    expect(sh(['--socket', w.socket, '--force'])).toEqual({ code: 0, out: `stopped the poli tmux server (socket ${w.socket})\n` });
    expect(serverRunning(w.socket)).toBe(false);
    expect(sh(['--socket', w.socket])).toEqual({ code: 1, out: expect.stringContaining('is running on socket') as unknown as string });
    expect(sh(['--socket', w.socket, '--force'])).toEqual({ code: 0, out: `no poli tmux server is running on socket ${w.socket}\n` });
    expect(sh(['--bogus'])).toMatchObject({ code: 2 });
  });

  it('start_project.sh with options and no DIR works in the current directory', async () => {
    world = await createWorld();
    const w = world;
    let out: string;
    try {
      out = execFileSync(path.join(REPO_ROOT, 'start_project.sh'), ['--mock', '--socket', w.socket, '--state-dir', w.stateDir, '--kill-on-exit'], {
        cwd: w.projectDir,
        encoding: 'utf8',
        input: '',
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
    } catch (error) {
      throw new Error(`start_project.sh failed: ${String((error as { stderr?: string }).stderr ?? error)}`, { cause: error });
    }
    expect(out).toContain(`poli: interactive mode on socket "${w.socket}", project ${w.projectDir}.\n`);
  }, 60_000);
});
