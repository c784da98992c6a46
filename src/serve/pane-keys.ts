/**
 * What a browser terminal (xterm) sends when a person types, turned into tmux `send-keys` commands. Pure: the pane
 * feed runs the commands. Text goes literally (`send-keys -l --`: words like "Enter" stay words, a leading `-` is no
 * flag); the keys a terminal encodes as control bytes or escape sequences go as tmux key names, so the pane's program
 * gets them exactly as from a real terminal (tmux re-encodes them for the pane's own terminal modes).
 */

/** Escape sequences xterm sends for special keys (normal and application cursor mode), by tmux key name. */
const ESCAPE_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['\x1b[A', 'Up'], ['\x1bOA', 'Up'],
  ['\x1b[B', 'Down'], ['\x1bOB', 'Down'],
  ['\x1b[C', 'Right'], ['\x1bOC', 'Right'],
  ['\x1b[D', 'Left'], ['\x1bOD', 'Left'],
  ['\x1b[H', 'Home'], ['\x1bOH', 'Home'],
  ['\x1b[F', 'End'], ['\x1bOF', 'End'],
  ['\x1b[2~', 'IC'], ['\x1b[3~', 'DC'],
  ['\x1b[5~', 'PPage'], ['\x1b[6~', 'NPage'],
  ['\x1b[Z', 'BTab'],
];

/** Control bytes with a key name of their own; the other C0 bytes go as `C-<letter>`. */
const CONTROL_KEYS: Readonly<Record<string, string>> = {
  '\r': 'Enter',
  '\t': 'Tab',
  '\x7f': 'BSpace',
  '\x1b': 'Escape',
  '\x00': 'C-Space',
};

/**
 * tmux refuses a command line over ~16 KB ("command too long", notes/tmux-facts.md): long pastes go in literal chunks
 * of at most this many UTF-8 bytes.
 */
export const MAX_LITERAL_BYTES = 4_000;

/** One piece of typed input: literal text, or a key tmux knows by name. */
export type KeyPiece = { kind: 'text'; text: string } | { kind: 'key'; name: string };

/** Splits typed data into literal text and named keys, in order. Control bytes tmux has no name for are dropped. */
export function splitKeys(data: string): KeyPiece[] {
  const pieces: KeyPiece[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') pieces.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < data.length; ) {
    const escape = data[i] === '\x1b' ? ESCAPE_KEYS.find(([sequence]) => data.startsWith(sequence, i)) : undefined;
    if (escape !== undefined) {
      flush();
      pieces.push({ kind: 'key', name: escape[1] });
      i += escape[0].length;
      continue;
    }
    const char = data[i] as string;
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) {
      flush();
      const name = CONTROL_KEYS[char] ?? (code >= 1 && code <= 26 ? `C-${String.fromCharCode(code + 96)}` : undefined);
      if (name !== undefined) pieces.push({ kind: 'key', name });
      i += 1;
      continue;
    }
    text += char;
    i += 1;
  }
  flush();
  return pieces;
}

/**
 * The tmux commands that type `data` into `paneId`, in order: one `send-keys -l` per literal chunk, one `send-keys`
 * per run of named keys. Empty for empty data.
 */
export function keyCommands(paneId: string, data: string): string[][] {
  const commands: string[][] = [];
  let keys: string[] = [];
  const flushKeys = (): void => {
    if (keys.length > 0) commands.push(['send-keys', '-t', paneId, ...keys]);
    keys = [];
  };
  for (const piece of splitKeys(data)) {
    if (piece.kind === 'key') {
      keys.push(piece.name);
      continue;
    }
    flushKeys();
    for (const chunk of chunkUtf8(piece.text, MAX_LITERAL_BYTES)) commands.push(['send-keys', '-t', paneId, '-l', '--', chunk]);
  }
  flushKeys();
  return commands;
}

/** Cuts text into pieces of at most `maxBytes` UTF-8 bytes, never inside a character (surrogate pairs kept whole). */
export function chunkUtf8(text: string, maxBytes: number): string[] {
  const chunks: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes && chunk !== '') {
      chunks.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += char;
    bytes += size;
  }
  if (chunk !== '') chunks.push(chunk);
  return chunks;
}
