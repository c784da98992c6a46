import { describe, expect, it } from 'vitest';
import { aiderProfile } from './aider.ts';

// Hand-written from aider's source (aider/io.py confirm_ask and get_input, aider/waiting.py).
describe('aiderProfile', () => {
  it.each([
    ['empty prompt', ['Aider v0.86.1', 'Main model: gpt-4o', '', '> '], 'idle', ''],
    ['typed text', ['> add a test for parse'], 'idle', 'add a test for parse'],
    ['edit-format prompt with continuation', ['architect> first line', '. second line'], 'idle', 'first line\nsecond line'],
    ['waiting for the model', ['> do it', '', 'Waiting for gpt-4o'], 'busy', undefined],
    ['confirmation', ['Add file to the chat?', 'src/cli/app.ts', 'Add file to the chat? (Y)es/(N)o/(D)on\'t ask again [Yes]: '], 'approval', undefined],
    ['shell command confirmation', ['Run shell command? (Y)es/(N)o/(S)kip all/(D)on\'t ask again [Yes]: '], 'approval', undefined],
    ['streaming reply', ['> do it', '', 'Here is the plan:'], 'unknown', undefined],
  ] as const)('%s', (_name, lines, state, input) => {
    expect(aiderProfile.classify(lines)).toBe(state);
    expect(aiderProfile.readInput(lines)).toBe(input);
  });

  it('keeps fancy input (bracketed paste) and plain output', () => {
    expect(aiderProfile.launch.args).toEqual(['--no-pretty', '--no-check-update']);
  });

  it('declines to open a documentation URL', () => {
    const lines = ['https://aider.chat/docs/troubleshooting.html', 'Open URL for more info? (Y)es/(N)o/(D)on\'t ask again [Yes]: '];
    expect(aiderProfile.dialogs.find((rule) => rule.matches(lines))?.answer).toEqual(['n', 'Enter']);
  });
});
