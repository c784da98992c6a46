import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Size limits for src/ (issue 19, item 4): a file past ~350 lines or a function past ~80 is one concern too many.
// Blank lines and comments do not count: the why-comments the house style asks for should never push code out.
const MAX_FILE_LINES = 350;
const MAX_FUNCTION_LINES = 80;
const COUNT = { skipBlankLines: true, skipComments: true };

/**
 * What is over the limits today, each with its ceiling: today's count, so the file or function can shrink but not
 * grow. Issue 19 (one dialogue, one object) removes every entry; lower a ceiling as the code shrinks and delete the
 * entry once it is under the limit. `fn` is the longest function in the file (the rule takes one ceiling per file).
 */
const OVER_TODAY = [
  // issue 19: runApp (116) dispatches every command; split per command.
  { file: 'src/cli/app.ts', fn: 116 },
  // issue 19: parseArgs (89) and the file (355): the option table and its checks apart.
  { file: 'src/cli/args.ts', lines: 355, fn: 89 },
  // issue 19 item 1: runTask's closure (462, with watchLimits 88) becomes the dialogue object and its parts.
  { file: 'src/dialogue/run-task.ts', lines: 575, fn: 462 },
  // issue 19: createLineInput (128).
  { file: 'src/terminal/line-input.ts', fn: 128 },
  // issue 19: createProgressDisplay (87).
  { file: 'src/terminal/live-progress.ts', fn: 87 },
  // issue 19: createTmuxClient (93).
  { file: 'src/tmux/client.ts', fn: 93 },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'logs/', 'bench/', '.poli/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    // Tests, fixtures and generated tables are exempt: a table of cases is long by nature.
    ignores: ['**/*.test.ts', '**/fixtures/**', '**/*.generated.ts'],
    rules: {
      'max-lines': ['error', { max: MAX_FILE_LINES, ...COUNT }],
      'max-lines-per-function': ['error', { max: MAX_FUNCTION_LINES, ...COUNT }],
    },
  },
  ...OVER_TODAY.map(({ file, lines, fn }) => ({
    files: [file],
    rules: {
      ...(lines === undefined ? {} : { 'max-lines': ['error', { max: lines, ...COUNT }] }),
      ...(fn === undefined ? {} : { 'max-lines-per-function': ['error', { max: fn, ...COUNT }] }),
    },
  })),
);
