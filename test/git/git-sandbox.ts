import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createGitDeps, type GitDeps } from '../../src/git/index.ts';

/**
 * A throwaway git world under os.tmpdir(): a project repository on `main` with one commit, the git layer's deps
 * wired to real git, and a record of every commit ever seen on a branch, to check that none was lost.
 * The user's global and system git configuration are shut out, so no identity is configured unless a test sets one.
 */
export interface GitSandbox {
  root: string;
  project: string;
  deps: GitDeps;
  env: Record<string, string>;
  /** Runs git in `cwd` (the project by default) and returns its trimmed stdout; throws on failure. */
  git(args: string[], cwd?: string): string;
  /** Like git() but returns the exit code instead of throwing. */
  gitCode(args: string[], cwd?: string): number;
  /** Writes a file (relative to `cwd`) and commits it there with a test identity. */
  commitFile(cwd: string, file: string, text: string, message?: string): string;
  write(cwd: string, file: string, text: string): void;
  read(cwd: string, file: string): string;
  /** A path for a task's worktree (not created). */
  taskDir(name: string): string;
  /** Records every commit reachable from any branch now. */
  snap(): void;
  /** Commits seen by snap() that no ref (branch, tag or poli's own refs) reaches any more. */
  lostCommits(): string[];
  remove(): void;
}

const TEST_IDENTITY = ['-c', 'user.name=Test Person', '-c', 'user.email=person@example.test'];

export function createGitSandbox(): GitSandbox {
  const root = mkdtempSync(join(tmpdir(), 'poli-git-'));
  const globalConfig = join(root, 'gitconfig');
  writeFileSync(globalConfig, '');
  // LC_ALL=C: the tests read git's own words (CONFLICT …), which a translated git would say otherwise.
  const env = { GIT_CONFIG_GLOBAL: globalConfig, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' };
  const project = join(root, 'project');
  const seen = new Set<string>();
  const run = (args: string[], cwd: string): string =>
    execFileSync('git', args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const sandbox: GitSandbox = {
    root,
    project,
    env,
    deps: recordingDeps(createGitDeps({ env }), () => sandbox.snap()),
    git: (args, cwd = project) => run(args, cwd),
    gitCode: (args, cwd = project) => {
      try {
        run(args, cwd);
        return 0;
      } catch (error) {
        return (error as { status?: number }).status ?? -1;
      }
    },
    write: (cwd, file, text) => {
      mkdirSync(dirname(join(cwd, file)), { recursive: true });
      writeFileSync(join(cwd, file), text);
    },
    read: (cwd, file) => readFileSync(join(cwd, file), 'utf8'),
    commitFile: (cwd, file, text, message = `change ${file}`) => {
      sandbox.write(cwd, file, text);
      run(['add', '--', file], cwd);
      run([...TEST_IDENTITY, 'commit', '--quiet', '-m', message], cwd);
      const head = run(['rev-parse', 'HEAD'], cwd);
      sandbox.snap();
      return head;
    },
    taskDir: (name) => join(root, 'worktrees', name),
    snap: () => {
      for (const commit of reachable(run, project, 'refs/heads/')) seen.add(commit);
    },
    lostCommits: () => {
      const alive = new Set(reachable(run, project, 'refs/'));
      return [...seen].filter((commit) => !alive.has(commit));
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  mkdirSync(project);
  run(['init', '--quiet', '-b', 'main'], project);
  sandbox.commitFile(project, 'a.txt', 'one\ntwo\nthree\n', 'first commit');
  return sandbox;
}

/** Every commit reachable from the refs under `prefix` (HEADs and reflogs do not count: they are no branch). */
function reachable(run: (args: string[], cwd: string) => string, project: string, prefix: string): string[] {
  const tips = run(['for-each-ref', '--format=%(objectname)', prefix], project).split('\n').filter(Boolean);
  if (tips.length === 0) return [];
  return run(['rev-list', ...tips], project).split('\n').filter(Boolean);
}

/** The deps with a snapshot of all branches after every git call the layer makes: a commit that was on a branch for
 * even one step is then checked at the end. */
function recordingDeps(deps: GitDeps, snap: () => void): GitDeps {
  return {
    ...deps,
    run: async (args, options) => {
      const result = await deps.run(args, options);
      snap();
      return result;
    },
  };
}

/** The commits any branch ever held in this sandbox that no ref reaches now: [] when nothing was lost. */
export function allCommitsReachable(sandbox: GitSandbox): string[] {
  sandbox.snap();
  return sandbox.lostCommits();
}
