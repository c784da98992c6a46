/**
 * Drives one real CLI against its fake model server answering the main turn with a provider's error, and keeps every
 * distinct screen it shows (`capture-pane -p -J`) with the request times: how the limit screens in
 * src/profiles/fixtures/limits/ were captured.
 *
 *   npx tsx test/real-cli/limit-probe.ts <cli> <case> [--fail-count N] [--seconds S] [--out DIR]
 *
 * cli: gemini, qwen, opencode, pi, copilot. case: rate, quota, usage, overloaded, auth, context (chat CLIs);
 * usage-daily, usage-hours, rate, overloaded, auth, context (gemini). `--fail-count N` fails only the first N main turns.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectProfile } from '../../src/profiles/select.ts';
import { CHAT_ERRORS, startFakeChat } from './fake-chat.ts';
import { GEMINI_ERRORS, startFakeGemini } from './fake-gemini.ts';
import type { FakeServer, HttpError, ReplyScript } from './fake-server.ts';
import { createTestDirs, seedCopilotHome, seedGeminiHome, seedOpencodeHome, seedPiHome, seedQwenHome } from './home.ts';
import { ensureMoreCli, type MoreCli } from './install.ts';
import { CliPane } from './pane.ts';

const [cli, kind, ...rest] = process.argv.slice(2) as [MoreCli, string, ...string[]];
const option = (name: string, fallback: string): string => {
  const at = rest.indexOf(`--${name}`);
  return at >= 0 ? (rest[at + 1] ?? fallback) : fallback;
};
const failCount = Number(option('fail-count', '1000000'));
const seconds = Number(option('seconds', '90'));

function errorFor(): HttpError {
  if (cli === 'gemini') {
    switch (kind) {
      case 'usage-daily':
        return GEMINI_ERRORS.quota({ perDay: true });
      case 'usage-hours':
        return GEMINI_ERRORS.quota({ retryDelaySec: 9000 });
      case 'rate':
        return GEMINI_ERRORS.quota({ retryDelaySec: 20 });
      case 'overloaded':
        return GEMINI_ERRORS.overloaded();
      case 'auth':
        return GEMINI_ERRORS.invalidKey();
      case 'context':
        return GEMINI_ERRORS.contextFull();
    }
  }
  switch (kind) {
    case 'rate':
      return CHAT_ERRORS.rate(Number(option('retry-after', '20')));
    case 'quota':
      return CHAT_ERRORS.quota();
    case 'usage':
      return CHAT_ERRORS.usage(option('reset', new Date(Date.now() + 2 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')));
    case 'overloaded':
      return CHAT_ERRORS.overloaded();
    case 'auth':
      return CHAT_ERRORS.unauthorized();
    case 'context':
      return CHAT_ERRORS.contextFull();
  }
  throw new Error(`unknown case ${kind} for ${cli}`);
}

async function main(): Promise<void> {
  const installed = await ensureMoreCli(cli);
  const dirs = await createTestDirs(join(installed.cacheDir, 'runs'));
  const out = option('out', join(dirs.root, 'probe'));
  await mkdir(out, { recursive: true });
  let failed = 0;
  const error = errorFor();
  const script: ReplyScript = (text) => {
    if (/limits probe/.test(text) && failed < failCount) {
      failed += 1;
      return { httpError: error };
    }
    return 'Hello from the fake model.';
  };
  const server: FakeServer = await (cli === 'gemini' ? startFakeGemini : startFakeChat)(script);
  const options = { home: dirs.home, project: dirs.project, baseUrl: server.url, trustProject: true };
  const env = await { gemini: seedGeminiHome, qwen: seedQwenHome, opencode: seedOpencodeHome, pi: seedPiHome, copilot: seedCopilotHome }[cli](options);
  const profile = selectProfile(installed.bin);
  const pane = await CliPane.start({
    argv: [installed.bin, ...profile.launch.args],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', TERM: 'tmux-256color', ...env, ...profile.launch.env },
    cwd: dirs.project,
  });
  const started = Date.now();
  const log: string[] = [];
  try {
    // Settled with an input box drawn (a rule): the CLI has started.
    await pane.waitFor('input box drawn', (s) => /─{20}|❯|^ BUILD\b/m.test(s), 60_000);
    // Settled: opencode's placeholder changes all the time, and a paste in its first seconds is lost.
    await new Promise((r) => setTimeout(r, cli === 'opencode' ? 8000 : 4000));
    await pane.paste(`Say hello. (limits probe: ${cli} ${kind})`);
    await new Promise((r) => setTimeout(r, 400));
    await pane.keys('Enter');
    const enter = Date.now();
    log.push(`enter at ${new Date(enter).toISOString()} (${enter - started} ms after start)`);
    let last = '';
    let n = 0;
    while (Date.now() - enter < seconds * 1000) {
      const screen = await pane.capture();
      // The elapsed-time counters change every second: compare without digits.
      const key = screen.replace(/\d+/g, '#').replace(/[\u2800-\u28ff]/g, '*');
      if (key !== last) {
        last = key;
        n += 1;
        const at = ((Date.now() - enter) / 1000).toFixed(1);
        await writeFile(join(out, `${String(n).padStart(3, '0')}-${at}s.txt`), screen);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    for (const r of server.requests) log.push(`${((r.receivedAt - started) / 1000).toFixed(1)}s ${r.method} ${r.url} ${r.kind} ${r.userText.slice(0, 60).replace(/\n/g, ' ')}`);
    await writeFile(join(out, 'requests.txt'), `${log.join('\n')}\n`);
    await pane.kill();
    await server.close();
    if (process.env.POLI_KEEP_RUNS !== '1' && !out.startsWith(dirs.root)) await dirs.cleanup();
    console.log(out);
  }
}

await main();
