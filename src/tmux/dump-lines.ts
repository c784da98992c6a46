/**
 * A pane's last lines as shown in an error message. The panes are 250 columns wide, so a TUI's horizontal rules
 * (Claude Code's `────` above and below its input) are 250 characters: in a person's 80-column terminal each wraps
 * into four lines of dashes. A rule is cut to RULE_WIDTH, and trailing blanks go.
 */
const RULE_WIDTH = 80;
/** A line of one repeated rule character (box drawing, block elements, dashes, equals signs). */
const RULE = /^([\u2500-\u257f\u2580-\u259f\-=_~])\1*$/u;

export function tidyDumpLine(line: string): string {
  const trimmed = line.trimEnd();
  const content = trimmed.trimStart();
  if ([...trimmed].length <= RULE_WIDTH || !RULE.test(content)) return trimmed;
  const indent = trimmed.length - content.length;
  return `${trimmed.slice(0, indent)}${[...content].slice(0, Math.max(1, RULE_WIDTH - indent)).join('')}`;
}
