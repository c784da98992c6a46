import { describe, expect, it } from 'vitest';
import { tidyDumpLine } from './dump-lines.ts';

describe('tidyDumpLine', () => {
  it('cuts a 250-column rule to 80 columns and drops trailing blanks', () => {
    expect(tidyDumpLine('─'.repeat(250))).toBe('─'.repeat(80));
    expect(tidyDumpLine(`  ${'━'.repeat(248)}`)).toBe(`  ${'━'.repeat(78)}`);
    expect(tidyDumpLine(`${'-'.repeat(120)}   `)).toBe('-'.repeat(80));
    expect(tidyDumpLine(`> hello${' '.repeat(243)}`)).toBe('> hello');
  });

  it('leaves text alone, even long text and short rules', () => {
    const text = `error: ${'x'.repeat(200)}`;
    expect(tidyDumpLine(text)).toBe(text);
    expect(tidyDumpLine('─'.repeat(40))).toBe('─'.repeat(40));
    expect(tidyDumpLine(`│ ${'─'.repeat(200)} │`)).toBe(`│ ${'─'.repeat(200)} │`);
  });
});
