/**
 * The shapes agent.ts and outbox.ts share: a role's logic (Brain), what it answers through (Outbox), and the file
 * effects of fault injection. Kept apart so that outbox.ts needs nothing from agent.ts, which uses it.
 */
import type { Block, BlockHeader, Role } from '../../src/protocol/types.ts';
import type { Delivery, ReplyVia } from './reply-via.ts';

/** How a role's logic answers: blocks through `send` (faults applied), plain text through `say`. */
export interface Outbox {
  send(header: BlockHeader, body: string): Promise<void>;
  say(text: string): void;
  /** Spends the think time (spinner showing). */
  think(): Promise<void>;
}

/** A role's logic: what it says to text without blocks for it, and how it answers one block. */
export interface Brain {
  role: Role;
  greeting: string;
  answer(block: Block, outbox: Outbox): Promise<void>;
}

/** One submission as `--record-file` writes it. */
export interface ReceivedRecord {
  role: Role;
  /** Epoch ms. */
  at: number;
  /** The submitted text, exactly as the TUI got it. */
  text: string;
  /** The blocks addressed to this mock in it (read from the message file when a block pointed to one). */
  blocks: { header: BlockHeader; body: string }[];
}

/** One block as `--sent-file` writes it; `body` is exactly what stands between the tags. */
export interface SentRecord {
  role: Role;
  at: number;
  header: BlockHeader;
  body: string;
}

/** The file effects of fault injection; run-mock passes real ones, unit tests leave them out or fake them. */
export interface AgentEffects {
  /** How many crashes `--crash-file` records so far. */
  countCrashes(): number;
  /** Records a crash in `--crash-file`. */
  noteCrash(line: string): void;
  /** Appends a submission to `--record-file`. */
  record(entry: ReceivedRecord): void;
  /** Appends a block sent to `--sent-file`. */
  recordSent?(entry: SentRecord): void;
  /** Appends text to a file (path relative to the working directory; directories created as needed). */
  appendFile?(path: string, text: string): void;
  /** The text of a file (relative paths against the working directory), or undefined when it cannot be read. */
  readFile?(path: string): string | undefined;
  /** Hands a block to poli through its structured channel (`--reply-via`); poli's answer comes back. */
  deliver?(via: ReplyVia, header: BlockHeader, body: string): Promise<Delivery>;
}
