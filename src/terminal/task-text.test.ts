import { Readable } from 'node:stream';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { parseArgs } from '../cli/args.ts';
import { readTaskText, taskHead } from './task-text.ts';

describe('--task-file and --task -', () => {
  it('parse to where the task is read from', async () => {
    expect(await parseArgs(['--task-file', 'spec.md'])).toEqual({ kind: 'run', task: undefined, resume: undefined, flags: {}, taskFile: 'spec.md' });
    expect(await parseArgs(['--task-file', '-'])).toMatchObject({ kind: 'run', task: undefined, taskFile: '-' });
    expect(await parseArgs(['--task', '-'])).toMatchObject({ kind: 'run', task: undefined, taskFile: '-' });
    await expect(parseArgs(['--task', 'x', '--task-file', 'f'])).rejects.toThrow('use either --task or --task-file, not both');
    await expect(parseArgs(['--task-file', 'f', '--resume', 'T1'])).rejects.toThrow('use either --task or --resume, not both');
    await expect(parseArgs(['--state', '--task-file', 'f'])).rejects.toThrow('--state shows tasks; it does not go with --task, --task-file or --resume');
  });

  it('read a file, or stdin to its end, byte for byte', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'poli-task-text-'));
    const file = path.join(dir, 'spec.md');
    const text = `# Spec\n\n${'line of the spec\n'.repeat(70_000)}`;
    await writeFile(file, text);
    expect(await readTaskText(file, Readable.from([]))).toBe(text);
    expect(await readTaskText('-', Readable.from([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))]))).toBe(text);
  });

  it('refuse a missing file, a terminal on stdin and a blank text, saying what to do', async () => {
    await expect(readTaskText('/nonexistent/spec.md', Readable.from([]))).rejects.toThrow(
      '--task-file /nonexistent/spec.md: cannot read it (ENOENT); give a readable text file, or - for stdin',
    );
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await expect(readTaskText('-', tty)).rejects.toBeInstanceOf(ConfigError);
    await expect(readTaskText('-', Readable.from(['  \n\n']))).rejects.toThrow('the task read from stdin is empty');
  });
});

describe('taskHead', () => {
  it('keeps a short one-line task whole', () => {
    expect(taskHead('Create a.txt containing A')).toBe('Create a.txt containing A');
  });
  it('shows the first line that says something, cut, and the size of the whole', () => {
    const spec = `\n# Build the parser\n${'x'.repeat(120 * 1024)}\n`;
    expect(taskHead(spec)).toBe('# Build the parser (4 lines, 120 KB)');
    expect(taskHead('y'.repeat(150))).toBe(`${'y'.repeat(99)}… (1 line, 150 bytes)`);
  });
});
