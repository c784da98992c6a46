import { describe, expect, it } from 'vitest';
import { classifyOpencodeScreen, readOpencodeInput } from '../../src/profiles/opencode.ts';
import { formatFooter, formatTurnDone, layOutArea, renderArea, type Footer } from './screen.ts';

describe('layOutArea', () => {
  it('draws the idle input box: blank row, rule, prompt with a no-break space, rule, footer', () => {
    expect(layOutArea({ kind: 'input', input: '', footer: { kind: 'idle' } }, 12)).toEqual([
      '',
      '───────────',
      '❯\u00a0',
      '───────────',
      '  ? for shortcuts',
    ]);
  });

  it('wraps long input under the prompt with a 2-space gutter', () => {
    expect(layOutArea({ kind: 'input', input: 'abc def ghi', footer: { kind: 'idle' } }, 10)[2]).toBe('❯\u00a0abc def');
    expect(layOutArea({ kind: 'input', input: 'abc def ghi', footer: { kind: 'idle' } }, 10)[3]).toBe('  ghi');
  });

  it('replaces the input box with a permission prompt', () => {
    expect(layOutArea({ kind: 'approval', title: 'Bash command', detail: 'touch x', selected: 0 }, 12)).toEqual([
      '',
      '───────────',
      ' Bash command',
      '  touch x',
      '',
      'Do you want to proceed?',
      '❯ 1. Yes',
      '  2. No',
      '',
      'Esc to cancel',
    ]);
  });
});

describe('formatFooter and formatTurnDone', () => {
  it('shows the spinner frame and whole seconds while busy', () => {
    expect(formatFooter({ kind: 'busy', elapsedMs: 3400, frame: 1 })).toBe('✢ Working… (3s · esc to interrupt)');
    expect(formatFooter({ kind: 'busy', elapsedMs: 0, frame: 6 })).toBe('· Working… (0s · esc to interrupt)');
  });

  it('reports at least one second for a finished turn', () => {
    expect(formatTurnDone(200)).toBe('✻ Worked for 1s');
    expect(formatTurnDone(2600)).toBe('✻ Worked for 3s');
  });
});

describe('layOutArea extras (--animate-ms, --bottom-rows)', () => {
  const idle = { kind: 'input', input: '', footer: { kind: 'idle' } } as const;

  it('adds the clock row first, so it can change every tick without touching the input box', () => {
    expect(layOutArea(idle, 12, { tick: 7 })).toEqual(['', '  ◷ tick 7', '───────────', '❯\u00a0', '───────────', '  ? for shortcuts']);
  });

  it('pads the area to --bottom-rows with a todo panel above the input box', () => {
    const rows = layOutArea(idle, 12, { minRows: 8 });
    expect(rows).toEqual(['', '  ☐ step 1', '  ☐ step 2', '  ☐ step 3', '───────────', '❯\u00a0', '───────────', '  ? for shortcuts']);
    expect(layOutArea(idle, 12, { minRows: 3 })).toEqual(layOutArea(idle, 12));
    // The drawn cursor still lands on the prompt row.
    expect(renderArea(idle, 12, { minRows: 8, tick: 1 })[5]).toBe('❯\u00a0\x1b[7m \x1b[27m');
  });
});

describe('--input-box opencode', () => {
  const area = (input: string, footer: Footer) =>
    layOutArea({ kind: 'input', input, footer }, 60, { inputBox: 'opencode' });

  it('draws the input (the placeholder when empty), a blank row and the BUILD footer, as opencode --mini does', () => {
    expect(area('', { kind: 'idle' })).toEqual(['', 'Ask anything... "Fix a TODO in the codebase"', '', ' BUILD']);
    expect(area('hello', { kind: 'busy', elapsedMs: 0, frame: 0 })).toEqual(['', 'hello', '', ' BUILD  ■■■⬝⬝⬝⬝⬝ esc interrupt']);
  });

  it("is read by poli's opencode profile: idle, busy and the input box", () => {
    expect(classifyOpencodeScreen(area('', { kind: 'idle' }))).toBe('idle');
    expect(classifyOpencodeScreen(area('', { kind: 'busy', elapsedMs: 1000, frame: 2 }))).toBe('busy');
    expect(readOpencodeInput(area('', { kind: 'idle' }))).toBe('');
    expect(readOpencodeInput(area('[[POLI:MSG {"to":"EXECUTER"}]]\nstep one', { kind: 'idle' }))).toBe('[[POLI:MSG {"to":"EXECUTER"}]]\nstep one');
    // The drawn cursor (an inverse blank after the input) is not input.
    const styled = renderArea({ kind: 'input', input: 'hi', footer: { kind: 'idle' } }, 40, { inputBox: 'opencode' }).map((row) => row.replace(/\x1b\[[0-9;]*m/g, ''));
    expect(readOpencodeInput(styled)).toBe('hi');
  });
});
