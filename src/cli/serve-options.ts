/**
 * `poli serve` and `poli work --serve` (issue 21): the dashboard's command, its options, and their parsing. Pure.
 * Kept apart from options.ts, which lists them with the others.
 */
import { ConfigError } from '../errors.ts';
import type { CommandSpec, OptionSpec } from './option-types.ts';

/** Where the server listens. */
export interface ServeAddress {
  host: string;
  port: number;
}

export const SERVE_DEFAULT_HOST = '127.0.0.1';
export const SERVE_DEFAULT_PORT = 7777;

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { flag: 'port', type: 'string', describe: 'With serve or work --serve: the dashboard\'s port, 0 for any free one (default: 7777)' },
  { flag: 'host', type: 'string', describe: 'With serve or work --serve: the address to listen on (default: 127.0.0.1, this machine only)' },
  { flag: 'serve', type: 'boolean', describe: 'With work: also serve the dashboard (as poli serve), and keep waiting for new tasks (as --watch) until Ctrl+C' },
];

export const SERVE_OPTION_OWNER: Record<string, 'serve' | 'work' | readonly ('serve' | 'work')[]> = {
  port: ['serve', 'work'],
  host: ['serve', 'work'],
  serve: 'work',
};

export const SERVE_COMMAND: CommandSpec = {
  usage: 'poli serve [--port 7777] [--host 127.0.0.1]',
  describe:
    'serve the dashboard and its HTTP API over the state directory until Ctrl+C: every task and pair at a glance, live panes, approvals; open the URL it prints (it holds the token)',
  settings: ['state-dir', 'project-dir', 'socket'],
};

/** `--host` and `--port` as given (defaults otherwise). Throws ConfigError (exit 2) for a port that is not one. */
export function serveAddress(parsed: Record<string, unknown>): ServeAddress {
  const rawPort = parsed['port'];
  const host = typeof parsed['host'] === 'string' ? parsed['host'].trim() : SERVE_DEFAULT_HOST;
  if (host === '') throw new ConfigError('--host needs an address, e.g. --host 127.0.0.1');
  if (rawPort === undefined) return { host, port: SERVE_DEFAULT_PORT };
  const text = String(rawPort).trim();
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new ConfigError(`--port needs a port number from 0 to 65535 (0: any free port); got ${JSON.stringify(String(rawPort))}`);
  return { host, port: Number(text) };
}

/** `poli work`'s `--serve` (and its address), or undefined; `--port`/`--host` without `--serve` are a usage error. */
export function workServe(parsed: Record<string, unknown>): ServeAddress | undefined {
  if (parsed['serve'] === true) return serveAddress(parsed);
  const stray = ['port', 'host'].find((flag) => parsed[flag] !== undefined);
  if (stray !== undefined) throw new ConfigError(`--${stray} goes with --serve: poli work --serve --${stray} …`);
  return undefined;
}
