/**
 * Drives one real CLI (claude, codex, gemini) through two prompts against its fake model server, which reports known
 * usage per reply: the first prompt gets a command that needs permission (approved here, as a person would) and then
 * a text, the second a plain text. Copies the CLI's transcript and the list of what the server served into the out
 * folder: how the usage fixtures in src/profiles/fixtures/usage/ were captured (issue 22, usage-context §7).
 *
 *   npx tsx test/real-cli/usage-probe.ts <claude|codex|gemini> [--out DIR]
 */
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { claudeProfile } from '../../src/profiles/claude.ts';
import { codexProfile } from '../../src/profiles/codex.ts';
import { geminiProfile } from '../../src/profiles/gemini.ts';
import type { CliProfile } from '../../src/profiles/types.ts';
import { startFakeAnthropic } from './fake-anthropic.ts';
import { startFakeGemini } from './fake-gemini.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import type { FakeServer, ReplyScript, ToolCall } from './fake-server.ts';
import { createTestDirs, seedClaudeHome, seedCodexHome, seedGeminiHome } from './home.ts';
import { ensureMoreCli, ensureRealClis } from './install.ts';
import { CliPane } from './pane.ts';

type Kind = 'claude' | 'codex' | 'gemini';
const [cli, ...rest] = process.argv.slice(2) as [Kind, ...string[]];
const at = rest.indexOf('--out');
const outOption = at >= 0 ? rest[at + 1] : undefined;

const TOOL_CALL: Record<Kind, ToolCall> = {
  claude: { name: 'Bash', input: { command: "sh -c 'touch x'", description: 'Create file x' } },
  codex: { name: 'exec_command', input: { cmd: 'touch x', sandbox_permissions: 'require_escalated', justification: 'Create file x?' } },
  gemini: { name: 'run_shell_command', input: { command: 'touch x', description: 'Create file x' } },
};
const PROFILE: Record<Kind, CliProfile> = { claude: claudeProfile, codex: codexProfile, gemini: geminiProfile };

const lines = (screen: string) => screen.split('\n').map((line) => line.trimEnd());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every file under `dir` (recursive), as paths. */
async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else found.push(path);
  }
  return found;
}

async function main(): Promise<void> {
  const profile = PROFILE[cli];
  const script: ReplyScript = [
    { text: 'I will create x.', toolCall: TOOL_CALL[cli] },
    'Created x.',
    // The second prompt's reply says how many thought tokens it used: Gemini reports them apart.
    { text: 'Hello again.', usage: { input: 7, output: 60, cacheRead: 3000, cacheWrite: 70, reasoning: 20 } },
  ];
  let server: FakeServer;
  let bin: string;
  let env: Record<string, string>;
  let cacheDir: string;
  if (cli === 'gemini') {
    const installed = await ensureMoreCli('gemini');
    cacheDir = installed.cacheDir;
    bin = installed.bin;
    server = await startFakeGemini(script);
  } else {
    const clis = await ensureRealClis();
    cacheDir = clis.cacheDir;
    bin = cli === 'claude' ? clis.claude : clis.codex;
    server = await (cli === 'claude' ? startFakeAnthropic : startFakeOpenAi)(script);
  }
  const dirs = await createTestDirs(join(cacheDir, 'runs'));
  const options = { home: dirs.home, project: dirs.project, baseUrl: server.url, trustProject: true };
  if (cli === 'claude') env = await seedClaudeHome({ ...options, version: (await ensureRealClis()).claudeVersion });
  else if (cli === 'codex') env = await seedCodexHome(options);
  else env = await seedGeminiHome(options);
  const out = outOption ?? join(dirs.root, 'usage-probe');
  await mkdir(out, { recursive: true });
  const pane = await CliPane.start({
    argv: [bin, ...profile.launch.args],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', TERM: 'tmux-256color', ...env, ...profile.launch.env },
    cwd: dirs.project,
  });
  const idle = (step: string, extra: (screen: string) => boolean = () => true) =>
    pane.waitStable(step, (screen) => profile.classify(lines(screen)) === 'idle' && extra(screen), 1500, 90_000);
  const send = async (text: string) => {
    await pane.paste(text);
    // A large paste shows as a placeholder: anything in the input box means it arrived.
    await pane.waitFor('text shown', (screen) => (profile.readInput(lines(screen)) ?? '') !== '', 20_000);
    await sleep(Math.max(400, profile.minEnterDelayMs));
    await pane.keys('Enter');
  };
  try {
    await idle('startup idle');
    await send('Create a file named x please');
    await pane.waitStable('permission prompt', (screen) => profile.classify(lines(screen)) === 'approval', 800, 60_000);
    await pane.keys('Enter');
    await idle('after approval', (screen) => screen.includes('Created x.'));
    // Long, as poli's messages are: a CLI that shows a placeholder for a large paste must still record the text.
    await send(`[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1-R1-abc123"}]]\n${Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n')}\n[[/POLI:MSG]]\nSay hello again`);
    await idle('second reply', (screen) => screen.includes('Hello again.'));
    // Late records (Claude's final snapshot, Gemini's second write) land after the screen looks idle.
    await sleep(5000);
  } finally {
    await writeFile(join(out, 'screen.txt'), await pane.captureAll().catch(() => ''));
    await pane.kill();
    await server.close();
    const files = (await walk(dirs.home)).filter((path) => path.endsWith('.jsonl'));
    for (const file of files) {
      const size = (await stat(file)).size;
      const name = file.slice(dirs.home.length + 1).replace(/\//g, '__');
      await copyFile(file, join(out, name));
      console.log(`${name} (${size} bytes)`);
    }
    await writeFile(join(out, 'served.json'), `${JSON.stringify(server.served, null, 2)}\n`);
    await writeFile(
      join(out, 'requests.txt'),
      `${server.requests.map((r) => `${r.method} ${r.url} ${r.kind} ${r.userText.slice(0, 60).replace(/\n/g, ' ')}`).join('\n')}\n`,
    );
    console.log(out);
  }
}

await main();
