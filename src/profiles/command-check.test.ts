import { describe, expect, it } from 'vitest';
import { findProgram, programOf, shellWords } from './command-check.ts';

describe('command check', () => {
  it('splits command lines into words', () => {
    expect(shellWords(`claude --model "big one" 'x y' a\\ b`)).toEqual(['claude', '--model', 'big one', 'x y', 'a b']);
    expect(shellWords('  ')).toEqual([]);
    expect(shellWords(`""`)).toEqual(['']);
  });

  it('finds the program word after environment assignments', () => {
    expect(programOf('FOO=1 BAR="a b" codex --no-alt-screen')).toBe('codex');
    expect(programOf('IS_SANDBOX=1')).toBeUndefined();
  });

  it('looks programs up on PATH and relative to the working directory', () => {
    const files = new Set(['/usr/bin/claude', '/proj/bin/agent']);
    const env = { path: '/nope:/usr/bin', cwd: '/proj', isExecutableFile: (f: string) => files.has(f) };
    expect(findProgram('claude --x', env)).toBe('/usr/bin/claude');
    expect(findProgram('codex', env)).toBeUndefined();
    expect(findProgram('./bin/agent', env)).toBe('/proj/bin/agent');
    expect(findProgram('/proj/bin/agent', env)).toBe('/proj/bin/agent');
  });
});
