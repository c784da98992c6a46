import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitNotFoundError } from './errors.ts';
import { createGitRunner } from './runner.ts';

const dir = mkdtempSync(join(tmpdir(), 'poli-git-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createGitRunner (real git)', () => {
  it('runs git with no prompt and no pager, and reports a non-zero exit instead of throwing', async () => {
    const run = createGitRunner();
    const env = await run(['var', 'GIT_PAGER'], { cwd: dir });
    expect(env).toEqual({ stdout: 'cat\n', stderr: '', exitCode: 0 });
    const outside = await run(['rev-parse', '--show-toplevel'], { cwd: dir });
    expect(outside.exitCode).toBe(128);
    expect(outside.stderr).toMatch(/not a git repository/i);
  });

  it('answers a missing directory as git would (exit 128), and a missing git with GitNotFoundError', async () => {
    const gone = join(dir, 'gone');
    expect(await createGitRunner()(['status'], { cwd: gone })).toEqual({
      stdout: '', stderr: `cannot change to '${gone}': No such file or directory`, exitCode: 128,
    });
    await expect(createGitRunner({ gitBin: 'git-that-is-not-there' })(['status'], { cwd: dir })).rejects.toThrow(GitNotFoundError);
  });
});
