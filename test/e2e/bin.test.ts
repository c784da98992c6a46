/**
 * bin/poli.js picks what to run: the compiled dist/, or — in a checkout whose sources are newer, or with no dist/ —
 * the sources through tsx. Checked on a scratch layout whose dist/main.ts and src/main.ts say which one ran.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/poli-process.ts';

const run = promisify(execFile);
let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'poli-bin-'));
  await cp(path.join(REPO_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  await writeFile(path.join(root, 'package.json'), '{ "type": "module" }\n');
  await mkdir(path.join(root, 'dist'));
  await mkdir(path.join(root, 'src', 'protocol'), { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function layout(files: Record<string, number>): Promise<void> {
  for (const [file, ageSeconds] of Object.entries(files)) {
    const full = path.join(root, file);
    await writeFile(full, file.endsWith('.ts') ? "const from: string = 'src';\nconsole.log(from);\n" : "console.log('dist');\n");
    const time = Date.now() / 1000 - ageSeconds;
    await utimes(full, time, time);
  }
}

async function ran(): Promise<string> {
  return (await run(process.execPath, [path.join(root, 'bin', 'poli.js')], { cwd: tmpdir() })).stdout.trim();
}

describe('bin/poli.js', () => {
  it('runs dist/ when it is newer than every source', async () => {
    await layout({ 'src/main.ts': 60, 'src/protocol/types.ts': 60, 'dist/main.js': 10 });
    expect(await ran()).toBe('dist');
  });

  it('runs the sources through tsx in a checkout whose sources are newer than dist/', async () => {
    await layout({ 'src/main.ts': 60, 'src/protocol/types.ts': 5, 'dist/main.js': 10 });
    expect(await ran()).toBe('src');
  });

  it('runs the sources through tsx when there is no dist/ yet', async () => {
    await layout({ 'src/main.ts': 60 });
    expect(await ran()).toBe('src');
  });

  it('in an installed package (no src/main.ts) runs dist/ whatever the dates of the sources the mocks use', async () => {
    await layout({ 'src/protocol/types.ts': 5, 'dist/main.js': 10 });
    expect(await ran()).toBe('dist');
  });
});
