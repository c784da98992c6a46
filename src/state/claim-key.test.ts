import { describe, expect, it } from 'vitest';
import { claimKey, describeClaim, DEFAULT_SESSION } from './claim-key.ts';

describe('claimKey', () => {
  it('is the socket itself for the default session, so existing paths stay as they were', () => {
    expect(claimKey('poli', DEFAULT_SESSION)).toBe('poli');
    expect(claimKey('poli-test-x1', 'poli')).toBe('poli-test-x1');
  });

  it('is socket@session for a named session', () => {
    expect(claimKey('poli', 'T7')).toBe('poli@T7');
    expect(claimKey('team.a', 'A')).toBe('team.a@A');
  });

  it('keeps distinct pairs apart, also where names would run together', () => {
    const pairs: [string, string][] = [
      ['poli', 'A'],
      ['poli', 'B'],
      ['poli@A', 'poli'], // not a valid socket name; shown only to say why "@" separates
      ['poli-A', 'poli'],
      ['poli', 'poli-A'],
      ['pol', 'i-A'],
    ];
    const keys = pairs.map(([socket, session]) => claimKey(socket, session));
    expect(keys).toEqual(['poli@A', 'poli@B', 'poli@A', 'poli-A', 'poli@poli-A', 'pol@i-A']);
    const valid = keys.filter((_, i) => i !== 2);
    expect(new Set(valid).size).toBe(valid.length);
  });
});

describe('describeClaim', () => {
  it('names the socket alone for the default session, the session and socket otherwise', () => {
    expect(describeClaim('poli', 'poli')).toBe('socket "poli"');
    expect(describeClaim('poli', 'T7')).toBe('session "T7" on socket "poli"');
  });
});
