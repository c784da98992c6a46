/**
 * Turns raw-mode stdin data into key events. Bracketed pastes (`ESC[200~ … ESC[201~`) and escape sequences
 * may be split across data chunks: the incomplete tail is kept until the next chunk (a lone ESC at the end
 * of a chunk stays pending until `flush()`, which the TUI calls after a short quiet time).
 */

export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';

export type KeyEvent =
  | { kind: 'text'; text: string }
  | { kind: 'paste'; text: string }
  | { kind: 'enter' }
  | { kind: 'newline' }
  | { kind: 'backspace' }
  | { kind: 'escape' }
  | { kind: 'ctrl-c' }
  | { kind: 'ctrl-d' }
  | { kind: 'up' }
  | { kind: 'down' }
  | { kind: 'ignored'; sequence: string };

const CSI_KEYS: Readonly<Record<string, KeyEvent>> = {
  '\x1b[A': { kind: 'up' },
  '\x1b[B': { kind: 'down' },
  '\x1bOA': { kind: 'up' },
  '\x1bOB': { kind: 'down' },
};

export class KeyParser {
  private pending = '';
  private pasting = false;
  private pasted = '';

  /** True while inside a bracketed paste whose end has not arrived yet. */
  get inPaste(): boolean {
    return this.pasting;
  }

  /** True when a lone ESC is waiting to learn whether it starts a sequence. */
  get hasPendingEscape(): boolean {
    return this.pending === '\x1b' && !this.pasting;
  }

  feed(chunk: string): KeyEvent[] {
    const data = this.pending + chunk;
    this.pending = '';
    const events: KeyEvent[] = [];
    let i = 0;
    while (i < data.length) {
      if (this.pasting) {
        i = this.consumePaste(data, i, events);
        continue;
      }
      const ch = data[i] ?? '';
      if (ch === '\x1b') {
        const end = this.consumeEscape(data, i, events);
        if (end < 0) {
          this.pending = data.slice(i);
          break;
        }
        i = end;
        continue;
      }
      i = consumePlain(data, i, events);
    }
    return events;
  }

  /** Resolves a pending lone ESC as the Escape key. */
  flush(): KeyEvent[] {
    if (!this.hasPendingEscape) return [];
    this.pending = '';
    return [{ kind: 'escape' }];
  }

  private consumePaste(data: string, start: number, events: KeyEvent[]): number {
    const end = data.indexOf(PASTE_END, start);
    if (end < 0) {
      const keep = partialSuffix(data, PASTE_END);
      this.pasted += data.slice(start, data.length - keep);
      this.pending = data.slice(data.length - keep);
      return data.length;
    }
    this.pasted += data.slice(start, end);
    events.push({ kind: 'paste', text: this.pasted.replace(/\r\n?/g, '\n') });
    this.pasting = false;
    this.pasted = '';
    return end + PASTE_END.length;
  }

  /** Returns the index after the sequence, or -1 when the sequence is incomplete. */
  private consumeEscape(data: string, start: number, events: KeyEvent[]): number {
    const next = data[start + 1];
    if (next === undefined) return -1;
    if (next === '[') {
      let j = start + 2;
      while (j < data.length && /[\x20-\x3f]/.test(data[j] ?? '')) j++;
      if (j >= data.length) return -1;
      const sequence = data.slice(start, j + 1);
      if (sequence === PASTE_START) {
        this.pasting = true;
        this.pasted = '';
      } else {
        events.push(CSI_KEYS[sequence] ?? { kind: 'ignored', sequence });
      }
      return j + 1;
    }
    if (next === 'O') {
      if (start + 2 >= data.length) return -1;
      const sequence = data.slice(start, start + 3);
      events.push(CSI_KEYS[sequence] ?? { kind: 'ignored', sequence });
      return start + 3;
    }
    if (next === '\x1b') {
      events.push({ kind: 'escape' });
      return start + 1;
    }
    events.push({ kind: 'ignored', sequence: data.slice(start, start + 2) });
    return start + 2;
  }
}

function consumePlain(data: string, start: number, events: KeyEvent[]): number {
  const ch = data[start] ?? '';
  const control: Readonly<Record<string, KeyEvent>> = {
    '\r': { kind: 'enter' },
    '\n': { kind: 'newline' },
    '\x7f': { kind: 'backspace' },
    '\b': { kind: 'backspace' },
    '\x03': { kind: 'ctrl-c' },
    '\x04': { kind: 'ctrl-d' },
  };
  const event = control[ch];
  if (event !== undefined) {
    events.push(event);
    return start + 1;
  }
  if (ch < ' ') {
    events.push({ kind: 'ignored', sequence: ch });
    return start + 1;
  }
  let end = start;
  while (end < data.length && (data[end] ?? '') >= ' ' && data[end] !== '\x7f') end++;
  events.push({ kind: 'text', text: data.slice(start, end) });
  return end;
}

/** Length of the longest proper prefix of `marker` that `data` ends with. */
function partialSuffix(data: string, marker: string): number {
  for (let k = Math.min(marker.length - 1, data.length); k > 0; k--) {
    if (data.endsWith(marker.slice(0, k))) return k;
  }
  return 0;
}
