/**
 * `--session-db`: the mock's session kept as opencode keeps its own, and read back through the two commands poli's
 * opencode transcript source runs (`session list --format json`, `export <id>`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_DB, formatSessionExport, formatSessionList, readSessionDb, recordingSession, runSessionCommand, SessionRecorder, withNewSession, withTextPart } from './session-db.ts';
import type { Turn } from './turn.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('the session database (pure)', () => {
  it('lists sessions newest first and exports one with its finished text parts, as opencode prints them', () => {
    let db = withNewSession(EMPTY_DB, 'ses_a', '/p', 1);
    db = withTextPart(db, 'ses_a', 'prt_1', 'Ready.', 2);
    db = withNewSession(db, 'ses_b', '/p', 3);
    db = withTextPart(db, 'ses_b', 'prt_2', 'the reply', 4);
    expect(JSON.parse(formatSessionList(db))).toEqual([
      { id: 'ses_b', directory: '/p', updated: 4 },
      { id: 'ses_a', directory: '/p', updated: 2 },
    ]);
    const exported = formatSessionExport(db, 'ses_b') ?? '';
    expect(exported.split('\n')[0]).toBe('Exporting session: ses_b');
    expect(JSON.parse(exported.slice(exported.indexOf('{'))).messages).toEqual([
      { info: { id: 'msg_prt_2', role: 'assistant' }, parts: [{ id: 'prt_2', type: 'text', text: 'the reply', time: { start: 4, end: 4 } }] },
    ]);
    expect(formatSessionExport(db, 'ses_x')).toBeUndefined();
  });
});

describe('SessionRecorder and the export commands', () => {
  it('starts a session at start and at a restart; each reply is a part written before it shows', async () => {
    const data = await mkdtemp(path.join(tmpdir(), 'poli-mock-db-'));
    dirs.push(data);
    const file = path.join(data, 'opencode', 'opencode.db');
    const recorder = new SessionRecorder(file, '/project');
    recorder.start();
    const shown: string[] = [];
    const turn = {
      reply: (text: string) => shown.push(`${text} (parts before: ${readSessionDb(file).sessions.flatMap((s) => s.messages).length})`),
      restart: () => shown.push('<restart>'),
    } as unknown as Turn;
    const handler = recordingSession(async (text, t) => {
      t.reply('Ready.');
      t.restart();
      t.reply(`answer to ${text}`);
    }, recorder);
    await handler('go', turn);
    expect(shown).toEqual(['Ready. (parts before: 1)', '<restart>', 'answer to go (parts before: 2)']);

    const env = { XDG_DATA_HOME: data };
    const list = JSON.parse(runSessionCommand(['session', 'list', '--format', 'json'], env).stdout) as { id: string; directory: string }[];
    expect(list.map((s) => s.directory)).toEqual(['/project', '/project']);
    const texts = (id: string) => {
      const out = runSessionCommand(['export', id], env).stdout;
      return (JSON.parse(out.slice(out.indexOf('{'))) as { messages: { parts: { text: string }[] }[] }).messages.flatMap((m) => m.parts.map((p) => p.text));
    };
    // Newest first: the session begun at the restart holds the answer; the first one only what came before.
    expect(texts(list[0]?.id ?? '')).toEqual(['answer to go']);
    expect(texts(list[1]?.id ?? '')).toEqual(['Ready.']);
    expect(runSessionCommand(['export', 'ses_nope'], env)).toEqual({ code: 1, stdout: '', stderr: 'Session not found: ses_nope\n' });
    expect(runSessionCommand(['run'], env).code).toBe(2);
  });
});
