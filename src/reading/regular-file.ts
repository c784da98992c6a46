/**
 * Reading a file that someone else (a CLI, another local process) may have put in poli's way. A reply file in
 * `.poli/replies/` is named by the CLI, so it can be anything: a FIFO with no writer blocks open(2) forever (and with
 * it the dialogue loop, its timeouts and its signal handling), a symlink can point anywhere, a device never ends.
 * Only a regular file is read, and nothing here can block: lstat first, then open with O_NONBLOCK|O_NOFOLLOW and check
 * the opened file again with fstat (it may have been swapped between the two).
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';

/** A reply larger than this is not a reply poli will read whole (it would be pasted nowhere anyway). */
export const MAX_REGULAR_FILE_BYTES = 16 * 1024 * 1024;

/** The UTF-8 text of `file` when it is a regular file (not a symlink, FIFO, socket or device); undefined otherwise. */
export async function readRegularFile(file: string, maxBytes = MAX_REGULAR_FILE_BYTES): Promise<string | undefined> {
  const info = await lstat(file).catch(() => undefined);
  if (!info?.isFile() || info.size > maxBytes) return undefined;
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.size > maxBytes) return undefined;
    return await handle.readFile('utf8');
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
