import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type CreateLoggerOptions } from './logger.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'poli-logger-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setUp(options: Partial<CreateLoggerOptions> = {}) {
  const stream = new PassThrough();
  let terminal = '';
  stream.on('data', (chunk: Buffer) => (terminal += chunk.toString('utf8')));
  const logger = createLogger({ dir, level: 'info', console: true, stream, clock: { now: () => NOW }, ...options });
  return { logger, terminal: () => terminal };
}

async function fileLines(): Promise<unknown[]> {
  const text = await readFile(path.join(dir, 'poli_orchestrator.log'), 'utf8');
  return text.trimEnd().split('\n').map((line) => JSON.parse(line));
}

const LOCAL_TIME = [new Date(NOW).getHours(), new Date(NOW).getMinutes(), new Date(NOW).getSeconds()]
  .map((n) => String(n).padStart(2, '0'))
  .join(':');

describe('createLogger', () => {
  it('writes JSON lines with timestamp, level, message, then the fields', async () => {
    const { logger } = setUp();
    logger.info('routed plan to EXECUTER', { event: 'message_routed', task: 'T1', round: 2, role: 'PLANNER' });
    logger.warn('slow reply');
    await logger.close();
    const text = await readFile(path.join(dir, 'poli_orchestrator.log'), 'utf8');
    expect(text).toBe(
      '{"timestamp":"2026-01-02T03:04:05.678Z","level":"info","message":"routed plan to EXECUTER",' +
        '"event":"message_routed","task":"T1","round":2,"role":"PLANNER"}\n' +
        '{"timestamp":"2026-01-02T03:04:05.678Z","level":"warn","message":"slow reply"}\n',
    );
  });

  it('does not let fields override level or message', async () => {
    const { logger } = setUp();
    logger.error('real', { level: 'debug', message: 'fake' } as never);
    await logger.close();
    expect(await fileLines()).toEqual([{ timestamp: '2026-01-02T03:04:05.678Z', level: 'error', message: 'real' }]);
  });

  it('writes readable lines to the terminal at the given level, without colour under NO_COLOR', async () => {
    const { logger, terminal } = setUp({ level: 'warn', noColor: true });
    logger.error('pane died', { role: 'EXECUTER' });
    logger.warn('retrying');
    logger.info('hidden');
    logger.debug('hidden too');
    await logger.close();
    expect(terminal()).toBe(`${LOCAL_TIME} error pane died\n${LOCAL_TIME} warn  retrying\n`);
    expect((await fileLines()).map((l) => (l as { message: string }).message)).toEqual(['pane died', 'retrying']);
  });

  it('colours the level unless told not to', async () => {
    const { logger, terminal } = setUp();
    logger.info('hello');
    await logger.close();
    expect(terminal()).toBe(`${LOCAL_TIME} \x1b[36minfo \x1b[0m hello\n`);
  });

  it('writes nothing to the terminal without console, and can log more detail to the file', async () => {
    const { logger, terminal } = setUp({ console: false, fileLevel: 'debug' });
    logger.debug('capture', { event: 'screen_captured', lines: 3 });
    await logger.close();
    await logger.close();
    expect(terminal()).toBe('');
    expect(await fileLines()).toEqual([
      { timestamp: '2026-01-02T03:04:05.678Z', level: 'debug', message: 'capture', event: 'screen_captured', lines: 3 },
    ]);
  });
});
