/**
 * tmux control mode (`tmux -C`), the pure part: turning the byte stream a control client prints
 * into events, and argv into a command line it accepts. No process, no timers (see
 * control-client.ts for those). Behaviour measured on tmux 3.3a (notes/tmux-facts.md):
 *
 * - Each command's reply is `%begin TIME NUM FLAGS`, its output lines, then `%end TIME NUM FLAGS`
 *   or `%error TIME NUM FLAGS`. Pane text inside a reply can itself read `%end …`, so a reply
 *   ends only at the line repeating its `%begin` triple exactly.
 * - The first reply (FLAGS 0) answers the attach itself; replies to our commands carry FLAGS 1.
 * - One input line `a ; b` gives one reply per command. A failing command (and a line that does
 *   not parse) ends the line: the commands after it are skipped and give no reply (measured).
 * - Outside replies come notifications: `%output %PANE DATA`, with `pause-after` flow control
 *   `%extended-output %PANE AGE … : DATA`, `%pause %PANE`, `%continue %PANE`,
 *   `%subscription-changed NAME …`, `%pane-mode-changed %PANE`, `%layout-change …`,
 *   `%exit [REASON]`, and others poli ignores.
 * - In DATA, bytes below 0x20 and `\` are written as `\ooo` octal; everything else (UTF-8
 *   included) is raw. A UTF-8 character can be split across two notifications.
 */

/** One event read from a control client's output. */
export type ControlEvent =
  | { kind: 'reply'; flags: string; ok: boolean; lines: string[] }
  | { kind: 'output'; paneId: string; data: Buffer }
  | { kind: 'pause'; paneId: string }
  | { kind: 'continue'; paneId: string }
  | { kind: 'subscription'; name: string; paneId: string | undefined; value: string }
  /** A pane entered or left a mode (copy mode): its screen changed without output. */
  | { kind: 'pane-mode'; paneId: string }
  /** A window's layout (pane sizes) changed: screens may have rewrapped without output. */
  | { kind: 'layout' }
  | { kind: 'exit'; reason: string }
  | { kind: 'other'; line: string };

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const BEGIN = /^%begin (\d+ \d+ \d+)$/;

/**
 * Splits a control client's output into events. Feed it chunks as they arrive (lines may be cut
 * anywhere, even inside a UTF-8 character); it returns the events completed by each chunk.
 */
export class ControlParser {
  private partial: Buffer[] = [];
  /** The `TIME NUM FLAGS` of the reply being read, and its lines so far. */
  private reply: { triple: string; lines: string[] } | undefined;

  feed(chunk: Buffer): ControlEvent[] {
    const events: ControlEvent[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      let line = chunk.subarray(start, end);
      if (this.partial.length > 0) {
        line = Buffer.concat([...this.partial, line]);
        this.partial = [];
      }
      start = end + 1;
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    if (start < chunk.length) this.partial.push(Buffer.from(chunk.subarray(start)));
    return events;
  }

  /** True while a reply has begun but not ended (its lines are buffered). */
  get inReply(): boolean {
    return this.reply !== undefined;
  }

  private line(raw: Buffer): ControlEvent | undefined {
    if (this.reply !== undefined) {
      const text = raw.toString('utf8');
      const { triple, lines } = this.reply;
      if (text === `%end ${triple}` || text === `%error ${triple}`) {
        this.reply = undefined;
        return { kind: 'reply', flags: triple.split(' ')[2] ?? '', ok: text.startsWith('%end'), lines };
      }
      lines.push(text);
      return undefined;
    }
    return this.notification(raw);
  }

  private notification(raw: Buffer): ControlEvent | undefined {
    // Only the part before the data is ASCII; the data stays bytes until its escapes are decoded.
    const head = raw.subarray(0, Math.min(raw.length, 64)).toString('latin1');
    if (head.startsWith('%output ')) {
      const space = head.indexOf(' ', 8);
      if (space === -1) return { kind: 'output', paneId: head.slice(8), data: Buffer.alloc(0) };
      return { kind: 'output', paneId: head.slice(8, space), data: decodeEscapes(raw.subarray(space + 1)) };
    }
    if (head.startsWith('%extended-output ')) {
      const paneId = head.slice(17, head.indexOf(' ', 17) === -1 ? undefined : head.indexOf(' ', 17));
      const colon = raw.indexOf(' : ');
      return { kind: 'output', paneId, data: colon === -1 ? Buffer.alloc(0) : decodeEscapes(raw.subarray(colon + 3)) };
    }
    const text = raw.toString('utf8');
    const begin = BEGIN.exec(text);
    if (begin?.[1] !== undefined) {
      this.reply = { triple: begin[1], lines: [] };
      return undefined;
    }
    const [word, ...rest] = text.split(' ');
    switch (word) {
      case '%pause':
        return { kind: 'pause', paneId: rest[0] ?? '' };
      case '%continue':
        return { kind: 'continue', paneId: rest[0] ?? '' };
      case '%pane-mode-changed':
        return { kind: 'pane-mode', paneId: rest[0] ?? '' };
      case '%layout-change':
        return { kind: 'layout' };
      case '%exit':
        return { kind: 'exit', reason: rest.join(' ') };
      case '%subscription-changed': {
        // %subscription-changed NAME $SESSION @WINDOW INDEX %PANE … : VALUE ("-" for fields that do not apply)
        const colon = text.indexOf(' : ');
        const pane = rest.slice(1, 5).find((field) => field.startsWith('%'));
        return { kind: 'subscription', name: rest[0] ?? '', paneId: pane, value: colon === -1 ? '' : text.slice(colon + 3) };
      }
      default:
        return { kind: 'other', line: text };
    }
  }
}

/** Decodes the `\ooo` octal escapes of `%output` data into the bytes the pane's program wrote. */
export function decodeEscapes(data: Buffer): Buffer {
  if (data.indexOf(BACKSLASH) === -1) return Buffer.from(data);
  const out = Buffer.alloc(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i += 1) {
    const byte = data[i] as number;
    if (byte === BACKSLASH && i + 3 < data.length && isOctal(data[i + 1]) && isOctal(data[i + 2]) && isOctal(data[i + 3])) {
      out[n] = ((data[i + 1] as number) - 48) * 64 + ((data[i + 2] as number) - 48) * 8 + ((data[i + 3] as number) - 48);
      n += 1;
      i += 3;
    } else {
      out[n] = byte;
      n += 1;
    }
  }
  return out.subarray(0, n);
}

function isOctal(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x37;
}

/**
 * One control-mode input line for `args`: every argument single-quoted (no `$`, `~`, `#`, `{`
 * or `\` processing inside; a `'` is written `'\''`), a lone `;` left bare as the separator.
 * Quoting also keeps an argument that ends in `;` literal, so the process runner's `\;` escape
 * is not needed here. Returns undefined when an argument holds a newline, CR or NUL, which a
 * line-based protocol cannot carry: run such a command as its own process.
 */
export function formatCommandLine(args: readonly string[]): string | undefined {
  if (args.some((arg) => /[\n\r\0]/.test(arg))) return undefined;
  return args.map((arg) => (arg === ';' ? ';' : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** How many replies a command line can produce: one per `;`-separated command. */
export function countCommands(args: readonly string[]): number {
  return 1 + args.filter((arg) => arg === ';').length;
}

/** Commands that only read state: running them cannot change what a later read returns. */
const READ_ONLY = new Set(['display-message', 'display', 'capture-pane', 'capturep', 'list-panes', 'lsp', 'list-clients', 'lsc', 'show-options', 'show', 'show-buffer', 'showb', 'has-session', 'has']);
/** Reads whose answer depends only on one pane's screen and state (what PaneReader sends). */
const PANE_READS = new Set(['display-message', 'capture-pane']);

/** The `;`-separated commands of a line. */
function segments(args: readonly string[]): string[][] {
  const out: string[][] = [[]];
  for (const arg of args) {
    if (arg === ';') out.push([]);
    else out[out.length - 1]?.push(arg);
  }
  return out;
}

/** True when every command of the line is a read (see READ_ONLY); `display-message` only with `-p`. */
export function isReadOnly(args: readonly string[]): boolean {
  return segments(args).every(([name, ...rest]) => name !== undefined && READ_ONLY.has(name) && (!name.startsWith('display') || rest.includes('-p')));
}

/**
 * The pane a line only reads, when every command is `display-message -p` or `capture-pane -p`
 * with `-t %N` naming the same pane: such a line returns the same answer until that pane prints,
 * changes mode, dies or is resized. Undefined for anything else.
 */
export function paneReadTarget(args: readonly string[]): string | undefined {
  let pane: string | undefined;
  for (const [name, ...rest] of segments(args)) {
    if (name === undefined || !PANE_READS.has(name) || !rest.includes('-p')) return undefined;
    const target = rest[rest.indexOf('-t') + 1];
    if (!rest.includes('-t') || target === undefined || !/^%\d+$/.test(target) || (pane !== undefined && pane !== target)) return undefined;
    pane = target;
  }
  return pane;
}
