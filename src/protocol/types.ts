/** The two CLI roles poli drives, each in its own tmux pane. */
export type Role = 'PLANNER' | 'EXECUTER';
/** Who a block can be addressed to. */
export type Addressee = Role | 'ORCHESTRATOR';
/** Who recorded messages come from (HUMAN: a person stepping in). */
export type Sender = Role | 'ORCHESTRATOR' | 'HUMAN';

export const ROLES: readonly Role[] = ['PLANNER', 'EXECUTER'];
export const ADDRESSEES: readonly Addressee[] = ['PLANNER', 'EXECUTER', 'ORCHESTRATOR'];
export const MESSAGE_TYPES = [
  'task',
  'review',
  'plan',
  'continue',
  'revision',
  'result',
  'status',
  'error',
  'complete',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** The JSON header of a block. Unknown extra fields are kept. */
export interface BlockHeader {
  to: Addressee;
  type: MessageType;
  id: string;
  [extra: string]: unknown;
}

/** A complete block found on a screen (or in a reply file). */
export interface Block {
  header: BlockHeader;
  /** Body with the screen gutter removed and the author's own indentation kept; no trailing newline. */
  body: string;
  /** 0-based index of the opening tag line in the (ANSI-stripped, CR-normalised) input lines. */
  startLine: number;
  /** 0-based index of the closing tag line. */
  endLine: number;
  /**
   * Found after an open tag whose block is not finished yet, so it may still turn out to be quoted inside that block:
   * take it only once the text is final (parseBlocks' `final`).
   */
  provisional?: boolean;
}

/** A block-looking region that could not be accepted; reported, never thrown. */
export interface RejectedBlock {
  reason: string;
  /** The (rejoined) header text as seen, truncated to 200 chars. */
  header: string;
  startLine: number;
}

export interface ParseResult {
  blocks: Block[];
  rejected: RejectedBlock[];
}

export const MESSAGE_OPEN_PREFIX = '[[POLI:MSG ';
export const MESSAGE_CLOSE_TAG = '[[/POLI:MSG]]';
