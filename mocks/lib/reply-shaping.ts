/**
 * Pure text for the reply-side switches: what a reply body quotes (`--quote-close-in-fence`, `--quote-example`),
 * the numbered result body (`--reply-lines`), the block text without sanitising (a quoted tag must stay unescaped,
 * which `formatBlock` would prevent), the two pieces of a reply file (`--reply-file-pieces`), the flood lines
 * (`--print-rate`) and the reading of poli's pointer to a message file.
 */
import { formatBlock } from '../../src/protocol/format-block.ts';
import { MESSAGE_CLOSE_TAG, type BlockHeader } from '../../src/protocol/types.ts';
import type { QuoteExample } from './options.ts';

/** The reply types whose bodies get the quotes: the work a role delivers, not its status or its verdict. */
export const QUOTING_TYPES: readonly string[] = ['result', 'plan', 'continue', 'revision'];

/** The example body line of `--quote-example`. */
export const EXAMPLE_BODY = 'An example body line: this quoted block is not the reply.';

/** The id `--quote-example other` gives its example block. */
export function otherId(id: string): string {
  return `example-${id}`;
}

export interface QuoteOptions {
  quoteCloseInFence: boolean;
  quoteExample: QuoteExample | undefined;
}

/** The lines quoted in the middle of a body, or none when neither switch is on. */
export function quotedLines(header: BlockHeader, options: QuoteOptions): string[] {
  const lines: string[] = [];
  if (options.quoteCloseInFence) lines.push('```', MESSAGE_CLOSE_TAG, '```');
  if (options.quoteExample !== undefined) {
    const id = options.quoteExample === 'same' ? header.id : otherId(header.id);
    lines.push(formatBlock({ ...header, id }, EXAMPLE_BODY));
  }
  return lines;
}

/**
 * `body` with `quoted` inserted after its first half of lines (never first: some text always comes before, and a
 * line is added after when the body had only one, so the quote is in the middle and the reply goes on after it).
 */
export function quoteInMiddle(body: string, quoted: readonly string[]): string {
  if (quoted.length === 0) return body;
  const lines = body.split('\n');
  const cut = Math.max(1, Math.floor(lines.length / 2));
  const after = lines.slice(cut);
  return [...lines.slice(0, cut), ...quoted, ...(after.length > 0 ? after : ['(the reply goes on after the quote)'])].join('\n');
}

/** A block's text exactly as given: the body is not sanitised, so a quoted tag stays as it is. */
export function formatRawBlock(header: BlockHeader, body: string): string {
  const open = formatBlock(header, '').split('\n')[0] ?? '';
  return `${open}\n${body}\n${MESSAGE_CLOSE_TAG}`;
}

/** The `--reply-lines N` result body: N numbered lines, each different, none blank. */
export function numberedLines(count: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) lines.push(`line ${String(i).padStart(5, '0')} of ${count}: the mock executer's numbered result`);
  return lines.join('\n');
}

/**
 * The `--long-line N` line: exactly N characters of numbered words (`word0001 word0002 …`), no blank at either end, so a
 * TUI that breaks long lines itself breaks it where the model wrote none.
 */
export function longLine(length: number): string {
  let line = '';
  for (let n = 1; line.length < length; n++) line += `word${String(n).padStart(4, '0')} `;
  const cut = line.slice(0, length);
  // Never end on the blank between two words (a trailing blank is not body a screen can carry).
  return cut.endsWith(' ') ? `${cut.slice(0, -1)}x` : cut;
}

/**
 * `--edge-bodies`: the body with what a screen cannot carry but poli's tool and command must: a leading blank line and
 * one of blanks, Markdown hard breaks (two trailing spaces), a trailing tab and no-break space, a CRLF, a BEL, and two
 * trailing blank lines.
 */
export function edgeBody(body: string): string {
  return ['', '   ', `${body}  `, 'a Markdown hard break  ', 'a diff context line ', 'a tab\t', 'a no-break space\u00a0', 'a CRLF line\r', 'a bell \u0007 in it', '', ''].join('\n');
}

/** The two pieces of a reply file: open tag and the first half of the body, then the rest and the close tag. */
export function replyFilePieces(blockText: string): [string, string] {
  const lines = blockText.split('\n');
  const bodyLines = lines.length - 2;
  const cut = 1 + Math.floor(bodyLines / 2);
  return [`${lines.slice(0, cut).join('\n')}\n`, `${lines.slice(cut).join('\n')}\n`];
}

/** `.poli/replies/<id>.md`, as handoff.ts looks for it (the id with anything unusual made plain). */
export function replyFilePath(id: string): string {
  return `.poli/replies/${id.replace(/[^A-Za-z0-9._-]/g, '_')}.md`;
}

/** Line `n` (1-based) of the `--print-rate` flood for message `id`: about 80 printable characters, all distinct. */
export function floodLine(id: string, n: number): string {
  const head = `${id} progress ${String(n).padStart(6, '0')}: `;
  const filler = 'compiling, testing and reading files while working on the message; ';
  return (head + filler.repeat(2)).slice(0, 80).trimEnd();
}

/**
 * The message file a block body points to (handoff.ts `pointerText`): the absolute path in parentheses when there
 * is one, else the relative `.poli/messages/<id>.md`; undefined when the body is not such a pointer.
 */
export function messageFilePointer(body: string): string | undefined {
  const match = /poli wrote it to the file (\S+\.md) in the project directory\s*\(([^)]*\.md)\)/.exec(body);
  if (match !== null) return match[2] ?? match[1];
  return /poli wrote it to the file (\S+\.md)/.exec(body)?.[1];
}

/**
 * How Codex's exec cell shows a long command output (`--cat-fold`): the first two lines, `… +N lines`, the last two;
 * output of five lines or fewer is shown whole.
 */
export function foldOutput(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length <= 5) return lines;
  return [...lines.slice(0, 2), `… +${lines.length - 4} lines`, ...lines.slice(-2)];
}

/**
 * `--idle-after-example-ms`: a block's text cut right after the close tag of the example block its body quotes (the
 * first close tag line), so the first piece ends with a whole example block; undefined when the text quotes none.
 */
export function splitAfterExample(blockText: string): [string, string] | undefined {
  const lines = blockText.split('\n');
  const cut = lines.findIndex((line, i) => i > 0 && i < lines.length - 1 && line.trim() === MESSAGE_CLOSE_TAG);
  if (cut < 0) return undefined;
  return [lines.slice(0, cut + 1).join('\n'), lines.slice(cut + 1).join('\n')];
}

/** `--draft-ms`: the body a draft shows before it is corrected (complete, same header, another body). */
export function draftBody(body: string): string {
  return `${body.split('\n')[0] ?? ''}\n(draft: this text is being corrected)`;
}
