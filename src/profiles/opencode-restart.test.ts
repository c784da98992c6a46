/**
 * Issue 18, item 6: after opencode restarts mid-turn it writes a new session; poli's copy of the transcript must follow
 * the new session (it kept exporting the old one, and the reply was taken from the screen with opencode's line wrap).
 * A fake `opencode` answers `session list` and `export` from files.
 */
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPENCODE_TRANSCRIPT } from './opencode.ts';

const FAKE = `#!/usr/bin/env node
const fs = require('node:fs');
const dir = process.env.FAKE_OPENCODE_DIR;
const [a, b] = process.argv.slice(2);
if (a === 'session' && b === 'list') process.stdout.write(fs.readFileSync(dir + '/sessions.json', 'utf8'));
else if (a === 'export') process.stdout.write(fs.readFileSync(dir + '/export-' + b + '.json', 'utf8'));
else process.exit(2);
`;

const text = (id: string, body: string) => ({ id, type: 'text', text: body, time: { end: 1 } });
const exported = (...parts: object[]) => JSON.stringify({ messages: [{ info: { role: 'assistant' }, parts }] });

describe('opencode transcript copy across a restart', () => {
  it('follows the new session once the old one stops changing', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'poli-oc-restart-'));
    const project = path.join(root, 'project');
    const data = path.join(root, 'data');
    await mkdir(project);
    await mkdir(path.join(data, 'opencode'), { recursive: true });
    const program = path.join(root, 'opencode');
    await writeFile(program, FAKE);
    await chmod(program, 0o755);
    const env = { HOME: root, XDG_DATA_HOME: data, TMPDIR: root, FAKE_OPENCODE_DIR: root, PATH: process.env.PATH };
    const db = path.join(data, 'opencode', 'opencode.db');
    const copy = () => readFile(path.join(OPENCODE_TRANSCRIPT.dirs(project, env, new Date())[0] ?? '', 'session.jsonl'), 'utf8');

    await writeFile(path.join(root, 'sessions.json'), JSON.stringify([{ id: 'old', directory: project, updated: 1 }]));
    await writeFile(path.join(root, 'export-old.json'), exported(text('p1', 'first reply')));
    await writeFile(db, 'a');
    await OPENCODE_TRANSCRIPT.refresh?.(project, env, program);
    expect(await copy()).toContain('first reply');

    // opencode exits and is started again: a new session, the old one unchanged.
    await writeFile(path.join(root, 'sessions.json'), JSON.stringify([{ id: 'old', directory: project, updated: 1 }, { id: 'new', directory: project, updated: 2 }]));
    await writeFile(path.join(root, 'export-new.json'), exported(text('p2', 'the reply after the restart')));
    await writeFile(db, 'ab');
    await OPENCODE_TRANSCRIPT.refresh?.(project, env, program);
    expect(await copy()).toContain('the reply after the restart');
  });
});
