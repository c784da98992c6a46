import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { parseArgs } from './args.ts';

async function usageError(argv: string[]): Promise<string> {
  const error = await parseArgs(argv).then(() => undefined, (e: unknown) => e);
  expect(error, `poli ${argv.join(' ')} is a usage error`).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

describe('poli serve and poli work --serve', () => {
  it('take --port and --host, with 7777 and 127.0.0.1 by default', async () => {
    expect(await parseArgs(['serve'])).toEqual({ kind: 'serve', address: { host: '127.0.0.1', port: 7777 }, flags: {} });
    expect(await parseArgs(['serve', '--port', '0', '--host', '::1', '--state-dir', '/s'])).toEqual({ kind: 'serve', address: { host: '::1', port: 0 }, flags: { stateDir: '/s' } });
    expect(await parseArgs(['work', '--serve', '--port', '8080'])).toMatchObject({ kind: 'queue', action: { verb: 'work', serve: { host: '127.0.0.1', port: 8080 }, watch: true } });
    expect(await parseArgs(['work'])).toMatchObject({ kind: 'queue', action: { verb: 'work' } });
    expect(((await parseArgs(['work'])) as { action: object }).action).not.toHaveProperty('serve');
  });

  it('refuses a port that is not one, stray arguments, and --port or --host elsewhere', async () => {
    expect(await usageError(['serve', '--port', '70000'])).toBe('--port needs a port number from 0 to 65535 (0: any free port); got "70000"');
    expect(await usageError(['serve', '--port', 'x'])).toBe('--port needs a port number from 0 to 65535 (0: any free port); got "x"');
    expect(await usageError(['serve', 'now'])).toBe('unexpected arguments after "serve": now');
    expect(await usageError(['work', '--port', '8080'])).toBe('--port goes with --serve: poli work --serve --port …');
    expect(await usageError(['add', 'x', '--port', '8080'])).toMatch(/^--port goes with poli serve or with poli work, not with poli add/);
    expect(await usageError(['serve', '--serve'])).toMatch(/^--serve goes with poli work, not with poli serve/);
  });

  it('has its help, with the usage line of the design', async () => {
    const help = await parseArgs(['serve', '--help']);
    expect(help).toMatchObject({ kind: 'help', text: expect.stringMatching(/^Usage: poli serve \[--port 7777\] \[--host 127\.0\.0\.1\]\n/) });
  });
});
