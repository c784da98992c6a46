import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Intake } from './intake.ts';
import { SECRET_FILE, loadIntakeSecret, paneTokens, tokenMatches } from './pane-token.ts';
import { mcpRegistration } from './register.ts';

describe('pane tokens', () => {
  it('the secret is made once, mode 0600, and read back: a restarted poli (--resume) derives the same tokens', async () => {
    const stateDir = path.join(await mkdtemp(path.join(tmpdir(), 'poli-token-')), 'state');
    const first = await loadIntakeSecret(stateDir);
    expect((await stat(path.join(stateDir, SECRET_FILE))).mode & 0o777).toBe(0o600);
    const again = await loadIntakeSecret(stateDir);
    expect(again).toBe(first);
    expect(paneTokens(again, 'poli')).toEqual(paneTokens(first, 'poli'));
    const tokens = paneTokens(first, 'poli');
    expect(tokens.PLANNER).not.toBe(tokens.EXECUTER);
    expect(paneTokens(first, 'other').PLANNER).not.toBe(tokens.PLANNER);
  });

  it('a secret file that is not poli\'s is an error that says what to do', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'poli-token-'));
    await writeFile(path.join(stateDir, SECRET_FILE), 'not a secret\n');
    await expect(loadIntakeSecret(stateDir)).rejects.toThrow(/does not hold poli's secret .*remove it/);
  });

  it('each registration gives the pane and its MCP server the pane token', () => {
    const claude = mcpRegistration('claude', { role: 'EXECUTER', socketPath: '/run/x.sock', token: 'abc123' });
    expect(claude.env.POLI_PANE_TOKEN).toBe('abc123');
    expect(claude.args[1]).toContain('"POLI_PANE_TOKEN":"abc123"');
    expect(mcpRegistration('pi', { role: 'PLANNER', socketPath: '/run/x.sock', token: 'def' }).env.POLI_PANE_TOKEN).toBe('def');
  });

  it('the intake takes a role\'s reply only with that role\'s token', async () => {
    const tokens = { PLANNER: 'p'.repeat(64), EXECUTER: 'e'.repeat(64) };
    const intake = new Intake({ projectDir: tmpdir(), tokens });
    const request = { op: 'reply', role: 'EXECUTER', via: 'tool', id: 'T1-R1-aaaaaa', to: 'PLANNER', type: 'result', body: 'x' } as const;
    expect(await intake.handle(request)).toMatchObject({ ok: false, code: 'denied', error: expect.stringMatching(/^no pane token/) });
    expect(await intake.handle({ ...request, token: tokens.PLANNER })).toMatchObject({ ok: false, code: 'denied', error: expect.stringMatching(/^the pane token is not the EXECUTER's/) });
    // The right token passes the check (and meets the turn check: nothing is pending).
    expect(await intake.handle({ ...request, token: tokens.EXECUTER })).toMatchObject({ ok: false, code: 'closed' });
    expect(tokenMatches('abc', 'abcd')).toBe(false);
    expect(tokenMatches('abc', undefined)).toBe(false);
  });
});
