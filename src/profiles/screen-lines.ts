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
