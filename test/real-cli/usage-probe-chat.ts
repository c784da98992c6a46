/**
 * Drives one real Chat Completions CLI (Qwen Code, opencode, pi, GitHub Copilot CLI) through one prompt that makes two
 * API calls (a tool call, then the answer) against the fake server, which reports known usage per call, and prints
 * what the CLI wrote to its transcript about usage beside what the server served: how the fixtures in
 * src/profiles/fixtures/usage/ were captured and the parsers' field readings settled (usage-context §7).
 *
 *   npx tsx test/real-cli/usage-probe-chat.ts <qwen|opencode|pi|copilot> [--usage-chunk] [--out DIR]
 *
 * Writes `<out>/transcript.jsonl` (every transcript line; for opencode also `export.json`), `served.json` and
 * `parsed.json` (the profile's usage parser over the transcript).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { selectProfile } from '../../src/profiles/select.ts';
import { startFakeChat } from './fake-chat.ts';
import type { ReplyScript, ToolCall } from './fake-server.ts';
import { createTestDirs, seedCopilotHome, seedOpencodeHome, seedPiHome, seedQwenHome } from './home.ts';
import { ensureMoreCli } from './install.ts';
import { CliPane } from './pane.ts';

type ChatCli = 'qwen' | 'opencode' | 'pi' | 'copilot';
const [cli, ...rest] = process.argv.slice(2) as [ChatCli, ...string[]];
const option = (name: string, fallback: string): string => {
  const at = rest.indexOf(`--${name}`);
  return at >= 0 ? (rest[at + 1] ?? fallback) : fallback;
};
const TOOL: Record<ChatCli, ToolCall> = {
  qwen: { name: 'run_shell_command', input: { command: 'touch y', description: 'Create file y', is_background: false } },
  opencode: { name: 'bash', input: { command: 'touch y', description: 'Create file y' } },
  pi: { name: 'bash', input: { command: 'touch y' } },
  copilot: { name: 'bash', input: { command: 'touch y', description: 'Create file y' } },
};
const PROMPT = '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1-R1-probe1"}]]\nusage probe: run touch y, then say done.\n[[/POLI:MSG]]';

async function main(): Promise<void> {
  const installed = await ensureMoreCli(cli);
  const dirs = await createTestDirs(join(installed.cacheDir, 'runs'));
  const out = option('out', join(dirs.root, 'probe'));
  await mkdir(out, { recursive: true });
  let asked = false;
  const script: ReplyScript = (text) => {
    if (/usage probe/.test(text) && !asked) {
      asked = true;
      return { text: 'Running a command first.', toolCall: TOOL[cli] };
    }
    return 'Done: the usage probe is answered.';
  };
  const server = await startFakeChat(script, { cacheStyle: cli === 'pi' ? 'openrouter' : 'openai', usageChunk: rest.includes('--usage-chunk') });
  const options = { home: dirs.home, project: dirs.project, baseUrl: server.url, trustProject: true };
  const env = await { qwen: seedQwenHome, opencode: seedOpencodeHome, pi: seedPiHome, copilot: seedCopilotHome }[cli](options);
  const profile = selectProfile(installed.bin);
  const fullEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', TERM: 'tmux-256color', ...env, ...profile.launch.env };
  const pane = await CliPane.start({ argv: [installed.bin, ...profile.launch.args], env: fullEnv, cwd: dirs.project });
  try {
    await pane.waitFor('input box drawn', (s) => /─{20}|❯|^ BUILD\b/m.test(s), 60_000);
    // Qwen Code takes 10–14 s to start and drops a paste made before its placeholder shows; opencode a paste in its
    // first seconds.
    if (cli === 'qwen') await pane.waitFor('placeholder', (s) => s.includes('Type your message'), 60_000);
    await new Promise((r) => setTimeout(r, cli === 'opencode' ? 8000 : 4000));
    await pane.paste(PROMPT);
    await new Promise((r) => setTimeout(r, 400));
    await pane.keys('Enter');
    const deadline = Date.now() + 120_000;
    let idleSince = 0;
    while (Date.now() < deadline) {
      const lines = (await pane.capture()).split('\n').map((l) => l.trimEnd());
      const state = profile.classify(lines.slice(-40));
      if (state === 'approval') await pane.keys('Enter');
      const answered = server.served.filter((s) => s.kind === 'turn').length >= 2;
      if (answered && state === 'idle') {
        idleSince ||= Date.now();
        if (Date.now() - idleSince > 5000) break;
      } else idleSince = 0;
      await new Promise((r) => setTimeout(r, 500));
    }
    const source = profile.transcript;
    if (!source) throw new Error(`${cli}: no transcript source`);
    await source.refresh?.(dirs.project, fullEnv, installed.bin);
    if (cli === 'opencode') {
      const list = JSON.parse(execFileSync(installed.bin, ['session', 'list', '--format', 'json'], { cwd: dirs.project, env: fullEnv, encoding: 'utf8' })) as { id: string }[];
      const id = list[0]?.id;
      if (id) await writeFile(join(out, 'export.json'), execFileSync(installed.bin, ['export', id], { cwd: dirs.project, env: fullEnv, encoding: 'utf8' }));
    }
    const lines: string[] = [];
    for (const dir of source.dirs(dirs.project, fullEnv, new Date())) {
      let names: string[] = [];
      try {
        names = readdirSync(dir).filter((name) => source.file.test(name));
      } catch {
        continue;
      }
      for (const name of names) lines.push(...readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => l.trim() !== ''));
    }
    const parser = source.usage?.();
    const parsed = lines.flatMap((line) => parser?.feed(JSON.parse(line)) ?? []);
    await writeFile(join(out, 'transcript.jsonl'), `${lines.join('\n')}\n`);
    await writeFile(join(out, 'served.json'), `${JSON.stringify(server.served, null, 1)}\n`);
    await writeFile(join(out, 'parsed.json'), `${JSON.stringify(parsed, null, 1)}\n`);
    await writeFile(join(out, 'requests.txt'), server.requests.map((r) => `${r.method} ${r.url} ${r.kind} ${r.userText.slice(0, 80).replace(/\n/g, ' ')}`).join('\n') + '\n');
    await writeFile(join(out, 'screen.txt'), await pane.captureAll());
  } finally {
    await pane.kill();
    await server.close();
    // The run's HOME and project go (the out folder holds what was captured), unless kept for a look.
    if (process.env.POLI_KEEP_RUNS !== '1' && !out.startsWith(dirs.root)) await dirs.cleanup();
    console.log(out);
  }
}

await main();
