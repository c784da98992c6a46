import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBlock } from '../../src/protocol/format-block.ts';
import { paintFrame } from './frame.ts';
import { traceBlocks } from './trace.ts';

describe('traceBlocks', () => {
  it('traces a block written as a classic print and as a full-screen frame (rows by cursor moves, no line feeds)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poli-mock-trace-'));
    try {
      const file = join(dir, 'trace.jsonl');
      const output = { write: (_chunk: string) => true } as unknown as NodeJS.WritableStream;
      traceBlocks(output, file, 'EXECUTER', () => 7);
      const block = formatBlock({ to: 'PLANNER', type: 'result', id: 'T1' }, 'done');
      output.write(`${block.split('\n').join('\r\n')}\r\n`);
      output.write(paintFrame([], ['', ...block.split('\n').map((row, i) => (i === 0 ? `● ${row}` : `  ${row}`)), '', 'footer']));
      const lines = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toEqual([
        { t: 7, event: 'block', role: 'EXECUTER', id: 'T1', type: 'result', to: 'PLANNER' },
        { t: 7, event: 'block', role: 'EXECUTER', id: 'T1', type: 'result', to: 'PLANNER' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
