/**
 * The send pipeline into poli's mock TUIs (raw mode, bracketed paste, placeholders, echo, a
 * busy spinner): every payload of the engine's contract arrives exactly as sent, as the mock's
 * --record-file shows what it received.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockProfile } from '../../src/profiles/basic.ts';
import { PaneReader } from '../../src/tmux/reader.ts';
import { sanitizePayload, sendMessage, type SendReport } from '../../src/tmux/send.ts';
import type { Clock } from '../../src/tmux/types.ts';
import { createSandbox, REPO_ROOT, TSX_BIN, waitFor, type Sandbox } from '../helpers/tmux-sandbox.ts';

const clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
let sandbox: Sandbox;
let dir: string;

function mixedText(bytes: number): string {
  const chunk =
    'ASCII line with "quotes" and \'single\' $(rm -rf /) `cmd` ; \\ back\\slash\n' +
    '\tTabbed é ü ß 中文字符 😀 👨‍👩‍👧 -flag /slash #{pane_id} Enter C-c Escape F1 M-x;\n';
  let text = '';
  while (Buffer.byteLength(text) + Buffer.byteLength(chunk) <= bytes) text += chunk;
  return text + 'x'.repeat(bytes - Buffer.byteLength(text));
}

const payloads: Array<[string, string]> = [
  ['Unicode, emoji and ZWJ sequences', 'héllo — 中文 😀 👨‍👩‍👧 🏳️‍🌈 e\u0301'],
  ['quotes and command substitution', `"double" 'single' $(touch pwned) \`touch pwned\` \${HOME}`],
  ['semicolons anywhere, also at the end', '; a;b ; c;\nend;'],
  ['backslashes', 'C:\\path \\n \\\\ \\;'],
  ['lines starting with - and /', '-x\n--help\n/help\n/clear'],
  ['tmux key names and formats', 'Enter\nC-c\nEscape\nF1\nM-x\n#{pane_id} #(echo hi)'],
  ['a line of 10,000 chars', 'abcdefghij'.repeat(1000)],
  ['5,000 lines', Array.from({ length: 5000 }, (_, i) => `line ${i + 1}`).join('\n')],
  ['256 KB of mixed text', mixedText(256 * 1024)],
  ['control characters (stripped)', 'a\x1b[201~b\x07c\r\nd\u009be'],
];

describe('sendMessage into the mock TUI', () => {
  let paneId: string;
  let reader: PaneReader;
  let recordFile: string;

  beforeAll(async () => {
    sandbox = createSandbox();
    dir = await mkdtemp(join(tmpdir(), 'poli-send-mock-'));
    recordFile = join(dir, 'received.jsonl');
    const mock = join(REPO_ROOT, 'mocks/mock-planner.ts');
    paneId = await sandbox.newPane(`exec '${TSX_BIN}' '${mock}' --think-ms 0 --record-file '${recordFile}'`);
    reader = new PaneReader(sandbox.run, paneId);
  });

  afterAll(async () => {
    await sandbox.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const idle = () =>
    waitFor(
      async () => ((await reader.bottomLines(3)).includes('  ? for shortcuts') ? true : undefined),
      async () => `the mock never became idle; screen:\n${await reader.lastLines()}`,
      10_000,
    );
  const received = async (): Promise<string[]> =>
    (await readFile(recordFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { text: string }).text);

  it.each(payloads)('delivers %s exactly', async (_name, text) => {
    await idle();
    const before = (await received()).length;
    await sendMessage({ run: sandbox.run, paneId, text, profile: mockProfile, clock, reader });
    const all = await waitFor(
      async () => {
        const got = await received();
        return got.length > before ? got : undefined;
      },
      async () => `the mock recorded nothing new; screen:\n${await reader.lastLines()}`,
      10_000,
    );
    expect(all).toHaveLength(before + 1);
    const got = all.at(-1) ?? '';
    expect(Buffer.from(got, 'utf8').equals(Buffer.from(sanitizePayload(text), 'utf8'))).toBe(true);
  });
});

describe('sendMessage into a mock that is slow to show a paste', () => {
  it('a CLI that submits on paste but shows it only after the paste wait gave up gets the text once, not twice', async () => {
    const box = createSandbox();
    const tmp = await mkdtemp(join(tmpdir(), 'poli-send-slow-'));
    try {
      const recordFile = join(tmp, 'received.jsonl');
      const mock = join(REPO_ROOT, 'mocks/mock-executer.ts');
      // Input read 800 ms late (a loaded machine); poli's paste wait is 500 ms here.
      const paneId = await box.newPane(`exec '${TSX_BIN}' '${mock}' --think-ms 0 --submit-on-paste --input-lag-ms 800 --record-file '${recordFile}'`);
      const reader = new PaneReader(box.run, paneId);
      const idle = () =>
        waitFor(
          async () => ((await reader.bottomLines(3)).includes('  ? for shortcuts') ? true : undefined),
          async () => `the mock never became idle; screen:\n${await reader.lastLines()}`,
          10_000,
        );
      await idle();
      let report: SendReport | undefined;
      const text = 'slow to show, sent once';
      await sendMessage({ run: box.run, paneId, text, profile: mockProfile, clock, reader, pasteTimeoutMs: 500, onReport: (r) => (report = r) });
      // A second paste would have arrived 800 ms after it was made: wait past that, then read what the mock took.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await idle();
      const all = (await readFile(recordFile, 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { text: string }).text);
      expect(all).toEqual([text]);
      expect(report?.pastes).toBe(1);
    } finally {
      await box.cleanup();
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
