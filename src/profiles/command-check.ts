/**
 * Checks, before anything starts, that the configured CLI commands exist: a command line such as
 * `claude --model x` or `FOO=1 ./bin/agent` is looked up by its program word on PATH. Beside the profiles, which
 * read a command line's program word to pick and launch a CLI, so that they need nothing from the session above.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** The program word of a shell command line: skips leading VAR=value words, honours simple quotes. */
export function programOf(commandLine: string): string | undefined {
  for (const word of shellWords(commandLine)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    return word;
  }
  return undefined;
}

/** Splits a command line into words the way a POSIX shell would for plain words and quotes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

export interface LookupEnvironment {
  /** The PATH to search, `:`-separated. */
  path: string;
  /** Directory relative program paths are resolved against (the pane's working directory). */
  cwd: string;
  isExecutableFile?(file: string): boolean;
}

/** Full path of the command line's program, or undefined when it is not installed. */
export function findProgram(commandLine: string, env: LookupEnvironment): string | undefined {
  const program = programOf(commandLine);
  if (!program) return undefined;
  const isExec = env.isExecutableFile ?? isExecutableFile;
  if (program.includes('/')) {
    const full = path.resolve(env.cwd, program);
    return isExec(full) ? full : undefined;
  }
  for (const dir of env.path.split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, program);
    if (isExec(full)) return full;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
