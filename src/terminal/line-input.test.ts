import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLineInput } from './line-input.ts';

/** Piped input (no terminal): lines are answers in order, and what poli writes is collected. */
function piped() {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return { input, output, lines: createLineInput(input, output), written: () => written };
}

describe('createLineInput from a pipe', () => {
  it('answers each question with the next line, in order, also lines that came before the question', async () => {
    const { input, lines, written } = piped();
    const first = lines.question('a? ');
    input.write('one\ntwo\n');
    expect(await first).toBe('one');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await lines.question('b? ')).toBe('two');
    expect(written()).toBe('a? b? ');
    expect(lines.takeTypeAhead()).toEqual([]);
    lines.close();
  });

  it('answers null at the end of input, and to every question after it', async () => {
    const { input, lines } = piped();
    const asked = lines.question('a? ');
    input.end();
    expect(await asked).toBeNull();
    expect(await lines.question('b? ')).toBeNull();
  });

  it('answers null to a withdrawn question, which does not take the next line', async () => {
    const { input, lines } = piped();
    const controller = new AbortController();
    const withdrawn = lines.question('a? ', controller.signal);
    controller.abort();
    expect(await withdrawn).toBeNull();
    expect(await lines.question('already withdrawn? ', controller.signal)).toBeNull();
    const next = lines.question('b? ');
    input.write('answer\n');
    expect(await next).toBe('answer');
    lines.close();
  });

  it('says the terminal is released only while releaseTerminal runs its child', async () => {
    const { lines } = piped();
    await lines.question('a? ', AbortSignal.abort());
    expect(lines.terminalReleased).toBe(false);
    const during = await lines.releaseTerminal(async () => lines.terminalReleased);
    expect(during).toBe(true);
    expect(lines.terminalReleased).toBe(false);
    lines.close();
  });
});
