/**
 * `--echo-char-ms N`: a TUI whose input processing is slow. Typed and pasted text reaches the input box one
 * character per N ms; every key that arrives meanwhile (Enter included) waits its turn and is then handled in order,
 * never dropped. With N = 0 keys pass straight through, as before.
 */
import type { KeyEvent } from './keys.ts';

export interface KeyPacerSink {
  /** Handles one key event (text events may come one chunk of characters at a time). */
  apply(event: KeyEvent): void;
  /** The part of a paste shown so far ('' once the paste is applied whole). */
  preview(text: string): void;
  /** Called after keys were handled on a timer (the TUI redraws then). */
  settled(): void;
}

export class KeyPacer {
  private readonly queue: KeyEvent[] = [];
  /** Characters of the head event already shown, and when its reveal started. */
  private shown = 0;
  private startedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly msPerChar: number,
    private readonly sink: KeyPacerSink,
    private readonly now: () => number = Date.now,
  ) {}

  push(events: readonly KeyEvent[]): void {
    if (this.msPerChar <= 0) {
      events.forEach((event) => this.sink.apply(event));
      return;
    }
    const idle = this.queue.length === 0;
    this.queue.push(...events);
    if (idle) this.pump();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }

  /** Applies queued keys in order until a text or paste event needs time, then waits for it. */
  private pump(): void {
    this.timer = undefined;
    for (let head = this.queue[0]; head !== undefined; head = this.queue[0]) {
      if (head.kind !== 'text' && head.kind !== 'paste') {
        this.queue.shift();
        this.sink.apply(head);
        continue;
      }
      const chars = Array.from(head.text);
      this.startedAt ??= this.now();
      // Catch up on every character due since the reveal started (timers fire late; a 1 ms pace must not take 4 ms).
      const due = Math.min(chars.length, Math.max(this.shown, Math.floor((this.now() - this.startedAt) / this.msPerChar)));
      if (due > this.shown && head.kind === 'text') this.sink.apply({ kind: 'text', text: chars.slice(this.shown, due).join('') });
      if (due > this.shown && head.kind === 'paste') this.sink.preview(chars.slice(0, due).join(''));
      this.shown = due;
      if (due < chars.length) {
        this.timer = setTimeout(() => {
          this.pump();
          this.sink.settled();
        }, this.msPerChar);
        return;
      }
      this.queue.shift();
      this.shown = 0;
      this.startedAt = undefined;
      if (head.kind === 'paste') {
        this.sink.preview('');
        this.sink.apply(head);
      }
    }
  }
}
