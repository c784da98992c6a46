/**
 * The token usage one pane's CLI records in its transcript (issue 22), read for the whole session. Unlike the reply
 * recovery (transcript-recovery.ts), which forgets its offsets at each turn and reads only lines with a block, the
 * ledger keeps its own offset per file from its start on: usage records carry no block and can come late, after poli
 * marked the next turn (Claude's final snapshot, Gemini's second write, opencode's export lag). Each file gets its own
 * parser (profile.transcript.usage()), its own latest prompt (what its calls are charged to) and an owner: two CLIs
 * of one kind in one project share a transcript folder, so a file is this pane's only once a prompt in it was typed
 * for this pane's role. A call written several times is counted once (by call id; the last numbers win, the first
 * attribution stays).
 */
import { stat } from 'node:fs/promises';
import type { TranscriptSource } from '../profiles/types.ts';
import type { Role } from '../protocol/types.ts';
import { attribute, promptRole } from '../usage/attribute.ts';
import type { AttributedCall, Attribution, UsageCall, UsageParser } from '../usage/types.ts';
import { listTranscripts, readRange } from './transcript-files.ts';

export interface UsageLedgerOptions {
  /** A source with `usage()`; the ledger reads nothing from one without it. */
  source: TranscriptSource;
  /** The project directory as a real path (the CLIs name their transcript folders after it). */
  projectDir: string;
  env: Readonly<Record<string, string | undefined>>;
  role: Role;
  /** The CLI's profile name, recorded with each call. */
  cli: string;
  /** The CLI's command line, for a source that exports its session (TranscriptSource.refresh). */
  command?: string;
  now?: () => Date;
  /** One read takes at most this much of a file; the rest waits for the next read (nothing is skipped). */
  maxBytesPerRead?: number;
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

/** What the ledger knows of one transcript file. */
interface FileState {
  offset: number;
  parser: UsageParser;
  /** Whose session it is, once a prompt said so. */
  owner?: Role;
  /** What the calls from here on are charged to. */
  current: Attribution;
  /** Calls read before the file's owner was known, with the attribution they had. */
  pending: { call: UsageCall; attribution: Attribution }[];
}

/** One per pane: `start()` once, then `read()` whenever usage may have been written. */
export class UsageLedger {
  private readonly files = new Map<string, FileState>();
  /** Every call seen, by call id. */
  private readonly calls = new Map<string, AttributedCall>();
  private recent: string[] = [];
  private readonly now: () => Date;
  /** Reads one at a time: a read at a mark and one at a turn's end must not both take the same lines. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: UsageLedgerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Only what is written from now on counts: the files there are now are read from their current end. */
  start(): Promise<void> {
    return this.serial(async () => {
      await this.refresh();
      for (const file of await this.list()) {
        const size = await stat(file).then((s) => s.size, () => undefined);
        if (size !== undefined && !this.files.has(file)) this.files.set(file, this.newFile(size));
      }
    });
  }

  /** The calls new or changed since the last read, attributed (an unchanged call written again is not repeated). */
  read(): Promise<AttributedCall[]> {
    return this.serial(async () => {
      if (!this.options.source.usage) return [];
      await this.refresh();
      const changed = new Map<string, AttributedCall>();
      for (const file of await this.list()) {
        for (const call of await this.readFile(file)) changed.set(call.callId, call);
      }
      return [...changed.values()];
    });
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private newFile(offset: number): FileState {
    const parser = this.options.source.usage?.() ?? { feed: () => [] };
    return { offset, parser, current: { via: 'unattributed' }, pending: [] };
  }

  private async refresh(): Promise<void> {
    const { source, projectDir, env, command } = this.options;
    await source.refresh?.(projectDir, env, command).catch(() => undefined);
    this.recent = (await source.recent?.(env).catch(() => [])) ?? [];
  }

  /** The source's files, the recent ones, and every file read before (a session begun in a folder no longer named). */
  private list(): Promise<string[]> {
    const { source, projectDir, env } = this.options;
    return listTranscripts(source, projectDir, env, this.now(), [...this.recent, ...this.files.keys()]);
  }

  /** The complete lines appended to `file` since the last read, as calls of this pane. */
  private async readFile(file: string): Promise<AttributedCall[]> {
    let state = this.files.get(file);
    if (!state) this.files.set(file, (state = this.newFile(0))); // new since start(): read from its beginning
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size < state.offset) state.offset = 0; // replaced by a shorter file (an export written anew): read it again
    if (size <= state.offset) return [];
    const length = Math.min(size - state.offset, this.options.maxBytesPerRead ?? DEFAULT_MAX_BYTES);
    const bytes = await readRange(file, state.offset, length);
    const lastNewline = bytes.lastIndexOf(0x0a);
    if (lastNewline < 0) return []; // the line is still being written
    state.offset += lastNewline + 1;
    const found: AttributedCall[] = [];
    for (const line of bytes.subarray(0, lastNewline).toString('utf8').split('\n')) found.push(...this.feed(state, line));
    return found;
  }

  private feed(state: FileState, line: string): AttributedCall[] {
    let record: unknown;
    try {
      record = JSON.parse(line) as unknown;
    } catch {
      return []; // not JSON (a partial or foreign line): nothing to count
    }
    const out: AttributedCall[] = [];
    for (const entry of state.parser.feed(record)) {
      if (entry.kind === 'prompt') {
        out.push(...this.onPrompt(state, entry.text));
        continue;
      }
      const { kind: _kind, ...call } = entry;
      if (state.owner === undefined) state.pending.push({ call, attribution: state.current });
      else if (state.owner === this.options.role) out.push(...this.keep(call, state.current));
    }
    return out;
  }

  /** A prompt charges what follows it; the first one that names a role tells whose file it is. */
  private onPrompt(state: FileState, text: string): AttributedCall[] {
    state.current = attribute(text, this.options.role);
    if (state.owner !== undefined) return [];
    state.owner = promptRole(text);
    if (state.owner === undefined) return [];
    const pending = state.pending.splice(0);
    return state.owner === this.options.role ? pending.flatMap((p) => this.keep(p.call, p.attribution)) : [];
  }

  /** Records a call; returns it when it is new or its numbers changed. */
  private keep(call: UsageCall, attribution: Attribution): AttributedCall[] {
    const seen = this.calls.get(call.callId);
    if (seen && sameCall(seen, call)) return [];
    const { role, cli } = this.options;
    const kept: AttributedCall = { ...call, role, cli, attribution: seen?.attribution ?? attribution, at: this.now().toISOString() };
    this.calls.set(call.callId, kept);
    return [kept];
  }
}

function sameCall(a: UsageCall, b: UsageCall): boolean {
  return a.model === b.model && JSON.stringify(a.counts) === JSON.stringify(b.counts);
}
