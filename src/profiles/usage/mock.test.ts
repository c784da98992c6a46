import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mockUsageFolder as mocksFolder, UsageTranscript } from '../../../mocks/lib/usage-transcript.ts';
import { mockTranscript, mockUsageFolder } from './mock.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the mock usage transcript', () => {
  it('is written where the mock profile looks, and parses to a prompt and the same call twice (the last is final)', () => {
    const usageDir = mkdtempSync(path.join(tmpdir(), 'poli-mock-usage-'));
    dirs.push(usageDir);
    expect(mocksFolder(usageDir, '/p/x')).toBe(mockUsageFolder(usageDir, '/p/x'));
    new UsageTranscript('EXECUTER', usageDir, '/p/x', 42).record('hello');
    const [folder] = mockTranscript.dirs('/p/x', { MOCK_USAGE_DIR: usageDir }, new Date());
    const files = readdirSync(folder as string).filter((name) => mockTranscript.file.test(name));
    expect(files).toHaveLength(1);
    const parser = mockTranscript.usage?.();
    const lines = readFileSync(path.join(folder as string, files[0] as string), 'utf8').trim().split('\n');
    const entries = lines.flatMap((line) => parser?.feed(JSON.parse(line)) ?? []);
    expect(entries[0]).toEqual({ kind: 'prompt', text: 'hello' });
    expect(entries.slice(1).map((e) => (e.kind === 'call' ? e.callId : ''))).toEqual([expect.stringMatching(/-1$/), expect.stringMatching(/-1$/)]);
    expect(entries[2]).toMatchObject({ kind: 'call', model: 'mock-model', counts: { input: 151, output: 91, cacheRead: 2010, cacheWrite: 351 } });
  });

  it('is not looked for unless the mocks keep one', () => {
    expect(mockTranscript.dirs('/p/x', {}, new Date())).toEqual([]);
  });
});
