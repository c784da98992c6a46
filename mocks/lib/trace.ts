/**
 * `MOCK_TRACE_FILE` (benchmarks only): appends one JSON line per block the mock prints, taken right after the
 * write that carries the block's closing line returned — the moment the block is complete on the pane:
 *
 *   {"t": 1700000000123.456, "event": "block", "role": "EXECUTER", "id": "T1-R1-abc123", "type": "result", "to": "PLANNER"}
 *
 * `t` is epoch milliseconds with sub-millisecond precision (performance.timeOrigin + performance.now()), so
 * poli's side of a benchmark can subtract its own timestamps. A block addressed to the mock's own role is the
 * echo of a submission it just took: traced as `"event": "received"` (the CLI's turn starts there).
 * Full-screen modes (`--draw repaint|alt`) repaint a block again whenever it moves on screen, so the same block can
 * be traced more than once there: its first line is the moment it was complete.
 */
import { appendFileSync } from 'node:fs';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import type { Role } from '../../src/protocol/types.ts';

const CLOSE_TAG = '[[/POLI:MSG]]';
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]/g;
/** `--draw repaint|alt` starts each row with a cursor move, not a line feed: it ends the previous row. */
const ROW_MOVE = /\x1b\[\d+;1H/g;

/** Wraps `output.write` so blocks are traced to `file`; does nothing when `file` is unset or empty. */
export function traceBlocks(
  output: NodeJS.WritableStream,
  file: string | undefined,
  role: Role,
  now: () => number = () => performance.timeOrigin + performance.now(),
): void {
  if (file === undefined || file === '') return;
  const write = output.write.bind(output) as (...args: unknown[]) => boolean;
  output.write = ((chunk: unknown, ...rest: unknown[]) => {
    const ok = write(chunk, ...rest);
    if (typeof chunk === 'string' && chunk.includes(CLOSE_TAG)) {
      const t = now();
      const text = chunk.replace(ROW_MOVE, '\n').replace(ANSI, '').replace(/\r/g, '');
      const lines = parseBlocks(text).blocks.map((block) => {
        const { id, type, to } = block.header;
        return JSON.stringify({ t, event: to === role ? 'received' : 'block', role, id, type, to });
      });
      if (lines.length > 0) appendFileSync(file, `${lines.join('\n')}\n`);
    }
    return ok;
  }) as typeof output.write;
}
