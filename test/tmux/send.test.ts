/**
 * The send pipeline through a real tmux server into test/fixtures/paste-recorder.ts, which
 * records the exact bytes of each bracketed paste it was made to submit.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubmitFailedError } from '../../src/errors.ts';
import { mockProfile } from '../../src/profiles/basic.ts';
import { PaneReader } from '../../src/tmux/reader.ts';
import { sendMessage, type SendReport } from '../../src/tmux/send.ts';
import type { Clock } from '../../src/tmux/types.ts';
import { createSandbox, defaultSocketPath, REPO_ROOT, TSX_BIN, waitFor, type Sandbox } from '../helpers/tmux-sandbox.ts';

const clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
let sandbox: Sandbox;
let dir: string;
let recorders = 0;

interface Recorder {
  paneId: string;
  reader: PaneReader;
  /** Sends `text` and returns the bytes the recorder received for it. */
  send(text: string, report?: (r: SendReport) => void, more?: { mayBeInBox?: boolean }): Promise<Buffer>;
}

async function startRecorder(flags = ''): Promise<Recorder> {
  recorders += 1;
  const outFile = join(dir, `received-${recorders}.jsonl`);
  const script = join(REPO_ROOT, 'test/fixtures/paste-recorder.ts');
  const paneId = await sandbox.newPane(`exec '${TSX_BIN}' '${script}' '${outFile}' ${flags}`);
  const reader = new PaneReader(sandbox.run, paneId);
  await waitFor(
    async () => ((await reader.bottomLines(5)).includes('  ? for shortcuts') ? true : undefined),
    async () => `recorder never drew its prompt; screen:\n${await reader.lastLines()}`,
  );
  let count = 0;
  const received = async () =>
    (await readFile(outFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => Buffer.from((JSON.parse(line) as { b64: string }).b64, 'base64'));
  return {
    paneId,
    reader,
    async send(text, onReport, more) {
      await sendMessage({ run: sandbox.run, paneId, text, profile: mockProfile, clock, reader, onReport, ...more });
      count += 1;
      const all = await waitFor(
        async () => {
          const got = await received();
          return got.length >= count ? got : undefined;
        },
        async () => `recorder file has fewer than ${count} submissions; screen:\n${await reader.lastLines()}`,
        5_000,
      );
      expect(all).toHaveLength(count);
      return all[count - 1] as Buffer;
    },
  };
}

function mixedText(bytes: number): string {
  const chunk = 'ASCII line with "quotes" and \'single\' $(rm -rf /) `cmd` ; \\ back\\slash\n' +
    '\tTabbed é ü ß 中文字符 日本語 😀 👨‍👩‍👧 🏳️‍🌈 -flag /slash #{pane_id} Enter C-c M-x\n';
  let text = '';
  while (Buffer.byteLength(text) + Buffer.byteLength(chunk) <= bytes) text += chunk;
  return text + 'x'.repeat(bytes - Buffer.byteLength(text));
}

beforeAll(async () => {
  sandbox = createSandbox();
  dir = await mkdtemp(join(tmpdir(), 'poli-send-'));
});

afterAll(async () => {
  await sandbox.cleanup();
  expect(existsSync(defaultSocketPath(sandbox.socket))).toBe(false);
  await rm(dir, { recursive: true, force: true });
});

describe('sendMessage through tmux', () => {
  let recorder: Recorder;
  beforeAll(async () => {
    recorder = await startRecorder();
  });

  const payloads: Array<[string, string]> = [
    ['plain Unicode, emoji and ZWJ sequences', 'héllo wörld — 中文 日本語 😀 👨‍👩‍👧 🏳️‍🌈 🇩🇪 e\u0301'],
    ['quotes', `"double" 'single' \`back\` “curly” ‘curly’`],
    ['command substitution', '$(rm -rf /) and ${HOME} and $HOME and `rm -rf /`'],
    ['semicolons anywhere', '; a;b ; c;\n;\nend;'],
    ['backslashes', 'C:\\path\\to\\file \\n \\t \\\\ \\; \\'],
    ['lines starting with - and /', '-x\n--help\n/help\n/clear\n- item'],
    ['tmux key names', 'Enter\nC-c\nEscape\nF1\nM-x\nC-m BSpace Tab'],
    ['tmux formats', '#{pane_id} #{session_name} #(echo hi) ##'],
    ['a line of 10,000 chars', 'abcdefghij'.repeat(1000)],
    ['5,000 lines', Array.from({ length: 5000 }, (_, i) => `line ${i + 1} of 5000`).join('\n')],
    ['tabs and a trailing newline', 'a\tb\t\tc\n'],
  ];

  it.each(payloads)('delivers %s byte for byte', async (_name, text) => {
    const got = await recorder.send(text);
    expect(got.equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('delivers 256 KB of mixed text byte for byte', async () => {
    const text = mixedText(256 * 1024);
    expect(Buffer.byteLength(text)).toBe(262_144);
    let report: SendReport | undefined;
    const started = Date.now();
    const got = await recorder.send(text, (r) => (report = r));
    console.log(`[send] 256 KB: confirmed after ${report?.elapsedMs} ms (${JSON.stringify(report)}), recorded after ${Date.now() - started} ms`);
    expect(got.length).toBe(262_144);
    expect(got.equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('strips ESC and control characters, keeping LF and TAB', async () => {
    const got = await recorder.send('a\x1b[201~b\x07c\x00d\r\ne\x7ff\u009bg\th\x1b[31mred\x1b[0m\rz');
    expect(got.toString('utf8')).toBe('a[201~bcd\nefg\th[31mred[0m\nz');
  });

  it('submits a message a stopped poli had pasted but not submitted, instead of pasting it behind itself', async () => {
    // `poli --resume` of a message whose receipt says `pasted`: the text may still sit in the input box.
    const text = '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1-R1-k9x2"}]]\n<PLAN>step one</PLAN>\n[[/POLI:MSG]]';
    const loaded = await sandbox.run(['load-buffer', '-b', 'left-over', '-', ';', 'paste-buffer', '-p', '-r', '-d', '-b', 'left-over', '-t', recorder.paneId], { input: text });
    expect(loaded.exitCode).toBe(0);
    // The recorder shows a multi-line paste as `[Pasted text #1 +2 lines]`, as Claude Code does.
    await waitFor(async () => (mockProfile.readInput(await recorder.reader.bottomLines(15))?.startsWith('[Pasted text') ? true : undefined), async () => await recorder.reader.lastLines());
    let report: SendReport | undefined;
    const got = await recorder.send(text, (r) => (report = r), { mayBeInBox: true });
    expect(got.toString('utf8')).toBe(text);
    expect(report).toMatchObject({ pastes: 0, enterPresses: 1 });
  });

  it('leaves copy mode first', async () => {
    await sandbox.run(['copy-mode', '-t', recorder.paneId]);
    expect((await recorder.reader.snapshot()).inMode).toBe(true);
    const got = await recorder.send('after copy mode');
    expect(got.toString('utf8')).toBe('after copy mode');
    expect((await recorder.reader.snapshot()).inMode).toBe(false);
  });
});

describe('sendMessage against difficult programs', () => {
  it('presses Enter again when the first Enter after a paste is swallowed', async () => {
    const recorder = await startRecorder('--swallow-enters 1');
    let report: SendReport | undefined;
    const got = await recorder.send('swallowed once', (r) => (report = r));
    expect(got.toString('utf8')).toBe('swallowed once');
    expect(report).toMatchObject({ attempts: 2, enterPresses: 2, pastes: 1 });
  });

  it('throws SubmitFailedError naming the pane when the program never accepts', async () => {
    const recorder = await startRecorder('--swallow-enters -1');
    const error = await sendMessage({ run: sandbox.run, paneId: recorder.paneId, text: 'never', profile: mockProfile, clock }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SubmitFailedError);
    const message = (error as Error).message;
    expect(message).toContain(`could not submit the message in pane ${recorder.paneId}: the text stayed in the input box after Enter`);
    expect(message).toContain('  | ❯\u00a0never');
  });
});
