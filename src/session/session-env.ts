/**
 * The environment poli set in a pane, remembered in tmux as a fingerprint: a reused session started with other
 * settings for its CLIs (MOCK_THINK_MS, an API key variable) is told apart, without storing any value.
 */
import { createHash } from 'node:crypto';

/**
 * The pane environment poli set, as variable names with a short hash of each value (no value is stored in tmux):
 * enough to tell that a reused session was started with other settings, and which.
 */
export function envFingerprint(env: Readonly<Record<string, string>>): string {
  const entries = Object.keys(env)
    .sort()
    .map((name) => [name, createHash('sha256').update(env[name] ?? '').digest('hex').slice(0, 12)]);
  return JSON.stringify(Object.fromEntries(entries));
}

/** Names of the variables that differ (set, unset or changed) between two fingerprints. */
export function changedVariables(before: string, after: string): string[] {
  const parse = (text: string): Record<string, string> => {
    try {
      return JSON.parse(text) as Record<string, string>;
    } catch {
      return {};
    }
  };
  const a = parse(before);
  const b = parse(after);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((name) => a[name] !== b[name]).sort();
}
