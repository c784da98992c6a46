import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { geminiProfile } from './gemini.ts';

const BOX_TOP = '╭' + '─'.repeat(60) + '╮';
const BOX_BOTTOM = '╰' + '─'.repeat(60) + '╯';
const RULE = '─'.repeat(60);

// Hand-written from Gemini CLI's source and public screen captures.
describe('geminiProfile', () => {
  it.each([
    ['empty input (placeholder)', [BOX_TOP, '│ >   Type your message or @path/to/file' + ' '.repeat(20) + '│', BOX_BOTTOM, '~/project   no sandbox   gemini-2.5-pro'], 'idle', ''],
    ['typed text', [BOX_TOP, '│ > write the tests   │', BOX_BOTTOM], 'idle', 'write the tests'],
    ['thinking', ['⠋ Thinking… (esc to cancel, 3s)', BOX_TOP, '│ >   Type your message or @path/to/file │', BOX_BOTTOM], 'busy', ''],
    ['tool approval', ['│ Allow execution of: \'touch x\'?', '│ ● 1. Yes, allow once', '│   2. Yes, allow always', '│   3. No, suggest changes (esc)'], 'approval', undefined],
    ['error above the input', ['✕ [API Error: quota exceeded]', '', BOX_TOP, '│ >   Type your message or @path/to/file │', BOX_BOTTOM], 'error', ''],
    // Measured on 0.61.0 (250×50 pane): the input sits between rules, hints above it.
    ['0.61 idle after a reply', ['✦ Ready.', RULE, ' Shift+Tab to accept edits', RULE, ' >   Type your message or @path/to/file', RULE, ' workspace (/directory)   sandbox'], 'idle', ''],
    ['0.61 prompt taken, not answered yet (echo last)', [' > [[POLI:MSG {"to":"PLANNER","type":"task","id":"T1"}]]', '   Create x', '   [[/POLI:MSG]]', ' Press Ctrl+O to expand pasted text', RULE, ' Shift+Tab to accept edits', RULE, ' >   Type your message or @path/to/file', RULE], 'busy', ''],
    ['0.61 pasted prompt just taken, echo not drawn yet', ['4. Be specific for the best results', ' Press Ctrl+O to expand pasted text', RULE, ' Shift+Tab to accept edits', RULE, ' >   Type your message or @path/to/file', RULE], 'busy', ''],
    ['0.61 paste still in the input', [' Press Ctrl+O to expand pasted text', RULE, ' Shift+Tab to accept edits', RULE, ' > [Pasted Text: 37 lines]', RULE], 'idle', '[Pasted Text: 37 lines]'],
    ['0.61 queued while initialising', ['  Queued (press ↑ to edit):', '    please reply second line', RULE, ' Shift+Tab to accept edits', ' >   Type your message or @path/to/file'], 'busy', ''],
    ['0.61 reply ending in a numbered fence line', ['    72 line 70 of the long reply', '    73 [[/POLI:MSG]]', RULE, ' Shift+Tab to accept edits', ' >   Type your message or @path/to/file'], 'idle', ''],
    ['0.61 shell approval', ['│ Allow execution of [Shell]?', '│', '│ ● 1. Allow once', '│   2. Allow for this session', '│   3. No, suggest changes (esc)'], 'approval', undefined],
  ] as const)('%s', (_name, lines, state, input) => {
    expect(geminiProfile.classify(lines)).toBe(state);
    expect(geminiProfile.readInput(lines)).toBe(input);
  });

  it('trusts only "this folder", only for the project, and refuses to authenticate', () => {
    const trust = [' Do you trust this folder?', ' ● 1. Trust folder (project)', '   2. Trust parent folder (work)', '   3. Don\'t trust (esc)'];
    expect(geminiProfile.dialogs.find((rule) => rule.matches(trust))).toMatchObject({ answer: ['Enter'], projectOnly: true });
    const parentSelected = trust.map((line) => line.replace('● 1.', '  1.').replace('  2. Trust parent', '● 2. Trust parent'));
    expect(geminiProfile.dialogs.find((rule) => rule.matches(parentSelected))).toBeUndefined();
    const auth = ['Get started', 'How would you like to authenticate for this project?', '● 1. Login with Google'];
    expect(geminiProfile.dialogs.find((rule) => rule.matches(auth))?.answer).toBe('refuse');
  });

  it("answers a used-up quota's options with 2 (Stop): poli waits, the CLI does not keep retrying", () => {
    const lines = readFileSync(new URL('./fixtures/limits/gemini-usage-daily.txt', import.meta.url), 'utf8').split('\n');
    expect(geminiProfile.dialogs.find((rule) => rule.matches(lines))).toMatchObject({ name: 'usage limit options', answer: ['2'] });
  });
});
