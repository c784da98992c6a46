/**
 * opencode (`opencode`, npm opencode-ai, a native binary). Measured on 1.18.33 in a 250×50 tmux pane against a fake
 * Chat Completions server (test/real-cli/fake-chat.ts), default settings:
 * - plain `opencode` is a full-screen UI on the alternate screen (no scrollback); `--mini` (added by poli) is an
 *   inline UI with a real scrollback;
 * - `--mini` screen: the input is the text above a blank line and the agent footer ` BUILD` (placeholder
 *   `Ask anything... "…"` at start); busy: the footer reads ` BUILD  ■■■⬝⬝⬝⬝⬝ esc interrupt`; a finished turn ends
 *   with `▣ Build · Model <name> · 1.9s`; echo `› ` (continuation lines not indented); the reply is plain text, no
 *   prefix or gutter, fence lines hidden, and every line longer than the pane is broken by opencode itself (a real
 *   line break, not the terminal's wrap): the screen cannot give a long line exactly;
 * - approval (only when the user's config asks, `"permission": {"bash": "ask"}`; by default it runs commands
 *   unasked): `△ Permission required` / `# Shell command` / `$ touch …` / `Allow once   Allow always   Reject`;
 * - paste then Enter at 0 ms submitted 3 of 3; a paste before the UI owns the terminal (the first seconds) is lost, so
 *   poli waits for the input line.
 * Sessions live in a SQLite database (`opencode.db` under the data dir), which Node 20 cannot read: the transcript
 * source below runs `opencode export <session>` (JSON) and keeps an append-only JSONL copy of the finished text parts, the
 * prompts and the usage of each API call.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { programOf } from './command-check.ts';
import { opencodeUsage } from './usage/opencode.ts';
import type { ScreenState } from '../tmux/types.ts';
import type { CliProfile, DialogRule, TranscriptSource } from './types.ts';
import { findLastLine, trimLineEnds } from './screen-lines.ts';

const run = promisify(execFile);

/** The agent footer: ` BUILD`, ` PLAN`, optionally followed by the progress bar and `esc interrupt`. */
const FOOTER = /^ [A-Z][A-Z-]+(?:\s|$)/;
const BUSY = /esc interrupt/;
const APPROVAL = /Permission required/;
const PLACEHOLDER = /^Ask anything\.\.\./;

export function classifyOpencodeScreen(bottomLines: readonly string[]): ScreenState {
  const lines = trimLineEnds(bottomLines);
  if (lines.some((line) => APPROVAL.test(line)) && lines.some((line) => /Allow once/.test(line))) return 'approval';
  const footer = findLastLine(lines, FOOTER);
  if (footer === undefined) return 'unknown';
  if (BUSY.test(lines[footer] ?? '')) return 'busy';
  return 'idle';
}

export function readOpencodeInput(bottomLines: readonly string[]): string | undefined {
  const lines = trimLineEnds(bottomLines);
  const footer = findLastLine(lines, FOOTER);
  if (footer === undefined) return undefined;
  let end = footer;
  if ((lines[end - 1] ?? '') === '') end -= 1;
  let start = end;
  while (start > 0 && (lines[start - 1] ?? '') !== '') start -= 1;
  const text = lines.slice(start, end).join('\n').trim();
  return PLACEHOLDER.test(text) ? '' : text;
}

export const OPENCODE_DIALOGS: readonly DialogRule[] = [];

/** Where poli keeps its JSONL copy of a project's opencode session (outside the user's opencode data). */
function copyDir(projectDir: string, env: Readonly<Record<string, string | undefined>>): string {
  const key = createHash('sha256').update(`${env.HOME ?? ''}\u0000${projectDir}`).digest('hex').slice(0, 16);
  return path.join(env.TMPDIR || tmpdir(), `poli-opencode-${process.getuid?.() ?? 0}`, key);
}

/** A part of an exported message (the fields poli reads). */
export interface ExportedPart {
  id?: string;
  type?: string;
  text?: string;
  /** Text opencode adds to a user message itself (file contents, reminders), not typed. */
  synthetic?: boolean;
  time?: { end?: number };
  /** A `step-finish` part's usage of the API call (step) it ends. */
  tokens?: unknown;
  cost?: unknown;
}
/** A message of `opencode export`: its info and parts. */
export interface ExportedMessage {
  info?: { id?: string; role?: string; parentID?: string; modelID?: string; providerID?: string };
  parts?: ExportedPart[];
}

/** Part ids already copied, per copy folder (the copy is append-only, as the recovery expects). */
const copied = new Map<string, Set<string>>();
/** The session of each copy folder, once known. */
const sessions = new Map<string, string>();
/** The last export's session and output hash per copy folder: the same again while the database changed means another session did. */
const exports = new Map<string, string>();
/** One export at a time per copy folder. */
const running = new Map<string, Promise<void>>();
/** The database's size and time at the last export, per copy folder: unchanged, there is nothing new to export. */
const exportedAt = new Map<string, string>();

/** `opencode.db` and its write-ahead log under the CLI's data dir (XDG_DATA_HOME or ~/.local/share). */
async function databaseStamp(env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const data = env.XDG_DATA_HOME || (env.HOME ? path.join(env.HOME, '.local', 'share') : undefined);
  if (!data) return undefined;
  const parts: string[] = [];
  for (const name of ['opencode.db', 'opencode.db-wal']) {
    const info = await stat(path.join(data, 'opencode', name)).catch(() => undefined);
    parts.push(info ? `${info.size}:${info.mtimeMs}` : '-');
  }
  return parts.join('/');
}

async function refreshCopy(projectDir: string, env: Readonly<Record<string, string | undefined>>, command: string | undefined): Promise<void> {
  const dir = copyDir(projectDir, env);
  const pending = running.get(dir);
  if (pending) return pending;
  const job = (async () => {
    // Each export costs a second or more of CPU: skip it while the database has not changed since the last one.
    const stamp = await databaseStamp(env);
    if (stamp !== undefined && exportedAt.get(dir) === stamp) return;
    await exportNew(dir, projectDir, env, command);
    if (stamp !== undefined) exportedAt.set(dir, stamp);
  })().finally(() => running.delete(dir));
  running.set(dir, job);
  return job;
}

async function exportNew(dir: string, projectDir: string, env: Readonly<Record<string, string | undefined>>, command: string | undefined): Promise<void> {
  const program = (command && programOf(command)) || 'opencode';
  const options = { cwd: projectDir, env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)), timeout: 20_000, maxBuffer: 64 * 1024 * 1024 };
  const newest = async (): Promise<string | undefined> => {
    const { stdout } = await run(program, ['session', 'list', '--format', 'json'], options);
    const list = JSON.parse(stdout) as { id: string; directory?: string; updated?: number }[];
    const mine = list.filter((s) => s.directory === projectDir).sort((a, b) => (b.updated ?? 0) - (a.updated ?? 0));
    return mine[0]?.id;
  };
  let session = sessions.get(dir) ?? (await newest());
  if (session === undefined) return;
  sessions.set(dir, session);
  let { stdout } = await run(program, ['export', session], options);
  const fingerprint = (text: string) => `${session}:${createHash('sha256').update(text).digest('hex')}`;
  if (exports.get(dir) === fingerprint(stdout)) {
    // The database changed but this session did not: the CLI may have restarted (opencode exited once under load)
    // and writes a new session now. Look the newest one up again, so the new session's text is what gets copied.
    const latest = await newest();
    if (latest !== undefined && latest !== session) {
      session = latest;
      sessions.set(dir, session);
      ({ stdout } = await run(program, ['export', session], options));
    }
  }
  exports.set(dir, fingerprint(stdout));
  const exported = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { messages?: ExportedMessage[] };
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'session.jsonl');
  let done = copied.get(dir);
  if (!done) {
    done = new Set(
      (await readFile(file, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { id: string }).id),
    );
    copied.set(dir, done);
  }
  const lines = copyLines(exported.messages ?? [], done);
  if (lines.length > 0) await appendFile(file, `${lines.join('\n')}\n`);
}

/**
 * The copy's new lines, in the export's order, for the parts not in `done` (added to it):
 * - `{"id":"prt_…","role":"assistant","text"}` per finished assistant text part (exact reply bodies);
 * - `{"id":"msg_…","role":"user","text"}` per user message, its typed text parts joined (the prompt: poli's header
 *   says which message the calls after it answer);
 * - `{"id":"prt_…","role":"usage","messageID","parentID","modelID","providerID","tokens","cost"}` per `step-finish`
 *   part, the usage of one API call (the message's own `tokens` holds only its last step's).
 */
export function copyLines(messages: readonly ExportedMessage[], done: Set<string>): string[] {
  const lines: string[] = [];
  for (const { info, parts = [] } of messages) {
    if (info?.role === 'user') {
      const typed = parts.filter((part) => part.type === 'text' && typeof part.text === 'string' && part.synthetic !== true);
      const text = typed.map((part) => part.text).join('\n');
      // Not copied until its text is there (a message exported between its creation and its parts' is tried again).
      if (!info.id || done.has(info.id) || text === '') continue;
      done.add(info.id);
      lines.push(JSON.stringify({ id: info.id, role: 'user', text }));
      continue;
    }
    if (info?.role !== 'assistant') continue;
    for (const part of parts) {
      if (!part.id || done.has(part.id)) continue;
      if (part.type === 'step-finish' && typeof part.tokens === 'object' && part.tokens !== null) {
        done.add(part.id);
        const { id: messageID, parentID, modelID, providerID } = info;
        lines.push(JSON.stringify({ id: part.id, role: 'usage', messageID, parentID, modelID, providerID, tokens: part.tokens, cost: part.cost }));
        continue;
      }
      // A text part is finished once it has an end time; before that it may still be streaming.
      if (part.type !== 'text' || typeof part.text !== 'string' || part.time?.end === undefined) continue;
      done.add(part.id);
      lines.push(JSON.stringify({ id: part.id, role: 'assistant', text: part.text }));
    }
  }
  return lines;
}

export const OPENCODE_TRANSCRIPT: TranscriptSource = {
  dirs(projectDir, env) {
    return [copyDir(projectDir, env)];
  },
  file: /^session\.jsonl$/,
  assistantTexts(record) {
    if (typeof record !== 'object' || record === null) return [];
    const { role, text } = record as { role?: unknown; text?: unknown };
    return role === 'assistant' && typeof text === 'string' ? [text] : [];
  },
  refresh: refreshCopy,
  usage: opencodeUsage,
};

export const opencodeProfile: CliProfile = {
  name: 'opencode',
  programs: ['opencode'],
  // --mini: the inline UI, with a real scrollback (the default UI draws on the alternate screen).
  launch: { args: ['--mini'], env: {} },
  minEnterDelayMs: 50,
  classify: classifyOpencodeScreen,
  readInput: readOpencodeInput,
  // A precaution (Gemini CLI and Qwen Code looked idle for a moment after taking their primer, under load).
  readySettleMs: 1000,
  dialogs: OPENCODE_DIALOGS,
  echoPrefix: '› ',
  replyPrefix: '',
  wrapsLines: true,
  transcript: OPENCODE_TRANSCRIPT,
};
