/**
 * Recovers a reply's exact body from the CLI's own session transcript (profile.transcript) when the screen shows it
 * changed: outside a ``` fence Claude Code and Codex render a block's body as Markdown (`__init__` → init, `- x` →
 * `• x`, `# x` → x) and wrap long lines. The transcript (JSONL) has what the model wrote. A block on the screen whose
 * header matches a block in the transcript of this turn gets the transcript's body; nothing else changes.
 */
import { stat } from 'node:fs/promises';
import type { TranscriptSource } from '../profiles/types.ts';
import { blockKey, formatBlock } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import { toScreenLines } from '../protocol/screen-text.ts';
import type { Block, Role } from '../protocol/types.ts';
import { listTranscripts, readRange } from './transcript-files.ts';

export interface TranscriptRecoveryOptions {
  source: TranscriptSource;
  /** The project directory as a real path (the CLI names its transcript folder after its working directory). */
  projectDir: string;
  /** The CLI's environment (HOME, CODEX_HOME, CLAUDE_CONFIG_DIR). */
  env: Readonly<Record<string, string | undefined>>;
  /** The pane's role: blocks addressed to it are poli's own messages, never replies to recover. */
  role: Role;
  /** The CLI's command line, for a source that runs the CLI to export its session (TranscriptSource.refresh). */
  command?: string;
  now?: () => Date;
  /** A single turn reads at most this much new transcript per file (a runaway file cannot stall poli). */
  maxBytesPerTurn?: number;
  /** How long a reply block on the screen is kept back while its transcript record has not been written yet. */
  holdMs?: number;
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
/** The CLIs write a reply's record when the reply is complete, about when they render its end: allow far more. */
const DEFAULT_HOLD_MS = 3_000;
/** While the screen shows no reply block, the transcript is read at most this often. */
const IDLE_READ_INTERVAL_MS = 500;

/** One per pane: `begin()` when a turn starts (at the mark), `rewrite(screen)` on every read of that turn. */
export class TranscriptRecovery {
  /** Bytes of each transcript file already read (at the turn's start: its size then). */
  private offsets = new Map<string, number>();
  /** Blocks written by the assistant in this turn, in order. */
  private blocks: Block[] = [];
  /** When each reply block (by blockKey) was first seen on the screen without a transcript counterpart. */
  private firstSeen = new Map<string, number>();
  private lastRead = -Infinity;
  private readonly now: () => Date;
  /** Transcripts outside the source's folders: its recent ones (looked up at each turn) and every file that grew. */
  private recent: string[] = [];
  private grown = new Set<string>();
  /** A monotonic reading for the idle-read interval and the hold time: a step of the wall clock cannot stop them. */
  private readonly elapsed: () => number;

  constructor(private readonly options: TranscriptRecoveryOptions) {
    this.now = options.now ?? (() => new Date());
    // A test's fake `now` drives both; the real clock's durations are monotonic.
    this.elapsed = options.now ? () => this.now().getTime() : () => performance.now();
  }

  /** Forgets the previous turn; only what the CLI writes from now on counts. */
  async begin(): Promise<void> {
    this.blocks = [];
    this.firstSeen = new Map();
    this.offsets = new Map();
    await this.refresh();
    const { source, env } = this.options;
    this.recent = (await source.recent?.(env).catch(() => [])) ?? [];
    for (const file of await this.files()) {
      const size = await stat(file).then((s) => s.size, () => undefined);
      if (size !== undefined) this.offsets.set(file, size);
    }
  }

  /**
   * The screen with each reply block's body replaced by the transcript's where they differ, followed by the
   * transcript's reply blocks whose header the screen does not show at all (rendering can eat a close tag: a
   * `> quote` line outside a fence pulls the lines after it, close tag included, into Claude's quote bar).
   */
  async rewrite(screen: string): Promise<string> {
    const onScreen = parseBlocks(screen).blocks.filter((block) => block.header.to !== this.options.role);
    const now = this.elapsed();
    // Nothing to compare yet: look at the transcript now and then only, for blocks the screen cannot show.
    if (onScreen.length === 0 && now - this.lastRead < IDLE_READ_INTERVAL_MS) return this.withMissing(screen, []);
    this.lastRead = now;
    const transcriptFound = await this.readNew();
    const replacements = matchBlocks(onScreen, this.blocks);
    const held = new Map<number, Block>();
    for (const block of onScreen) {
      if (replacements.has(block.startLine) || !transcriptFound || this.blocks.some((b) => sameHeader(b, block))) continue;
      // On the screen but not yet in the transcript (it is written a moment later): keep it back for a while, so
      // the rendered body is not taken before the exact one can be read.
      const key = blockKey(block);
      const since = this.firstSeen.get(key) ?? now;
      this.firstSeen.set(key, since);
      if (now - since < (this.options.holdMs ?? DEFAULT_HOLD_MS)) held.set(block.startLine, block);
    }
    if (replacements.size === 0 && held.size === 0) return this.withMissing(screen, onScreen);
    const lines = toScreenLines(screen);
    const out: string[] = [];
    for (let i = 0; i < lines.length; i += 1) {
      const replaced = replacements.get(i);
      const kept = held.get(i);
      if (replaced) {
        out.push(formatBlock(replaced.source.header, replaced.source.body));
        i = replaced.screen.endLine;
      } else if (kept) {
        i = kept.endLine;
      } else {
        out.push(lines[i] ?? '');
      }
    }
    return this.withMissing(out.join('\n'), onScreen);
  }

  /**
   * Whether this turn's transcript holds `block` exactly: the same addressee, type and id, and the same body. Such a
   * body is the model's own even when the screen showed it unchanged (no rewrite was needed), so it came through the
   * transcript; one the transcript does not hold is only what the screen showed.
   */
  confirms(block: Block): boolean {
    return this.blocks.some((written) => sameHeader(written, block) && written.body === block.body);
  }

  /** Appends the transcript's blocks of this turn whose addressee, type and id no screen block has. */
  private withMissing(screen: string, onScreen: readonly Block[]): string {
    const missing = this.blocks.filter((block) => !onScreen.some((shown) => sameHeader(shown, block)));
    if (missing.length === 0) return screen;
    return [screen, ...missing.map((block) => formatBlock(block.header, block.body))].join('\n');
  }

  /** A database-backed source brings its JSONL copy up to date first; a failure leaves the screen as it is. */
  private async refresh(): Promise<void> {
    const { source, projectDir, env, command } = this.options;
    await source.refresh?.(projectDir, env, command).catch(() => undefined);
  }

  private files(): Promise<string[]> {
    const { source, projectDir, env } = this.options;
    return listTranscripts(source, projectDir, env, this.now(), [...this.recent, ...this.grown]);
  }

  /**
   * Reads the complete lines appended to each transcript since the last look and collects their blocks. Returns
   * false when there is no transcript file at all (the CLI keeps none where the profile looks).
   */
  private async readNew(): Promise<boolean> {
    const max = this.options.maxBytesPerTurn ?? DEFAULT_MAX_BYTES;
    await this.refresh();
    const files = await this.files();
    for (const file of files) {
      const from = this.offsets.get(file) ?? 0;
      const size = await stat(file).then((s) => s.size, () => 0);
      if (size <= from) continue;
      const start = Math.max(from, size - max);
      const bytes = await readRange(file, start, size - start);
      const lastNewline = bytes.lastIndexOf(0x0a);
      if (lastNewline < 0) continue; // the first line is still being written
      this.offsets.set(file, start + lastNewline + 1);
      this.grown.add(file);
      for (const line of bytes.subarray(0, lastNewline).toString('utf8').split('\n')) this.collect(line);
    }
    return files.length > 0;
  }

  private collect(line: string): void {
    if (!line.includes('POLI:MSG')) return; // cheap skip: most records hold no block
    let record: unknown;
    try {
      record = JSON.parse(line) as unknown;
    } catch {
      return;
    }
    for (const text of this.options.source.assistantTexts(record)) {
      for (const block of parseBlocks(text).blocks) if (block.header.to !== this.options.role) this.blocks.push(block);
    }
  }
}

interface Replacement {
  screen: Block;
  /** The same block as the transcript has it. */
  source: Block;
}

/**
 * Pairs screen blocks with transcript blocks of the same addressee, type and id. With as many of each, they pair in
 * order; otherwise a screen block pairs with the one transcript block whose text, letters and digits only, is the
 * same (what survives Markdown rendering and wrapping). Returns replacements by the screen block's first line, only
 * where the bodies differ.
 */
export function matchBlocks(screen: readonly Block[], transcript: readonly Block[]): Map<number, Replacement> {
  const replacements = new Map<number, Replacement>();
  const groups = new Map<string, { screen: Block[]; transcript: Block[] }>();
  const group = (block: Block) => {
    const key = `${block.header.to}\u0000${block.header.type}\u0000${block.header.id}`;
    let entry = groups.get(key);
    if (!entry) groups.set(key, (entry = { screen: [], transcript: [] }));
    return entry;
  };
  for (const block of screen) group(block).screen.push(block);
  for (const block of transcript) group(block).transcript.push(block);
  for (const { screen: shown, transcript: written } of groups.values()) {
    if (shown.length === 0 || written.length === 0) continue;
    shown.forEach((block, index) => {
      const source = shown.length === written.length ? written[index] : uniqueSameText(block, written);
      if (source && source.body !== block.body) replacements.set(block.startLine, { screen: block, source });
    });
  }
  return replacements;
}

function sameHeader(a: Block, b: Block): boolean {
  return a.header.to === b.header.to && a.header.type === b.header.type && a.header.id === b.header.id;
}

function uniqueSameText(block: Block, candidates: readonly Block[]): Block | undefined {
  const text = lettersAndDigits(block.body);
  const same = candidates.filter((candidate) => lettersAndDigits(candidate.body) === text);
  return same.length === 1 ? same[0] : undefined;
}

function lettersAndDigits(text: string): string {
  return text.replace(/[^\p{L}\p{N}]/gu, '');
}
