import { describe, expect, it } from 'vitest';
import { withLaunchArgs } from './launch.ts';

const CODEX_ARGS = ['--no-alt-screen', '--no-daemon', '-c', 'check_for_update_on_startup=false'];

describe('withLaunchArgs', () => {
  it.each([
    ['claude', [], 'claude'],
    ['codex', CODEX_ARGS, 'codex --no-alt-screen --no-daemon -c check_for_update_on_startup=false'],
    ['codex --no-alt-screen -m o3', CODEX_ARGS, 'codex --no-alt-screen -m o3 --no-daemon -c check_for_update_on_startup=false'],
    ['codex -c check_for_update_on_startup=true', CODEX_ARGS, 'codex -c check_for_update_on_startup=true --no-alt-screen --no-daemon'],
    ["'/opt/my tools/codex'", ['--flag=a b'], "'/opt/my tools/codex' '--flag=a b'"],
    ['aider --no-pretty=false', ['--no-pretty'], 'aider --no-pretty=false'],
  ] as const)('%s + %j → %s', (command, args, expected) => {
    expect(withLaunchArgs(command, args)).toBe(expected);
  });
});
