/**
 * A `poli serve` server for tests: a temporary state directory and project, a fixed token and port, the real stores.
 * Used by src/serve's tests and the browser tests.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type DashboardServer, type ServeOptions } from '../../src/serve/server.ts';

export const TEST_TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuv';
export const TEST_PORT = 7777;
export const TEST_HOST_HEADER = `127.0.0.1:${TEST_PORT}`;

export interface TestServer extends DashboardServer {
  stateDir: string;
  projectDir: string;
  /** Headers that pass the checks: Host and the token. */
  headers: Record<string, string>;
  cleanup(): Promise<void>;
}

/** A server over fresh temporary directories (not listening: use `app.inject`). */
export async function createTestServer(options: Partial<ServeOptions> = {}): Promise<TestServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'poli-serve-'));
  const stateDir = path.join(root, 'state');
  const projectDir = path.join(root, 'project');
  await mkdir(stateDir, { recursive: true });
  await mkdir(projectDir, { recursive: true });
  const server = await createServer({
    stateDir,
    projectDir,
    socket: 'poli-test-serve',
    runtimeDir: path.join(root, 'runtime'),
    port: TEST_PORT,
    token: TEST_TOKEN,
    ...options,
  });
  return {
    ...server,
    stateDir,
    projectDir,
    headers: { host: TEST_HOST_HEADER, authorization: `Bearer ${TEST_TOKEN}` },
    async cleanup() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
