import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claudeProfile } from './claude.ts';

/** A captured screen (real Claude Code 2.1.197, 250×50 pane, `capture-pane -p -J`), as lines. */
function fixture(name: string): string[] {
  return readFileSync(new URL(`./fixtures/${name}.txt`, import.meta.url), 'utf8').split('\n');
}

/** The last `count` lines once the blank rows under the UI are dropped: what a reader of the bottom sees. */
function bottom(lines: readonly string[], count = 15): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end -= 1;
  return lines.slice(Math.max(0, end - count), end);
}

describe('claudeProfile over real screens', () => {
  it.each([
    ['claude-idle-startup', 'idle', '', undefined],
    ['claude-input-typed', 'idle', 'Create a file named x please', undefined],
    ['claude-paste-placeholder', 'idle', '[Pasted text #1 +4 lines]', undefined],
    ['claude-busy', 'busy', '', undefined],
    ['claude-reply-done', 'idle', '', undefined],
    ['claude-permission', 'approval', undefined, undefined],
    ['claude-after-permission', 'idle', '', undefined],
    ['claude-api-error', 'error', '', undefined],
    ['claude-trust-dialog', 'unknown', undefined, 'trust folder'],
    ['claude-api-key-dialog', 'unknown', undefined, 'custom API key'],
    ['claude-bypass-warning', 'unknown', undefined, 'bypass permissions warning'],
  ] as const)('%s: %s, input %j, dialog %s', (name, state, input, dialog) => {
    const screen = fixture(name);
    for (const lines of [screen, bottom(screen)]) {
      expect(claudeProfile.classify(lines)).toBe(state);
      expect(claudeProfile.readInput(lines)).toBe(input);
      expect(claudeProfile.dialogs.find((rule) => rule.matches(lines))?.name).toBe(dialog);
    }
  });

  it("answers a usage limit's options with 1 (stop and wait), never credits or an upgrade", () => {
    const lines = readFileSync(new URL('./fixtures/limits/claude-sub-usage-3days-dialog.txt', import.meta.url), 'utf8').split('\n');
    expect(claudeProfile.dialogs.find((rule) => rule.matches(lines))).toMatchObject({ name: 'usage limit options', answer: ['1'] });
  });

  it('answers the dialogs safely: trust only the project, key with 1 (Yes), never bypass', () => {
    const byName = Object.fromEntries(claudeProfile.dialogs.map((rule) => [rule.name, rule]));
    expect(byName['trust folder']).toMatchObject({ answer: ['1'], projectOnly: true });
    expect(byName['custom API key']?.answer).toEqual(['1']);
    expect(byName['bypass permissions warning']?.answer).toBe('refuse');
  });
});

describe('claudeProfile over edited screens', () => {
  const rule = '─'.repeat(80);

  it('is busy from the spinner line even when the footer shows the paste hint', () => {
    const lines = ['❯ task', '', '✶ Pondering… (4s · ↓ 12 tokens)', '', rule, '❯\u00a0', rule, '  paste again to expand'];
    expect(claudeProfile.classify(lines)).toBe('busy');
  });

  it('is idle after a finished turn whose summary has no ellipsis', () => {
    const lines = ['● Done.', '', '✻ Worked for 12s', '', rule, '❯\u00a0', rule, '  ? for shortcuts'];
    expect(claudeProfile.classify(lines)).toBe('idle');
  });

  it('reads a multi-line input and takes an echo above the box for history, not input', () => {
    const lines = ['❯ old prompt', '', rule, '❯\u00a0first line', '  second line', rule, '  ? for shortcuts'];
    expect(claudeProfile.readInput(lines)).toBe('first line\nsecond line');
  });

  it('is an error when the key was refused (footer "Not logged in")', () => {
    const lines = [rule, '❯\u00a0', rule, '  ? for shortcuts · ← for agents     Not logged in · Run /login'];
    expect(claudeProfile.classify(lines)).toBe('error');
  });

  it('cannot read an input without the box', () => {
    expect(claudeProfile.readInput(['● some reply'])).toBeUndefined();
    expect(claudeProfile.classify(['● some reply'])).toBe('unknown');
  });
});

describe('claudeProfile on Claude Code 2.1.332 (newest measured)', () => {
  const trust = [
    ' Accessing workspace:',
    ' /tmp/project',
    ' Quick safety check: Is this a project you created or one you trust? (Like your own code, a well-known open source project, or work from your team).',
    " Claude Code'll be able to read, edit, and execute files here.",
    ' Security guide',
    ' ❯ No, exit',
    '   Yes, I trust this folder',
    ' Enter to confirm · Esc to cancel',
  ];
  it('moves off the preselected "No, exit" to "Yes, I trust this folder", for the project only', () => {
    expect(claudeProfile.dialogs.find((rule) => rule.matches(trust))).toMatchObject({ answer: ['Down', 'Enter'], projectOnly: true });
  });
  it('does not answer when the order is not the measured one', () => {
    const swapped = trust.map((line) => (line === ' ❯ No, exit' ? ' ❯ Yes, I trust this folder' : line === '   Yes, I trust this folder' ? '   No, exit' : line));
    expect(claudeProfile.dialogs.find((rule) => rule.matches(swapped))?.name).not.toBe('trust folder (unnumbered)');
  });
});

describe('claudeProfile on Claude Code 2.1.332: auto mode without its server-side check', () => {
  it('stays in auto mode (Enter), which asks the person for each action', () => {
    const notice = [
      '  Auto mode can\'t check actions in this session',
      '  Auto mode\'s safety check runs on the server. Your requests go through 127.0.0.1:43543, and the check isn\'t getting through.',
      '  You can stay in auto mode and approve each action that needs the check yourself.',
      '  Enter to stay in auto mode · shift+Tab to leave for accept edits mode and stop · Esc to cancel',
    ];
    expect(claudeProfile.dialogs.find((rule) => rule.matches(notice))).toMatchObject({ name: 'auto mode cannot check', answer: ['Enter'] });
  });
  it('sees the unnumbered per-action prompt (No preselected) as an approval', () => {
    const prompt = [' Bash command', ' Create file y', " sh -c 'touch y'", ' Auto mode can\'t check actions in this session, so this one needs your approval', ' Do you want to proceed?', ' ❯ No', '   Yes', ' Esc to cancel · Tab to amend'];
    expect(claudeProfile.classify(prompt)).toBe('approval');
  });
});
