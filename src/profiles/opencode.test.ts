import { describe, expect, it } from 'vitest';
import { opencodeProfile } from './opencode.ts';

const FOOTER = ' BUILD' + ' '.repeat(40);

// Screens measured on opencode 1.18.33 --mini (250×50 pane, default settings).
describe('opencodeProfile', () => {
  it.each([
    ['start', ['█▀▀█  OpenCode', '█  █  /tmp/project', '▀▀▀▀', '', 'Ask anything... "Fix a TODO in the codebase"', '', FOOTER], 'idle', ''],
    ['turn done, empty input', ['[[/POLI:MSG]]', '', '▣ Build · Model default · 1.9s', '', '', '', FOOTER], 'idle', ''],
    ['typed text', ['▣ Build · Model default · 1.9s', '', 'typed text', '', FOOTER], 'idle', 'typed text'],
    ['pasted two lines', ['▣ Build · Model default · 1.9s', '', 'please reply', 'second line', '', FOOTER], 'idle', 'please reply\nsecond line'],
    ['busy', ['› TOOL please', '', ' BUILD  ■■■⬝⬝⬝⬝⬝ esc interrupt'], 'busy', undefined],
    ['approval', ['△ Permission required', '# Shell command', '$ touch x', 'Allow once   Allow always   Reject'], 'approval', undefined],
  ] as const)('%s', (_name, lines, state, input) => {
    expect(opencodeProfile.classify(lines)).toBe(state);
    if (input !== undefined) expect(opencodeProfile.readInput(lines)).toBe(input);
  });

  it('runs the inline UI (real scrollback)', () => {
    expect(opencodeProfile.launch.args).toEqual(['--mini']);
  });
});
