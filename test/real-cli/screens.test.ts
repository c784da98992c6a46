/**
 * Drives the real Claude Code and Codex CLIs, offline against fake model servers, through every phase poli meets
 * (start, paste, busy, reply, permission, first-run dialogs, API error), checks the profiles read each live screen
 * right and that a reply block survives the TUI, and saves each screen (POLI_WRITE_FIXTURES=1 writes them to
 * src/profiles/fixtures). Run with `npx vitest run --config test/real-cli/vitest.config.ts`; the default test run
 * skips this file (it needs ~300 MB of CLIs and a minute or more).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import type { CliProfile, DialogRule } from '../../src/profiles/types.ts';
import { replyTo, type ReplyScript } from './fake-server.ts';
import { screenLines, sleep, startClaude, startCodex, type RunningCli, type StartOptions } from './harness.ts';
import { ensureRealClis } from './install.ts';

const ENABLED = process.env.POLI_REAL_CLI === '1';
const TASK_ID = 'T1-R1-k9x2m4';
const PROMPT = [
  'Answer the block below with one block addressed to PLANNER, inside a ``` fence.',
  `[[POLI:MSG {"to":"EXECUTER","type":"task","id":"${TASK_ID}"}]]`,
  'Add a greeting to README.md.',
  'Keep it short.',
  '[[/POLI:MSG]]',
].join('\n');
const REPLY_BODY = [
  'Added the greeting.',
  '- README.md: one line',
  '  - kept __init__, *stars* and `code` as written',
  'npx vitest run → 3 passed',
].join('\n');
const CLOSE_TAG = '[[/POLI:MSG]]';

/** The fake model's answer to the task: a short sentence, then the reply block in a fence, after a pause. */
const answerTask: ReplyScript = (requestText) => ({
  delayMs: 3000,
  text: `Done; my report:\n\n\`\`\`\n${replyTo(requestText, 'EXECUTER', () => ({ to: 'PLANNER', type: 'result', body: REPLY_BODY }))}\n\`\`\``,
});

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function dialogOn(profile: CliProfile, lines: readonly string[]): DialogRule | undefined {
  return profile.dialogs.find((dialog) => dialog.matches(lines));
}

// On a clean machine this installs both CLIs (~300 MB from the npm registry) before the first test's clock starts.
beforeAll(async () => {
  if (ENABLED) await ensureRealClis();
}, 600_000);

let running: RunningCli | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(kind: 'claude' | 'codex', options: StartOptions): Promise<RunningCli> {
  running = kind === 'claude' ? await startClaude(options) : await startCodex(options);
  return running;
}

/** Waits for an idle, stable screen; returns the milliseconds it took. */
async function waitIdle(cli: RunningCli, step: string, extra: (screen: string) => boolean = () => true): Promise<string> {
  return cli.pane.waitStable(step, (screen) => cli.profile.classify(screenLines(screen)) === 'idle' && extra(screen));
}

async function answerDialog(cli: RunningCli, name: string): Promise<void> {
  const dialog = dialogOn(cli.profile, await cli.lines());
  expect(dialog?.name).toBe(name);
  if (!dialog || dialog.answer === 'refuse') throw new Error(`dialog "${name}" has no answer`);
  await cli.pane.keys(...dialog.answer);
}

/** One task turn: startup, paste, Enter, busy, reply; saves each phase as `<kind>-<phase>`. */
async function oneTurn(kind: 'claude' | 'codex'): Promise<void> {
  const started = Date.now();
  const cli = await start(kind, { script: answerTask });
  await waitIdle(cli, 'startup idle');
  console.log(`${kind}: start to idle ${Date.now() - started} ms`);
  await cli.save(`${kind}-idle-startup`);
  expect(cli.profile.readInput(await cli.lines())).toBe('');

  const pasted = Date.now();
  await cli.pane.paste(PROMPT);
  const input = await cli.pane.waitFor('paste shown', (screen) => (cli.profile.readInput(screenLines(screen)) ?? '') !== '');
  console.log(`${kind}: paste to shown ${Date.now() - pasted} ms`);
  await sleep(cli.profile.minEnterDelayMs);
  await cli.save(kind === 'claude' ? 'claude-paste-placeholder' : 'codex-input-pasted');
  if (kind === 'claude') expect(cli.profile.readInput(screenLines(input))).toBe('[Pasted text #1 +4 lines]');
  else expect(cli.profile.readInput(screenLines(input))).toBe(PROMPT);

  const entered = Date.now();
  await cli.pane.keys('Enter');
  await cli.pane.waitFor('busy', (screen) => cli.profile.classify(screenLines(screen)) === 'busy');
  await cli.save(`${kind}-busy`);
  const done = await waitIdle(cli, 'reply done', (screen) => countOf(screen, CLOSE_TAG) >= 2);
  console.log(`${kind}: Enter to reply done ${Date.now() - entered} ms`);
  await cli.save(`${kind}-reply-done`);

  const reply = parseBlocks(done).blocks.find((block) => block.header.to === 'PLANNER');
  expect(reply?.header).toEqual({ to: 'PLANNER', type: 'result', id: TASK_ID });
  expect(reply?.body).toBe(REPLY_BODY);
  expect(cli.server.turns()).toHaveLength(1);
  expect(cli.server.turns()[0]?.userText).toContain(PROMPT);
}

/** A command the model wants to run: the permission prompt, approved with Enter, then the follow-up turn. */
async function permission(kind: 'claude' | 'codex'): Promise<void> {
  const toolCall =
    kind === 'claude'
      ? { name: 'Bash', input: { command: 'touch x', description: 'Create file x' } }
      : { name: 'exec_command', input: { cmd: 'touch x', sandbox_permissions: 'require_escalated', justification: 'Create file x?' } };
  const cli = await start(kind, { script: [{ delayMs: 500, text: 'I will create x.', toolCall }, 'Created x.'] });
  await waitIdle(cli, 'startup idle');
  const prompt = 'Create a file named x please';
  await cli.pane.paste(prompt);
  await cli.pane.waitFor('text shown', (screen) => cli.profile.readInput(screenLines(screen)) === prompt);
  await sleep(cli.profile.minEnterDelayMs);
  await cli.save(`${kind}-input-typed`);
  await cli.pane.keys('Enter');
  await cli.pane.waitStable('permission prompt', (screen) => cli.profile.classify(screenLines(screen)) === 'approval');
  await cli.save(`${kind}-permission`);
  await cli.pane.keys('Enter');
  await waitIdle(cli, 'after approval', (screen) => screen.includes('Created x.'));
  await cli.save(`${kind}-after-permission`);
  expect(existsSync(join(cli.dirs.project, 'x'))).toBe(true);
  expect(cli.server.turns()).toHaveLength(2);
}

/** A request the server rejects (HTTP 400, not retried): the CLI shows an error and takes input again. */
async function apiError(kind: 'claude' | 'codex'): Promise<void> {
  const cli = await start(kind, { script: [{ httpError: { status: 400, message: 'fake: request rejected by the test' } }] });
  await waitIdle(cli, 'startup idle');
  await cli.pane.paste('hello');
  await cli.pane.waitFor('text shown', (screen) => cli.profile.readInput(screenLines(screen)) === 'hello');
  await sleep(cli.profile.minEnterDelayMs);
  await cli.pane.keys('Enter');
  const screen = await cli.pane.waitStable('error shown', (text) => text.includes('fake: request rejected by the test'));
  await cli.save(`${kind}-api-error`);
  expect(cli.profile.classify(screenLines(screen))).toBe('error');
}

describe.skipIf(!ENABLED)('real Claude Code', () => {
  it('pastes a task, shows the placeholder, turns busy and renders the reply block', () => oneTurn('claude'));

  it('asks permission for a command and runs it after Enter', () => permission('claude'));

  it('shows an API error', () => apiError('claude'));

  it('asks to trust a folder that is not pre-trusted; the profile answers it', async () => {
    const cli = await start('claude', { script: [], trustProject: false });
    await cli.pane.waitStable('trust dialog', (screen) => dialogOn(cli.profile, screenLines(screen)) !== undefined);
    await cli.save('claude-trust-dialog');
    expect(cli.profile.classify(await cli.lines())).toBe('unknown');
    await answerDialog(cli, 'trust folder');
    await waitIdle(cli, 'idle after trust');
  });

  it('asks about a custom API key; the profile picks Yes', async () => {
    const cli = await start('claude', { script: [], approveApiKey: false });
    await cli.pane.waitStable('key dialog', (screen) => dialogOn(cli.profile, screenLines(screen)) !== undefined);
    await cli.save('claude-api-key-dialog');
    await answerDialog(cli, 'custom API key');
    const screen = await waitIdle(cli, 'idle after key');
    expect(screen).not.toContain('Not logged in');
  });

  it('warns about bypass-permissions mode; the profile refuses to answer', async () => {
    const cli = await start('claude', { script: [], extraArgs: ['--dangerously-skip-permissions'] });
    await cli.pane.waitStable('bypass warning', (screen) => dialogOn(cli.profile, screenLines(screen)) !== undefined);
    await cli.save('claude-bypass-warning');
    const dialog = dialogOn(cli.profile, await cli.lines());
    expect(dialog?.name).toBe('bypass permissions warning');
    expect(dialog?.answer).toBe('refuse');
  });
});

describe.skipIf(!ENABLED)('real Codex', () => {
  it('pastes a task, shows it in the input, turns busy and renders the reply block', () => oneTurn('codex'));

  it('folds a large paste into a placeholder', async () => {
    const cli = await start('codex', { script: [] });
    await waitIdle(cli, 'startup idle');
    await cli.pane.paste(`${PROMPT}\n${'filler line for a large paste\n'.repeat(100)}`);
    const screen = await cli.pane.waitStable('placeholder', (text) => text.includes('[Pasted Content'));
    await cli.save('codex-paste-placeholder');
    expect(cli.profile.readInput(screenLines(screen))).toMatch(/^\[Pasted Content \d+ chars\]$/);
  });

  it('asks permission for a command and runs it after Enter', () => permission('codex'));

  it('shows an API error', () => apiError('codex'));

  it('asks to trust a folder that is not pre-trusted; the profile answers it', async () => {
    const cli = await start('codex', { script: [], trustProject: false });
    await cli.pane.waitStable('trust dialog', (screen) => dialogOn(cli.profile, screenLines(screen)) !== undefined);
    await cli.save('codex-trust-dialog');
    await answerDialog(cli, 'trust folder');
    await waitIdle(cli, 'idle after trust');
  });
});
