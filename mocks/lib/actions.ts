/**
 * The few plan steps the mock executer really performs, in its working directory:
 * `create file NAME containing TEXT`, `create NAME containing TEXT`, `write TEXT to NAME`,
 * `append TEXT to NAME`, `mkdir NAME` (case-insensitive) and `verify …`. Anything else is noted, not done.
 */
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

export type Action =
  | { kind: 'create'; path: string; text: string }
  | { kind: 'write'; path: string; text: string }
  | { kind: 'append'; path: string; text: string }
  | { kind: 'mkdir'; path: string }
  | { kind: 'verify' }
  | { kind: 'note'; text: string };

/** A step that could not be performed; the message goes into the executer's `error` block. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}

/** Reads one step's text as an action. Pure. */
export function parseAction(step: string): Action {
  const text = step.trim().replace(/\.$/, '');
  let match = /^create\s+(?:(?:a\s+)?file\s+)?(\S+|"[^"]*")\s+(?:containing|with(?:\s+content)?)\s+([\s\S]*)$/i.exec(text);
  if (match !== null) return { kind: 'create', path: unquote(match[1] ?? ''), text: unquoteText(match[2] ?? '') };
  match = /^(write|append)\s+([\s\S]*)\s+to\s+(\S+|"[^"]*")$/i.exec(text);
  if (match !== null) {
    const kind = (match[1] ?? '').toLowerCase() === 'write' ? 'write' : 'append';
    return { kind, path: unquote(match[3] ?? ''), text: unquoteText(match[2] ?? '') };
  }
  match = /^(?:mkdir(?:\s+-p)?|create\s+(?:a\s+)?(?:directory|folder|dir))\s+(\S+|"[^"]*")$/i.exec(text);
  if (match !== null) return { kind: 'mkdir', path: unquote(match[1] ?? '') };
  if (/^(verify|check)\b/i.test(text)) return { kind: 'verify' };
  return { kind: 'note', text };
}

/** The file an action touches, if any (the planner uses it to pick a file for later rounds). */
export function actionPath(action: Action): string | undefined {
  return 'path' in action ? action.path : undefined;
}

/** Resolves `path` inside `workDir`, refusing anything that escapes it. */
export function resolveInside(workDir: string, path: string): string {
  const root = resolve(workDir);
  const target = resolve(root, path);
  const rel = relative(root, target);
  if (path === '' || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ActionError(`path escapes the working directory: ${path}`);
  }
  return target;
}

/**
 * Performs an action in `workDir` and returns the report line for the result block
 * (e.g. `Created hello.txt (5 bytes)`).
 * @throws ActionError when a path escapes `workDir` or the file system refuses.
 */
export async function performAction(workDir: string, action: Action): Promise<string> {
  try {
    return await perform(workDir, action);
  } catch (error) {
    if (error instanceof ActionError) throw error;
    throw new ActionError(error instanceof Error ? error.message : String(error));
  }
}

async function perform(workDir: string, action: Action): Promise<string> {
  switch (action.kind) {
    case 'create':
    case 'write': {
      const target = resolveInside(workDir, action.path);
      const existed = await exists(target);
      await mkdir(dirname(target), { recursive: true });
      // A text file ends with a newline, as `echo > file` writes it (a `cat` of it does not glue the prompt on).
      const content = `${action.text}\n`;
      await writeFile(target, content);
      const verb = action.kind === 'write' ? 'Wrote' : existed ? 'Overwrote' : 'Created';
      return `${verb} ${action.path} (${Buffer.byteLength(content)} bytes)`;
    }
    case 'append': {
      const target = resolveInside(workDir, action.path);
      await mkdir(dirname(target), { recursive: true });
      const size = (await exists(target)) ? (await stat(target)).size : 0;
      // A new line of its own, like `echo >>` (after a newline, if a file written by someone else lacks its last).
      const chunk = size > 0 && !(await endsWithNewline(target)) ? `\n${action.text}\n` : `${action.text}\n`;
      await appendFile(target, chunk);
      return `Appended ${Buffer.byteLength(chunk)} bytes to ${action.path} (now ${size + Buffer.byteLength(chunk)} bytes)`;
    }
    case 'mkdir': {
      const target = resolveInside(workDir, action.path);
      const existed = await exists(target);
      await mkdir(target, { recursive: true });
      return existed ? `Directory ${action.path} already exists` : `Created directory ${action.path}`;
    }
    case 'verify': {
      const names = (await readdir(workDir)).filter((name) => !name.startsWith('.')).sort();
      const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');
      return `Checked the working directory: ${names.length} entries${names.length > 0 ? ` (${shown})` : ''}`;
    }
    case 'note':
      return `Noted: ${action.text} (no files changed)`;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function endsWithNewline(path: string): Promise<boolean> {
  return (await readFile(path, 'utf8')).endsWith('\n');
}

function unquote(token: string): string {
  return token.length >= 2 && token.startsWith('"') && token.endsWith('"') ? token.slice(1, -1) : token;
}

/** TEXT in double quotes is read as a JSON string (so `"a\nb"` gives two lines); otherwise taken as is. */
function unquoteText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (typeof value === 'string') return value;
    } catch {
      return trimmed.slice(1, -1);
    }
  }
  return trimmed;
}
