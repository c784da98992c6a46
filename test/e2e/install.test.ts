/**
 * poli installed like any npm CLI: `npm pack` a copy of the checkout (its `prepare` script compiles dist/), then
 * `npm install -g --prefix <tmp>` the tarball (dependencies from the local npm cache, or the registry) and run
 * `<tmp>/bin/poli` from another directory: --version, --help, --state, and a --mock task whose state lands in
 * $XDG_STATE_HOME/poli and is found again from a third directory.
 */
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServer, REPO_ROOT, testEnv } from '../helpers/poli-process.ts';

const run = promisify(execFile);
const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; files: string[] };

let root: string;
let tarball: string;
let poli: string;
let env: NodeJS.ProcessEnv;
const socket = `poli-test-${process.pid}-install`;

/** What `npm pack` reads: everything of the checkout but its build output, state and dependencies. */
const SKIP = new Set(['node_modules', 'dist', 'logs', 'bench', '.git', '.poli']);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'poli-install-'));
  // Pack a copy, so that building dist/ does not rewrite the checkout's while other tests run it.
  const copy = path.join(root, 'checkout');
  await mkdir(copy);
  for (const entry of await readdir(REPO_ROOT)) {
    if (!SKIP.has(entry)) await cp(path.join(REPO_ROOT, entry), path.join(copy, entry), { recursive: true });
  }
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  // Not the npm_* variables of an enclosing `npm test`: npm must find the copy, and the prefix given here.
  const npmEnv = Object.fromEntries(Object.entries(testEnv()).filter(([k]) => !/^npm_/i.test(k)));
  Object.assign(npmEnv, { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
  const packed = await run('npm', ['pack', '--pack-destination', root], { cwd: copy, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });
  tarball = path.join(root, packed.stdout.trim().split('\n').pop() ?? '');
  const prefix = path.join(root, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', tarball], { cwd: root, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });
  poli = path.join(prefix, 'bin', 'poli');
  const home = path.join(root, 'home');
  await mkdir(path.join(root, 'elsewhere', 'deeper'), { recursive: true });
  env = { ...testEnv(), HOME: home, XDG_STATE_HOME: path.join(home, 'state'), MOCK_THINK_MS: '50' };
  // A limit for a hang, not a measurement: since the queue (issue 20), the install builds better-sqlite3 from source
  // where no prebuilt one can be downloaded (here), which alone took over 5 minutes on 2 loaded cores.
}, 900_000);

afterAll(async () => {
  killServer(socket);
  if (root) await rm(root, { recursive: true, force: true });
});

async function installed(args: string[], cwd = path.join(root, 'elsewhere')) {
  return run(poli, args, { cwd, env, timeout: 120_000 }).catch((error: { code: number; stdout: string; stderr: string }) => {
    throw new Error(`poli ${args.join(' ')} exited ${error.code}\n${error.stdout}\n${error.stderr}`);
  });
}

describe('poli installed from a packed tarball', () => {
  it('ships only what runs: compiled code, the mocks and what they import, config; no tests, no fixtures', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('bin/poli.js');
    expect(files).toContain('dist/main.js');
    expect(files).toContain('config/planner_primer.txt');
    expect(files).toContain('mocks/mock-planner.ts');
    expect(files.filter((f) => /\.test\.ts$|fixtures\/|^test\/|^scripts\/|^src\/(?!protocol\/)/.test(f))).toEqual([]);
  });

  it('--version, -V and --help work from any directory', async () => {
    expect((await installed(['--version'])).stdout).toBe(`${pkg.version}\n`);
    expect((await installed(['-V'])).stdout).toBe(`${pkg.version}\n`);
    const help = (await installed(['--help'])).stdout;
    expect(help).toContain('\nUsage:\n  poli --task "TEXT" [options]');
    // `poli say T7 --to …` (issue 20): the task comes first, when given.
    expect((await installed(['say', '--help'])).stdout).toMatch(/^Usage: poli say \[TASK\] --to/);
  });

  it('runs a --mock task (the mocks ship and run) and keeps its state in $XDG_STATE_HOME/poli, found from any directory', async () => {
    const empty = await installed(['--state']);
    expect(empty.stdout).toMatch(/No tasks yet/);
    const project = path.join(root, 'project');
    await mkdir(project);
    await installed(['--mock', '--task', 'Create hello.txt containing Hello', '--project-dir', project, '--socket', socket, '--kill-on-exit'], project);
    expect(await readFile(path.join(project, 'hello.txt'), 'utf8')).toMatch(/^Hello/);
    const stateFiles = await readdir(path.join(env.XDG_STATE_HOME as string, 'poli', 'tasks'));
    expect(stateFiles).toContain('T1.json');
    for (const cwd of [path.join(root, 'elsewhere', 'deeper'), project]) {
      const state = JSON.parse((await installed(['--state', '--json'], cwd)).stdout) as { tasks: { id: string; status: string }[] };
      expect(state.tasks.map((t) => [t.id, t.status])).toEqual([['T1', 'completed']]);
    }
    expect(await readdir(project)).not.toContain('logs');
  }, 120_000);
  it('serves the dashboard: its page, scripts and xterm ship and answer with the printed token', async () => {
    const server = spawn(poli, ['serve', '--port', '0'], { cwd: path.join(root, 'elsewhere'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      server.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const url = await new Promise<URL>((resolve, reject) => {
        server.stdout.on('data', () => {
          const found = /dashboard at (\S+)/.exec(out);
          if (found?.[1]) resolve(new URL(found[1]));
        });
        server.on('exit', (code) => reject(new Error(`poli serve exited ${String(code)}: ${out}`)));
      });
      const token = url.searchParams.get('token') ?? '';
      for (const file of ['/', '/app.js', '/style.css', '/vendor/xterm.js', '/vendor/xterm.css']) {
        const answer = await fetch(new URL(file, url), { headers: { authorization: `Bearer ${token}` } });
        expect([file, answer.status]).toEqual([file, 200]);
      }
      expect((await fetch(new URL('/api/tasks', url))).status).toBe(401);
    } finally {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGINT');
        await exited;
      }
    }
  }, 120_000);
});
