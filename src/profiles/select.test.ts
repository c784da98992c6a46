import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { selectProfile } from './select.ts';

describe('selectProfile', () => {
  it.each([
    ['claude', 'claude'],
    ['/root/.cache/poli-real-cli/node_modules/.bin/claude --model opus', 'claude'],
    ['CODEX_HOME=/x codex -m o3', 'codex'],
    ['aider --model sonnet', 'aider'],
    ['gemini', 'gemini'],
    ['qwen', 'qwen'],
    ['pi', 'pi'],
    ['opencode --mini', 'opencode'],
    ['copilot', 'copilot'],
    ['my-agent --flag', 'generic'],
  ])('%s → %s', (command, name) => {
    expect(selectProfile(command).name).toBe(name);
  });

  it('takes a named profile over the command name', () => {
    expect(selectProfile('claude', 'generic').name).toBe('generic');
    expect(selectProfile('node mocks/mock-planner.ts', 'mock').name).toBe('mock');
  });

  it('names the known profiles when the name is unknown', () => {
    expect(() => selectProfile('claude', 'cursor')).toThrow(
      new ConfigError('unknown CLI profile "cursor"; known profiles: claude, codex, aider, gemini, qwen, pi, opencode, copilot, generic, mock (see docs/profiles.md)'),
    );
  });
});
