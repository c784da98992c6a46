import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECK_OUTPUT_CHARS, runCheck, tailOutput } from './check.ts';

const dir = mkdtempSync(join(tmpdir(), 'poli-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tailOutput', () => {
  it('keeps short output whole and the end of long output, saying what was cut', () => {
    expect(tailOutput('short')).toBe('short');
    const long = `${'x'.repeat(10)}${'y'.repeat(CHECK_OUTPUT_CHARS)}`;
    expect(tailOutput(long)).toBe(`[… 10 earlier characters cut]\n${'y'.repeat(CHECK_OUTPUT_CHARS)}`);
  });
});

describe('runCheck (real sh)', () => {
  it('passes with exit code 0 in the worktree', async () => {
    expect(await runCheck({ worktree: dir, command: 'pwd', timeoutMs: 60_000 })).toEqual({
      ok: true, exitCode: 0, output: `${dir}\n`, timedOut: false,
    });
  });

  it('fails with the exit code and stdout and stderr interleaved in order', async () => {
    const command = 'echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; exit 3';
    expect(await runCheck({ worktree: dir, command, timeoutMs: 60_000 })).toEqual({
      ok: false, exitCode: 3, output: 'out1\nerr1\nout2\n', timedOut: false,
    });
  });

  it('on timeout kills the whole process group, not only sh, and says so', async () => {
    // The background sleep holds the output pipe: if only sh were killed, the check would never end.
    const result = await runCheck({ worktree: dir, command: 'echo started; sleep 600 & sleep 600', timeoutMs: 300 });
    expect(result).toEqual({
      ok: false,
      exitCode: undefined,
      output: 'started\n\n[poli: the check "echo started; sleep 600 & sleep 600" ran past 300 ms; its process group was killed]',
      timedOut: true,
    });
  });
});
