import { describe, expect, it } from 'vitest';
import { piProfile } from './pi.ts';

const RULE = '─'.repeat(60);
const FOOTER = ['/tmp/clis/pi/project (master)', '↑10 ↓728 0.6%/128k (auto)'];

// Screens measured on pi 0.73.1 (250×50 pane, default settings).
describe('piProfile', () => {
  it.each([
    ['idle, empty input', [' ```', '', RULE, '', RULE, ...FOOTER], 'idle', ''],
    ['typed text', [' Ready.', '', RULE, 'write the tests', RULE, ...FOOTER], 'idle', 'write the tests'],
    ['working', [' $ touch x', ' (no output)', ' Took 0.2s', ' ⠹ Working...', RULE, '', RULE, ...FOOTER], 'busy', ''],
    ['no input box', [' please reply'], 'unknown', undefined],
  ] as const)('%s', (_name, lines, state, input) => {
    expect(piProfile.classify(lines)).toBe(state);
    expect(piProfile.readInput(lines)).toBe(input);
  });

  it('finds its session folder from the project path', () => {
    expect(piProfile.transcript?.dirs('/tmp/clis/pi/project', { HOME: '/h' }, new Date())).toContain('/h/.pi/agent/sessions/--tmp-clis-pi-project--');
  });
});
