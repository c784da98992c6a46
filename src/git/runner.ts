import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { GitCommandError, GitNotFoundError, type GitResult } from './errors.ts';

/** Runs `git ARGS` in `cwd`; a non-zero exit is returned, never thrown (only a missing git throws). */
export type GitRunner = (args: readonly string[], options: { cwd: string }) => Promise<GitResult>;

/** The effects of the git layer: git itself, and reading a file of a worktree (to look for conflict markers). */
export interface GitDeps {
  run: GitRunner;
  /** The file's text, or undefined when it does not exist (a conflict resolved by deleting the file). */
  readText: (path: string) => Promise<string | undefined>;
  /** The canonical path (symlinks resolved), or the path itself when it does not exist. */
  canonical: (path: string) => Promise<string>;
}

export interface GitRunnerOptions {
  gitBin?: string;
  /** Added to the environment of every git call (tests point GIT_CONFIG_GLOBAL at an empty file). */
  env?: Record<string, string>;
}

/**
 * The real runner. No prompt can ever wait for a person who is not there (GIT_TERMINAL_PROMPT=0, an editor that
 * accepts the message as written, no pager); the user's hooks and configuration are respected, as in their own shell.
 */
export function createGitRunner(options: GitRunnerOptions = {}): GitRunner {
  const { gitBin = 'git', env = {} } = options;
  return async (args, { cwd }) => {
    const result = await execa(gitBin, ['--no-pager', ...args], {
      cwd,
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
      env: { GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', GIT_PAGER: 'cat', ...env },
    });
    if (result.code === 'ENOENT') {
      // A missing working directory fails the spawn with the same code as a missing git: tell them apart, since a
      // task's worktree that is gone is a state the caller handles, not a broken installation.
      if (!existsSync(cwd)) return { stdout: '', stderr: `cannot change to '${cwd}': No such file or directory`, exitCode: 128 };
      throw new GitNotFoundError({ cause: result });
    }
    return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? -1 };
  };
}

/** The production {@link GitDeps}: {@link createGitRunner} and node's file system. */
export function createGitDeps(options: GitRunnerOptions = {}): GitDeps {
  return {
    run: createGitRunner(options),
    readText: async (path) => {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    canonical: async (path) => realpath(path).catch(() => path),
  };
}

/** Runs git and returns its stdout without the final newline; any non-zero exit throws {@link GitCommandError}. */
export async function gitOut(deps: GitDeps, cwd: string, args: readonly string[], hint: string): Promise<string> {
  const result = await deps.run(args, { cwd });
  if (result.exitCode !== 0) throw new GitCommandError(args, cwd, result, hint);
  return result.stdout.replace(/\n$/, '');
}

/** Runs git for its exit code alone: 0 → true, 1 → false, anything else (a real failure) throws. */
export async function gitTest(deps: GitDeps, cwd: string, args: readonly string[], hint: string): Promise<boolean> {
  const result = await deps.run(args, { cwd });
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw new GitCommandError(args, cwd, result, hint);
}

/** Splits `-z` output into its fields. */
export function splitNul(text: string): string[] {
  return text.split('\0').filter((field) => field !== '');
}
