/**
 * Finding and reading a CLI's transcript files (profile.transcript), shared by the reply recovery
 * (transcript-recovery.ts, per turn) and the usage ledger (usage-ledger.ts, for the whole session).
 */
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TranscriptSource } from '../profiles/types.ts';

/** The transcript files in the source's folders for `projectDir`, plus `extra` ones (recent, grown), each once. */
export async function listTranscripts(
  source: TranscriptSource,
  projectDir: string,
  env: Readonly<Record<string, string | undefined>>,
  now: Date,
  extra: Iterable<string> = [],
): Promise<string[]> {
  const found: string[] = [];
  for (const dir of source.dirs(projectDir, env, now)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) if (source.file.test(name)) found.push(path.join(dir, name));
  }
  return [...new Set([...found, ...extra])];
}

/** `length` bytes of `file` from `start` (fewer when the file is shorter). */
export async function readRange(file: string, start: number, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
