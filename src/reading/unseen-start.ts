/**
 * Evidence that a reply is on the screen but its start is not: the text's last tag line is a close tag that closes no
 * block poli can see (issue 18, item 3). A full-screen TUI that draws a reply taller than its alternate screen in one
 * frame shows only the end of the block: the open tag is never on the screen, and the alternate screen keeps no
 * history, so no later read finds it. Such a reply can only come whole through a reply file.
 */
import { parseBlocks } from '../protocol/parse-blocks.ts';
import { classifyTagLine, toScreenLines } from '../protocol/screen-text.ts';

/**
 * True when the last tag line of `screen` is a close tag outside every complete block, with no open tag before it
 * (outside complete blocks): the end of a block whose start is gone. A close tag quoted inside a complete block
 * (a fence in its body) is part of that block and does not count; an unfinished or malformed block's open tag before
 * the close pairs with it (that is a different problem: a malformed or unfinished block, reported elsewhere).
 */
export function endWithoutStart(screen: string): boolean {
  if (!screen.includes('POLI:MSG')) return false;
  const lines = toScreenLines(screen);
  const inBlock = new Uint8Array(lines.length);
  for (const block of parseBlocks(screen, { final: true }).blocks) inBlock.fill(1, block.startLine, block.endLine + 1);
  let opens = 0;
  let last: 'open' | 'close' | 'block' | undefined;
  let orphan = false;
  lines.forEach((line, index) => {
    const kind = classifyTagLine(line);
    if (kind === undefined) return;
    if (inBlock[index] === 1) {
      last = 'block';
      return;
    }
    last = kind;
    if (kind === 'open') opens += 1;
    else orphan = opens === 0;
  });
  return last === 'close' && orphan;
}
