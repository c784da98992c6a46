/**
 * The text in the prompt box. Like Claude Code, a paste with a line break or over 200 characters is shown as
 * `[Pasted text #N +M lines]` (M counts line breaks; `[Pasted text #N]` when there are none) and expanded
 * again on submit.
 */

/** A paste longer than this (or with a line break) is shown as a placeholder. */
export const PASTE_PLACEHOLDER_CHARS = 200;

export class InputBuffer {
  private text = '';
  private readonly pastes = new Map<string, string>();
  private pasteCount = 0;
  /** A paste still arriving (`--echo-char-ms`): shown as raw text until it is applied whole. */
  preview = '';

  /** What the prompt box shows. */
  get display(): string {
    return this.text + this.preview;
  }

  type(text: string): void {
    this.text += text;
  }

  paste(text: string): void {
    const newlines = (text.match(/\n/g) ?? []).length;
    if (newlines === 0 && text.length <= PASTE_PLACEHOLDER_CHARS) {
      this.text += text;
      return;
    }
    this.pasteCount++;
    const placeholder =
      newlines === 0 ? `[Pasted text #${this.pasteCount}]` : `[Pasted text #${this.pasteCount} +${newlines} lines]`;
    this.pastes.set(placeholder, text);
    this.text += placeholder;
  }

  /** Removes the last character, or a whole placeholder. */
  backspace(): void {
    for (const placeholder of this.pastes.keys()) {
      if (this.text.endsWith(placeholder)) {
        this.text = this.text.slice(0, -placeholder.length);
        this.pastes.delete(placeholder);
        return;
      }
    }
    this.text = Array.from(this.text).slice(0, -1).join('');
  }

  /** The full text with placeholders expanded. */
  expand(): string {
    let text = this.text;
    for (const [placeholder, pasted] of this.pastes) text = text.split(placeholder).join(pasted);
    return text;
  }

  clear(): void {
    this.text = '';
    this.pastes.clear();
  }
}
