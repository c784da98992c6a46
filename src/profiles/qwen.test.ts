import { describe, expect, it } from 'vitest';
import { qwenProfile } from './qwen.ts';

const RULE = '─'.repeat(60);
const FOOTER = ['  ➜ project · git:(master) · fake-model', '  Auto mode (shift + tab to cycle)'];

// Screens measured on Qwen Code 0.24.4 (250×50 pane, default settings).
describe('qwenProfile', () => {
  it.each([
    ['idle at start', ['  ●︎ Read context files: ~/.qwen/output-language.md', RULE, '>   Type your message or @path/to/file', RULE, ...FOOTER], 'idle', ''],
    ['reply done, numbered fence line last', ['     73 [[/POLI:MSG]]', RULE, '>   Type your message or @path/to/file', RULE, ...FOOTER], 'idle', ''],
    ['busy', ['  > hello', '  ⠏ Counting electrons... (1s · esc to cancel)', RULE, '>   Type your message or @path/to/file', RULE, '  Enter to steer · Ctrl+Q to queue'], 'busy', ''],
    ['taken, not answered yet', ['  > hello there', RULE, '>   Type your message or @path/to/file', RULE, ...FOOTER], 'busy', ''],
    ['approval', ['  ? Shell touch x (make x) ←', '   Allow execution of: \'touch\'?', '   › 1. Yes, allow once', '     2. Switch to Default Mode and allow once (recommended)', '     3. No, suggest changes (esc)', '  ⠏ Waiting for user confirmation...'], 'approval', undefined],
    ['error', ['  ✕ [API Error: 400 bad request] (Press Ctrl+Y to retry)', RULE, '>   Type your message or @path/to/file', RULE, ...FOOTER], 'error', ''],
    ['ripgrep warning before the UI', ['Ripgrep not available: spawn /x/vendor/ripgrep/x64-linux/rg EACCES. Falling back to built-in search.'], 'busy', undefined],
    ['typed text', ['  ◆︎ Ready.', RULE, '> write the tests', RULE, ...FOOTER], 'idle', 'write the tests'],
  ] as const)('%s', (_name, lines, state, input) => {
    expect(qwenProfile.classify(lines)).toBe(state);
    if (input !== undefined) expect(qwenProfile.readInput(lines)).toBe(input);
  });

  it('finds its transcript folder from the project path', () => {
    expect(qwenProfile.transcript?.dirs('/tmp/clis/qwen/project', { HOME: '/h' }, new Date())).toContain('/h/.qwen/projects/-tmp-clis-qwen-project/chats');
  });
});
