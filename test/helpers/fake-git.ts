import type { GitResult } from '../../src/git/errors.ts';
import type { GitDeps } from '../../src/git/runner.ts';

/** A scripted answer: matched against the call's arguments joined with spaces. */
export interface FakeAnswer {
  match: string | RegExp;
  result: Partial<GitResult>;
}

/**
 * GitDeps for unit tests: answers git calls from a script (first match wins, unmatched calls exit 0 with no output)
 * and records every call, so a test can assert the exact arguments the layer builds.
 */
export function createFakeGit(answers: FakeAnswer[], files: Record<string, string> = {}) {
  const calls: { args: string[]; cwd: string }[] = [];
  const deps: GitDeps = {
    run: async (args, { cwd }) => {
      calls.push({ args: [...args], cwd });
      const line = args.join(' ');
      const answer = answers.find(({ match }) => (typeof match === 'string' ? line === match : match.test(line)));
      return { stdout: '', stderr: '', exitCode: 0, ...answer?.result };
    },
    readText: async (path) => files[path],
    canonical: async (path) => path,
  };
  return { deps, calls, lines: () => calls.map((call) => call.args.join(' ')) };
}
