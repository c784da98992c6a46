import { appendFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUDE_TRANSCRIPT } from '../profiles/claude.ts';
import { CODEX_TRANSCRIPT } from '../profiles/codex.ts';
import { formatBlock } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import { TranscriptRecovery } from './transcript-recovery.ts';

const ID = 'T1-R1-k9x2m4';
const BODY = '# heading\nEdited src/pkg/__init__.py: *a* and _b_\n- `load()`\n  - nested';
/** How Codex renders BODY outside a fence (measured on 0.169.0). */
const CODEX_RENDERED = '  # heading\n\n  Edited src/pkg/init.py: a and b\n\n  • load()\n      • nested';
const PROJECT = '/work/my.project';
const block = (body: string, type: 'status' | 'result' = 'result') => formatBlock({ to: 'PLANNER', type, id: ID }, body);
const claudeRecord = (text: string) => `${JSON.stringify({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text }] } })}\n`;

async function claudeSetup(options: { holdMs?: number } = {}) {
  const home = await mkdtemp(path.join(tmpdir(), 'poli-transcript-'));
  const dir = path.join(home, '.claude', 'projects', '-work-my-project');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'session.jsonl');
  await writeFile(file, claudeRecord(`old turn\n${formatBlock({ to: 'PLANNER', type: 'result', id: 'T0-R1-aaaaaa' }, 'old')}`));
  let now = 1_000;
  const recovery = new TranscriptRecovery({
    source: CLAUDE_TRANSCRIPT,
    projectDir: PROJECT,
    env: { HOME: home },
    role: 'EXECUTER',
    now: () => new Date(now),
    ...options,
  });
  await recovery.begin();
  return { recovery, file, advance: (ms: number) => (now += ms) };
}

describe('transcript sources', () => {
  it('Claude: ~/.claude/projects/<path with dashes>, or $CLAUDE_CONFIG_DIR/projects/…', () => {
    expect(CLAUDE_TRANSCRIPT.dirs('/root/.cache/x_y/project', { HOME: '/h' }, new Date())).toEqual(['/h/.claude/projects/-root--cache-x-y-project']);
    expect(CLAUDE_TRANSCRIPT.dirs('/p', { HOME: '/h', CLAUDE_CONFIG_DIR: '/c' }, new Date())).toEqual(['/c/projects/-p']);
    expect(CLAUDE_TRANSCRIPT.assistantTexts({ type: 'user', message: { content: [{ type: 'text', text: 'x' }] } })).toEqual([]);
  });

  it('Codex: $CODEX_HOME/sessions/YYYY/MM/DD of today and yesterday; response_item assistant messages', () => {
    const dirs = CODEX_TRANSCRIPT.dirs('/p', { HOME: '/h' }, new Date(Date.UTC(2026, 0, 1, 12)));
    expect(dirs).toContain('/h/.codex/sessions/2026/01/01');
    expect(dirs).toContain('/h/.codex/sessions/2025/12/31');
    expect(CODEX_TRANSCRIPT.dirs('/p', { CODEX_HOME: '/ch' }, new Date())[0]).toMatch(/^\/ch\/sessions\/\d{4}\/\d\d\/\d\d$/);
    const record = {
      type: 'response_item',
      payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi', annotations: [] }] },
    };
    expect(CODEX_TRANSCRIPT.assistantTexts(record)).toEqual(['hi']);
    expect(CODEX_TRANSCRIPT.assistantTexts({ type: 'event_msg', payload: { type: 'agent_message', message: 'hi' } })).toEqual([]);
  });
});

describe('TranscriptRecovery', () => {
  it('replaces a rendered body with the one the model wrote, leaving every other line alone', async () => {
    const { recovery, file } = await claudeSetup();
    await appendFile(file, claudeRecord(`Here it is:\n${block(BODY)}`));
    const screen = `› echo of the prompt\n• Here it is:\n  ${block('x').split('\n')[0]}\n${CODEX_RENDERED}\n  [[/POLI:MSG]]\n\nWorked for 1s`;
    const rewritten = await recovery.rewrite(screen);
    expect(parseBlocks(rewritten).blocks.map((b) => b.body)).toEqual([BODY]);
    expect(rewritten.startsWith('› echo of the prompt\n• Here it is:\n[[POLI:MSG')).toBe(true);
    expect(rewritten.endsWith('[[/POLI:MSG]]\n\nWorked for 1s')).toBe(true);
  });

  it('leaves a screen alone when it shows the body exactly, and ignores blocks of earlier turns', async () => {
    const { recovery, file } = await claudeSetup();
    await appendFile(file, claudeRecord(block('plain')));
    const screen = `● ${block('plain')}`;
    expect(await recovery.rewrite(screen)).toBe(screen);
  });

  it('confirms a block the transcript holds with the same header and body, of this turn only (issue 18, item 6)', async () => {
    const { recovery, file } = await claudeSetup();
    await appendFile(file, claudeRecord(block('plain', 'status')));
    const [shown] = parseBlocks(`● ${block('plain', 'status')}`).blocks;
    const [other] = parseBlocks(`● ${block('plain but longer', 'status')}`).blocks;
    const [old] = parseBlocks(formatBlock({ to: 'PLANNER', type: 'result', id: 'T0-R1-aaaaaa' }, 'old')).blocks;
    await recovery.rewrite(`● ${block('plain', 'status')}`);
    expect([shown, other, old].map((b) => b !== undefined && recovery.confirms(b))).toEqual([true, false, false]);
    await recovery.begin();
    expect(shown !== undefined && recovery.confirms(shown)).toBe(false);
  });

  it('appends a block the transcript has and the screen does not show (its close tag eaten by a quote)', async () => {
    const { recovery, file } = await claudeSetup();
    await appendFile(file, claudeRecord(block('> quoted\nafter')));
    const screen = `● [[POLI:MSG {"to":"PLANNER","type":"result","id":"${ID}"}]]\n  ▎ quoted\n  ▎ after\n  ▎ [[/POLI:MSG]]`;
    const rewritten = await recovery.rewrite(screen);
    expect(parseBlocks(rewritten).blocks.map((b) => b.body)).toEqual(['> quoted\nafter']);
  });

  it('keeps a reply back while its record is not written yet, then lets it through after holdMs', async () => {
    const { recovery, advance } = await claudeSetup({ holdMs: 3_000 });
    const screen = `● ${block('rendered')}`;
    expect(parseBlocks(await recovery.rewrite(screen)).blocks).toEqual([]);
    advance(3_000);
    expect(await recovery.rewrite(screen)).toBe(screen);
  });

  it('pairs several blocks of one header in order when the counts agree', async () => {
    const { recovery, file } = await claudeSetup();
    await appendFile(file, claudeRecord(`${block('step *1*', 'status')}\n${block('step *2*', 'status')}`));
    const screen = `● ${block('step 1', 'status')}\n● ${block('step 2', 'status')}`;
    expect(parseBlocks(await recovery.rewrite(screen)).blocks.map((b) => b.body)).toEqual(['step *1*', 'step *2*']);
  });

  it('reads only complete lines, and each line once', async () => {
    const { recovery, file } = await claudeSetup();
    const line = claudeRecord(block('__x__'));
    await appendFile(file, line.slice(0, 40));
    const screen = `● ${block('x')}`;
    expect(parseBlocks(await recovery.rewrite(screen)).blocks).toEqual([]); // held: record not complete yet
    await appendFile(file, line.slice(40));
    expect(parseBlocks(await recovery.rewrite(screen)).blocks.map((b) => b.body)).toEqual(['__x__']);
    expect(parseBlocks(await recovery.rewrite(screen)).blocks.map((b) => b.body)).toEqual(['__x__']);
  });

  it('does nothing when the CLI keeps no transcript where the profile looks', async () => {
    const recovery = new TranscriptRecovery({ source: CLAUDE_TRANSCRIPT, projectDir: PROJECT, env: { HOME: '/nonexistent' }, role: 'EXECUTER' });
    await recovery.begin();
    const screen = `● ${block('x')}`;
    expect(await recovery.rewrite(screen)).toBe(screen);
  });

  it('finds a Codex session that started days ago, in the day folder it started in (issue 18, item 10)', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'poli-codex-'));
    const old = path.join(home, '.codex', 'sessions', '2026', '11', '28');
    await mkdir(old, { recursive: true });
    const file = path.join(old, 'rollout-2026-11-28T10-00-00-0190aaaa.jsonl');
    await writeFile(file, `${JSON.stringify({ type: 'session_meta', payload: {} })}\n`);
    const now = new Date(Date.UTC(2026, 11, 7, 4));
    const recovery = new TranscriptRecovery({ source: CODEX_TRANSCRIPT, projectDir: PROJECT, env: { HOME: home }, role: 'EXECUTER', now: () => now });
    await recovery.begin();
    const record = { type: 'response_item', payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: block(BODY) }] } };
    await appendFile(file, `${JSON.stringify(record)}\n`);
    const screen = `• ${block('x').split('\n')[0]}\n${CODEX_RENDERED}\n  [[/POLI:MSG]]`;
    expect(parseBlocks(await recovery.rewrite(screen)).blocks.map((b) => b.body)).toEqual([BODY]);
  });
});
