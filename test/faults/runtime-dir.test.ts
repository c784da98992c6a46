/**
 * Issue 18 item 19: poli's per-user runtime directory (`$TMUX_TMPDIR/poli-<uid>`) has a predictable path. One that
 * another user made first, or that is open to others, must be refused with a clear message before poli starts
 * anything or reads anything from it: not the session, not the control inbox, not the reply socket.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliWorld, createWorld, runPoli } from '../helpers/poli-process.ts';

let world: PoliWorld | undefined;
let tmuxTmp: string | undefined;
afterEach(async () => {
  if (world && tmuxTmp) {
    // Started only if poli failed to refuse: this test's server lives under its own TMUX_TMPDIR.
    try {
      execFileSync('tmux', ['-L', world.socket, 'kill-server'], { stdio: 'ignore', env: { ...process.env, TMUX_TMPDIR: tmuxTmp } });
    } catch {
      // not running
    }
  }
  await world?.cleanup();
  if (tmuxTmp) await rm(tmuxTmp, { recursive: true, force: true });
  world = undefined;
  tmuxTmp = undefined;
});

const uid = process.getuid?.() ?? 0;

async function runtimeDirMadeBy(make: (dir: string) => Promise<void>): Promise<string> {
  tmuxTmp = await mkdtemp(path.join(tmpdir(), 'poli-tmuxtmp-'));
  const dir = path.join(tmuxTmp, `poli-${uid}`);
  await make(dir);
  return dir;
}

describe("poli's runtime directory must be private (as tmux requires of its own)", { timeout: 60_000 }, () => {
  it('refuses one open to group and others (0777): clear message, non-zero exit, nothing started or written in it', async () => {
    world = await createWorld();
    const dir = await runtimeDirMadeBy(async (d) => {
      await mkdir(d);
      await chmod(d, 0o777);
    });
    const result = await runPoli(['--mock', '--task', 'Create a.txt containing A', '--kill-on-exit', ...world.flags], { env: { TMUX_TMPDIR: tmuxTmp ?? '' } });
    expect(result.stderr).toContain(`poli will not use ${dir}: it is open to group and others (mode 0777)`);
    expect(result.stderr).toContain(`chmod 700 ${dir}`);
    expect(result.code).not.toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it.runIf(uid === 0)('refuses one owned by another user (chown, as root): clear message, non-zero exit', async () => {
    world = await createWorld();
    const dir = await runtimeDirMadeBy(async (d) => {
      await mkdir(d, { mode: 0o700 });
      await chown(d, 4321, 4321);
    });
    const result = await runPoli(['--mock', '--task', 'Create a.txt containing A', '--kill-on-exit', ...world.flags], { env: { TMUX_TMPDIR: tmuxTmp ?? '' } });
    expect(result.stderr).toContain(`poli will not use ${dir}: it is owned by uid 4321, not by you (uid ${uid})`);
    expect(result.code).not.toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('poli say refuses to drop a note into a control directory open to others', async () => {
    world = await createWorld();
    const dir = await runtimeDirMadeBy(async (d) => {
      await mkdir(path.join(d, 'locks'), { recursive: true, mode: 0o700 });
      await chmod(d, 0o700);
      await mkdir(path.join(d, 'control', world?.socket ?? ''), { recursive: true });
      await chmod(path.join(d, 'control'), 0o777);
    });
    // A live lock holder (this test process), so that only the directory check can refuse.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'locks', `${world.socket}.lock`), `${process.pid}\n`);
    const result = await runPoli(['say', '--to', 'planner', 'hello', '--socket', world.socket], { env: { TMUX_TMPDIR: tmuxTmp ?? '' } });
    expect(result.stderr).toContain(`poli will not use ${path.join(dir, 'control')}: it is open to group and others (mode 0777)`);
    expect(result.code).not.toBe(0);
    expect(await readdir(path.join(dir, 'control', world.socket))).toEqual([]);
  });

  it('poli status refuses to follow a state-dir pointer in a runtime dir open to others', async () => {
    world = await createWorld();
    const dir = await runtimeDirMadeBy(async (d) => {
      await mkdir(path.join(d, 'locks'), { recursive: true });
      await chmod(d, 0o777);
    });
    const result = await runPoli(['status', '--socket', world.socket], { env: { TMUX_TMPDIR: tmuxTmp ?? '' } });
    expect(result.stderr).toContain(`poli will not use ${dir}: it is open to group and others (mode 0777)`);
    expect(result.code).not.toBe(0);
  });
});
