import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codexProfile } from './codex.ts';

/** A captured screen (real Codex 0.169.0, `--no-alt-screen`, 250×50 pane, `capture-pane -p -J`), as lines. */
function fixture(name: string): string[] {
  return readFileSync(new URL(`./fixtures/${name}.txt`, import.meta.url), 'utf8').split('\n');
}

function bottom(lines: readonly string[], count = 15): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end -= 1;
  return lines.slice(Math.max(0, end - count), end);
}

const PASTED = [
  'Answer the block below with one block addressed to PLANNER, inside a ``` fence.',
  '[[POLI:MSG {"to":"EXECUTER","type":"task","id":"T1-R1-k9x2m4"}]]',
  'Add a greeting to README.md.',
  'Keep it short.',
  '[[/POLI:MSG]]',
].join('\n');

describe('codexProfile over real screens', () => {
  it.each([
    ['codex-idle-startup', 'idle', '', undefined],
    ['codex-input-typed', 'idle', 'Create a file named x please', undefined],
    ['codex-input-pasted', 'idle', PASTED, undefined],
    ['codex-paste-placeholder', 'idle', '[Pasted Content 3203 chars]', undefined],
    ['codex-busy', 'busy', '', undefined],
    ['codex-reply-done', 'idle', '', undefined],
    ['codex-permission', 'approval', undefined, undefined],
    ['codex-after-permission', 'idle', '', undefined],
    ['codex-api-error', 'error', '', undefined],
    ['codex-trust-dialog', 'unknown', undefined, 'trust folder'],
  ] as const)('%s: %s, input %j, dialog %s', (name, state, input, dialog) => {
    const screen = fixture(name);
    for (const lines of [screen, bottom(screen)]) {
      expect(codexProfile.classify(lines)).toBe(state);
      expect(codexProfile.readInput(lines)).toBe(input);
      expect(codexProfile.dialogs.find((rule) => rule.matches(lines))?.name).toBe(dialog);
    }
  });

  it('launches with a real scrollback, no daemon and no update check', () => {
    expect(codexProfile.dialogs.find((rule) => rule.name === 'trust folder')).toMatchObject({ answer: ['Enter'], projectOnly: true });
    expect(codexProfile.launch.args).toEqual(['--no-alt-screen', '--no-daemon', '-c', 'check_for_update_on_startup=false']);
  });
});

describe('codexProfile over edited screens', () => {
  it('refuses the update prompt, whose first choice runs npm install', () => {
    const lines = ['  ✨ Update available! 0.169.0 -> 0.170.0', '', '› 1. Update now (runs `npm install -g @openai/codex`)', '  2. Skip', '  3. Skip until next version'];
    const rule = codexProfile.dialogs.find((dialog) => dialog.matches(lines));
    expect(rule?.answer).toBe('refuse');
    expect(codexProfile.classify(lines)).toBe('unknown');
  });

  it('is busy while a turn runs under another status header', () => {
    expect(codexProfile.classify(['• Thinking (3s • esc to interrupt)', '', '› Ask Codex to do anything'])).toBe('busy');
  });
});
