import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAction, performAction } from './actions.ts';

describe('parseAction', () => {
  it.each([
    ['Create hello.txt containing Hello', { kind: 'create', path: 'hello.txt', text: 'Hello' }],
    ['create file notes/a.md containing two words', { kind: 'create', path: 'notes/a.md', text: 'two words' }],
    ['CREATE "my file.txt" containing "a\\nb"', { kind: 'create', path: 'my file.txt', text: 'a\nb' }],
    ['Write Hello to world to out.txt', { kind: 'write', path: 'out.txt', text: 'Hello to world' }],
    ['Append round 2 to hello.txt', { kind: 'append', path: 'hello.txt', text: 'round 2' }],
    ['mkdir src', { kind: 'mkdir', path: 'src' }],
    ['Verify the previous result', { kind: 'verify' }],
    ['Think hard', { kind: 'note', text: 'Think hard' }],
  ])('%j', (step, action) => {
    expect(parseAction(step)).toEqual(action);
  });
});

describe('performAction', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'poli-mock-actions-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates, appends on a new line and reports byte counts', async () => {
    expect(await performAction(dir, parseAction('Create hello.txt containing Hello'))).toBe('Created hello.txt (6 bytes)');
    expect(await performAction(dir, parseAction('Append round 2 to hello.txt'))).toBe(
      'Appended 8 bytes to hello.txt (now 14 bytes)',
    );
    expect(await readFile(join(dir, 'hello.txt'), 'utf8')).toBe('Hello\nround 2\n');
    expect(await performAction(dir, parseAction('create hello.txt containing Hi'))).toBe('Overwrote hello.txt (3 bytes)');
  });

  it('makes directories and verifies the working directory', async () => {
    expect(await performAction(dir, parseAction('mkdir sub'))).toBe('Created directory sub');
    expect(await performAction(dir, parseAction('mkdir sub'))).toBe('Directory sub already exists');
    expect(await performAction(dir, parseAction('verify'))).toBe('Checked the working directory: 1 entries (sub)');
  });

  it.each(['../x.txt', '/etc/x.txt', 'a/../../x.txt'])('refuses %s, which escapes the working directory', async (path) => {
    await expect(performAction(dir, parseAction(`create ${path} containing x`))).rejects.toThrow(
      `path escapes the working directory: ${path}`,
    );
  });
});
