/** Small helpers the profiles share for reading the bottom lines of a CLI's screen. */

/** The lines without trailing blanks (CLIs pad to the pane width, Claude with no-break spaces too). */
export function trimLineEnds(lines: readonly string[]): string[] {
  return lines.map((line) => line.trimEnd());
}

/** Index of the last line matching `pattern`, or undefined. */
export function findLastLine(lines: readonly string[], pattern: RegExp): number | undefined {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (pattern.test(lines[i] ?? '')) return i;
  }
  return undefined;
}

/** An input box drawn between two rules (Claude Code, Copilot CLI): the prompt line's and the closing rule's index. */
export interface InputBox {
  prompt: number;
  bottomRule: number;
}

/** The last input box: a `prompt` line right under a `rule` line, up to the next `rule`; none while it is unclosed. */
export function findInputBox(lines: readonly string[], prompt: RegExp, rule: RegExp): InputBox | undefined {
  for (let i = lines.length - 1; i > 0; i -= 1) {
    if (!prompt.test(lines[i] ?? '') || !rule.test(lines[i - 1] ?? '')) continue;
    for (let j = i + 1; j < lines.length; j += 1) if (rule.test(lines[j] ?? '')) return { prompt: i, bottomRule: j };
    return undefined;
  }
  return undefined;
}

/**
 * The lines that belong to the latest turn: from the bottom up to (not including) the first line that ends an older
 * one or starts this one — a finished-turn line or the echo of a prompt. Older errors stay in the scrollback above.
 */
export function latestTurn(lines: readonly string[], stop: RegExp): string[] {
  const out: string[] = [];
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i] ?? '';
    if (stop.test(line)) break;
    out.unshift(line);
  }
  return out;
}

/** The last line matching `pattern`, trimmed, runs of blanks made one. */
export const findLine = (lines: readonly string[], pattern: RegExp): string | undefined => {
  for (let i = lines.length - 1; i >= 0; i -= 1) if (pattern.test(lines[i] ?? '')) return (lines[i] ?? '').trim().replace(/\s{2,}/g, ' ');
  return undefined;
};
