import { describe, expect, it } from 'vitest';
import { changedVariables, envFingerprint } from './session-env.ts';

describe('the pane environment fingerprint', () => {
  it('names the variables set, unset or changed, and stores no value', () => {
    const before = envFingerprint({ MOCK_THINK_MS: '100', API_KEY: 'sk-secret-1', SAME: 'x' });
    const after = envFingerprint({ MOCK_THINK_MS: '200', SAME: 'x', NEW: '1' });
    expect(before).not.toContain('sk-secret-1');
    expect(changedVariables(before, after)).toEqual(['API_KEY', 'MOCK_THINK_MS', 'NEW']);
    expect(changedVariables(after, envFingerprint({ NEW: '1', SAME: 'x', MOCK_THINK_MS: '200' }))).toEqual([]);
  });
});
