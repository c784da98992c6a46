import { describe, expect, it } from 'vitest';
import { cleanCopilotLine, copilotProfile } from './copilot.ts';

const RULE = '─'.repeat(60);
const BAR = (line: string) => `${line.padEnd(79)}┃`;

// Screens measured on GitHub Copilot CLI 1.0.102 (250×50 pane, offline provider mode).
describe('copilotProfile', () => {
  it.each([
    ['idle', [' ● Ready.', '', ' /tmp/project [⎇ master]', RULE, '❯', RULE, ' ← open sidebar · Interactive · Manual Approval · / commands · ? help'], 'idle', ''],
    ['idle with the scrollbar', [BAR('   [[/POLI:MSG]]'), BAR(' /tmp/project [⎇ master]'), RULE + '┃', BAR('❯'), RULE + '┃', BAR(' Interactive · Manual Approval')], 'idle', ''],
    ['typed two lines', [' /tmp/project [⎇ master]', RULE, '❯ please reply', '  second line', RULE, ' Interactive · Manual Approval · @ files · # issues'], 'idle', 'please reply\nsecond line'],
    ['working', [' ❯ please reply', '   second line', ' /tmp/project [⎇ master]', RULE, '❯', RULE, ' ◎ Working · 400 B esc esc interrupt'], 'busy', ''],
    ['taken, not answered yet', [' ❯ please reply', ' /tmp/project [⎇ master]', RULE, '❯', RULE, ' Interactive · Manual Approval'], 'busy', ''],
    ['approval', ['│ Do you want to run this command?', '│', '│ ❯ 1. Yes', '│   2. Yes, and don\'t ask again for `touch` in this repo', '│   3. No, and tell Copilot what to do differently (Esc to stop)'], 'approval', undefined],
  ] as const)('%s', (_name, lines, state, input) => {
    expect(copilotProfile.classify(lines)).toBe(state);
    if (input !== undefined) expect(copilotProfile.readInput(lines)).toBe(input);
  });

  it('answers the folder trust dialog with "1. Yes" (this session), for the project only', () => {
    const dialog = ['│ Confirm folder trust', '│ Do you trust the files in this folder?', '│ ❯ 1. Yes', '│   2. Yes, and remember this folder for future sessions', '│   3. No (Esc)'];
    expect(copilotProfile.dialogs.find((rule) => rule.matches(dialog))).toMatchObject({ answer: ['Enter'], projectOnly: true });
  });

  it('strips the scrollbar and the time of a prompt echo', () => {
    expect(cleanCopilotLine(` ❯ [[POLI:MSG {"to":"PLANNER"}]]${' '.repeat(40)}06:30`)).toBe(' ❯ [[POLI:MSG {"to":"PLANNER"}]]');
    expect(cleanCopilotLine(`   line 3 of the reply${' '.repeat(30)}┃`)).toBe('   line 3 of the reply');
  });
});
