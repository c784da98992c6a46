/**
 * Issue 18, item 18: a reply file that is not a regular file (a FIFO, a symlink) must never be opened for reading in a
 * way that blocks: a FIFO with no writer blocks open(2) forever, and with it the dialogue loop, its timeouts and its
 * SIGTERM handling. Such a file is ignored; a regular reply file beside it is still taken.
 */
import { execFileSync } from 'node:child_process';
import { constants, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PaneChannel } from '../reading/channel.ts';
import { formatBlock } from '../protocol/format-block.ts';
import { REPLY_FILE_SETTLE_MS, withHandoff } from './handoff.ts';

const ID = 'T1-R1-k9x2m4';
const message = `${formatBlock({ to: 'EXECUTER', type: 'plan', id: ID }, 'plan')}\nReply.`;
const reply = formatBlock({ to: 'PLANNER', type: 'result', id: ID }, 'done');

async function setup() {
  const projectDir = await mkdtemp(path.join(tmpdir(), 'poli-reply-kinds-'));
  const inner: PaneChannel = {
    role: 'EXECUTER',
    paneId: '%1',
    mark: async () => 'mark',
    submit: async () => undefined,
    readSince: async () => 'screen',
    screenState: async () => 'idle',
    lastLines: async () => '',
  };
  const clock = { ms: 0 };
  const channel = withHandoff(inner, { projectDir, fileThreshold: 2048, now: () => clock.ms });
  await channel.mark({ id: ID });
  await channel.submit(message);
  const dir = path.join(projectDir, '.poli', 'replies');
  await mkdir(dir, { recursive: true });
  return { channel, clock, dir };
}

/**
 * Reads through `channel` while checking whether anyone holds the FIFO open for reading: a reader blocked in open(2)
 * lets a non-blocking open of the write end succeed (and is released by it); with no reader that open fails (ENXIO).
 */
async function readWatchingFifo(channel: PaneChannel, fifo: string): Promise<{ text: string; fifoOpened: boolean }> {
  let settled = false;
  let fifoOpened = false;
  const reading = channel.readSince('mark').finally(() => (settled = true));
  while (!settled) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      fifoOpened = true;
    } catch {
      // no reader on the FIFO
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { text: await reading, fifoOpened };
}

describe('reply files that are not regular files', () => {
  it('skips a FIFO named like a reply file without blocking, and still takes a regular reply file beside it', async () => {
    const { channel, clock, dir } = await setup();
    const fifo = path.join(dir, `${ID}.md`);
    execFileSync('mkfifo', [fifo]);
    await writeFile(path.join(dir, `${ID}-result.md`), reply);
    const first = await readWatchingFifo(channel, fifo);
    expect(first).toEqual({ text: 'screen', fifoOpened: false });
    clock.ms += REPLY_FILE_SETTLE_MS;
    const second = await readWatchingFifo(channel, fifo);
    expect(second).toEqual({ text: `${reply}\nscreen`, fifoOpened: false });
  });

  it('does not follow a symlink named like a reply file', async () => {
    const { channel, clock, dir } = await setup();
    const elsewhere = path.join(dir, '..', 'elsewhere.md');
    await writeFile(elsewhere, reply);
    await symlink(elsewhere, path.join(dir, `${ID}.md`));
    expect(await channel.readSince('mark')).toBe('screen');
    clock.ms += REPLY_FILE_SETTLE_MS;
    expect(await channel.readSince('mark')).toBe('screen');
  });
});
