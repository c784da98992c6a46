/**
 * sendMessage into mock TUIs through real tmux, where the only question is what counts as "submitted"
 * (src/tmux/submit-evidence.ts): the mock's --record-file says what it really took, and when.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { genericProfile } from '../../src/profiles/basic.ts';
import { PaneReader } from '../../src/tmux/reader.ts';
import { sendMessage, type SendReport } from '../../src/tmux/send.ts';
import type { Clock } from '../../src/tmux/types.ts';
import { createSandbox, REPO_ROOT, TSX_BIN, waitFor } from '../helpers/tmux-sandbox.ts';

const clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

async function records(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { text: string }).text);
}

describe('sendMessage: what counts as submitted', () => {
  it('generic profile, a CLI whose first Enter breaks the line: not taken for a submission, Enter again submits it', async () => {
    const box = createSandbox();
    const tmp = await mkdtemp(join(tmpdir(), 'poli-send-newline-'));
    try {
      const recordFile = join(tmp, 'received.jsonl');
      const mock = join(REPO_ROOT, 'mocks/mock-executer.ts');
      const paneId = await box.newPane(`exec '${TSX_BIN}' '${mock}' --think-ms 0 --enter-newline-first --record-file '${recordFile}'`);
      const reader = new PaneReader(box.run, paneId);
      await waitFor(
        async () => ((await reader.bottomLines(3)).includes('  ? for shortcuts') ? true : undefined),
        async () => `the mock never became idle; screen:\n${await reader.lastLines()}`,
        10_000,
      );
      const text = 'Step one of the plan\nStep two of the plan\nReply when done';
      let report: SendReport | undefined;
      await sendMessage({ run: box.run, paneId, text, profile: genericProfile, clock, reader, onReport: (r) => (report = r) });
      // Reported sent means the mock took it: it is on record by the time sendMessage returns.
      expect(await records(recordFile)).toEqual([text]);
      expect(report?.enterPresses).toBe(2);
      expect(report?.pastes).toBe(1);
    } finally {
      await box.cleanup();
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
