import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PoliError, StateFileError } from '../errors.ts';
import {
  ApprovalGate,
  EditorFailedError,
  appendAuditLog,
  formatRejection,
  needsApproval,
  openInEditor,
  resolveEditor,
  type ApprovalRecord,
  type ApprovalRequest,
} from './approval.ts';

const NOW = Date.UTC(2024, 0, 2, 12, 0, 1);
const REQUEST: ApprovalRequest = {
  task: 'T3',
  round: 1,
  from: 'PLANNER',
  to: 'EXECUTER',
  type: 'plan',
  id: 'T3-R1-ab12cd',
  body: '1. Create hello.txt\n2. Write Hello',
};
const SHOWN = '── approve? T3 r1 PLANNER → EXECUTER plan T3-R1-ab12cd ──\n1. Create hello.txt\n2. Write Hello\n──\n';
const QUESTION = 'Approve, edit or reject? [a/e/r] ';

/** A gate whose terminal answers from a script and whose output, edits and audit entries are recorded. */
function scriptedGate(answers: string[], edit: (text: string) => Promise<string> = () => Promise.reject(new Error('no edit'))) {
  const output: string[] = [];
  const audits: ApprovalRecord[] = [];
  const edits: string[] = [];
  const gate = new ApprovalGate({
    prompt: async (question) => {
      output.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`no scripted answer left for ${JSON.stringify(question)}`);
      output.push(`${answer}\n`);
      return answer;
    },
    edit: async (text) => {
      edits.push(text);
      return edit(text);
    },
    write: (text) => output.push(text),
    audit: async (entry) => {
      audits.push(entry);
    },
    clock: { now: () => NOW },
  });
  return { gate, transcript: () => output.join(''), audits, edits, answers };
}

describe('needsApproval', () => {
  it.each([
    ['off', 'plan', false],
    ['off', 'review', false],
    ['plans', 'plan', true],
    ['plans', 'continue', true],
    ['plans', 'revision', true],
    ['plans', 'review', false],
    ['plans', 'task', false],
    ['plans', 'result', false],
    ['all', 'task', true],
    ['all', 'review', true],
    ['all', 'plan', true],
  ] as const)('%s, %s → %s', (mode, type, expected) => {
    expect(needsApproval(mode, type)).toBe(expected);
  });
});

describe('ApprovalGate', () => {
  it('approves, showing the message and asking once', async () => {
    const { gate, transcript, audits } = scriptedGate(['a']);
    expect(await gate.ask(REQUEST)).toEqual({ action: 'approve' });
    expect(transcript()).toBe(`${SHOWN}${QUESTION}a\n`);
    expect(audits).toEqual([
      { at: '2024-01-02T12:00:01.000Z', task: 'T3', round: 1, id: 'T3-R1-ab12cd', type: 'plan', decision: 'approve' },
    ]);
  });

  it('asks again on anything but a/e/r (in any case, or spelled out)', async () => {
    const { gate, transcript } = scriptedGate(['', 'yes', '  APPROVE  ']);
    expect(await gate.ask(REQUEST)).toEqual({ action: 'approve' });
    const again = 'Please answer a (approve), e (edit) or r (reject).\n';
    expect(transcript()).toBe(`${SHOWN}${QUESTION}\n${again}${QUESTION}yes\n${again}${QUESTION}  APPROVE  \n`);
  });

  it('rejects with a reason, asking again while the reason is empty', async () => {
    const { gate, transcript, audits } = scriptedGate(['r', '  ', ' Step 2 is wrong: say Hi ']);
    expect(await gate.ask(REQUEST)).toEqual({ action: 'reject', reason: 'Step 2 is wrong: say Hi' });
    expect(transcript()).toBe(
      `${SHOWN}${QUESTION}r\nReason for rejecting:   \n` +
        'A reason is needed: the PLANNER gets it as a revision request.\n' +
        'Reason for rejecting:  Step 2 is wrong: say Hi \n',
    );
    expect(audits.map((a) => JSON.stringify(a))).toEqual([
      '{"at":"2024-01-02T12:00:01.000Z","task":"T3","round":1,"id":"T3-R1-ab12cd","type":"plan","decision":"reject",' +
        '"reason":"Step 2 is wrong: say Hi"}',
    ]);
  });

  it('edits: the editor gets the body and the edited body is sent', async () => {
    const { gate, transcript, audits, edits } = scriptedGate(['e'], async (text) => text.replace('Hello', 'Hi'));
    expect(await gate.ask(REQUEST)).toEqual({ action: 'edit', body: '1. Create hello.txt\n2. Write Hi' });
    expect(edits).toEqual([REQUEST.body]);
    expect(transcript()).toBe(`${SHOWN}${QUESTION}e\npoli: sending the edited message.\n`);
    expect(audits.map((a) => JSON.stringify(a))).toEqual([
      '{"at":"2024-01-02T12:00:01.000Z","task":"T3","round":1,"id":"T3-R1-ab12cd","type":"plan","decision":"edit",' +
        '"edited":"1. Create hello.txt\\n2. Write Hi"}',
    ]);
  });

  it('counts an edit that changed nothing as an approval', async () => {
    const { gate, transcript, audits } = scriptedGate(['e'], async (text) => text);
    expect(await gate.ask(REQUEST)).toEqual({ action: 'approve' });
    expect(transcript()).toBe(`${SHOWN}${QUESTION}e\npoli: the message is unchanged; sending it as it is.\n`);
    expect(audits[0]?.decision).toBe('approve');
  });

  it('asks again when the editor fails or leaves the message empty', async () => {
    const results = [
      () => Promise.reject(new EditorFailedError('vi', 'exited with status 1')),
      () => Promise.resolve(' \n'),
    ];
    const { gate, transcript } = scriptedGate(['e', 'e', 'a'], () => results.shift()!());
    expect(await gate.ask(REQUEST)).toEqual({ action: 'approve' });
    expect(transcript()).toBe(
      `${SHOWN}${QUESTION}e\n` +
        'poli: the editor "vi" exited with status 1; the message was not changed. Set $EDITOR to an editor that ' +
        'waits until you close the file (e.g. EDITOR=vi, or EDITOR="code --wait").\n' +
        `${QUESTION}e\npoli: the edited message is empty; nothing was changed.\n${QUESTION}a\n`,
    );
  });

  it('lets unexpected editor errors and a closed terminal through, recording nothing', async () => {
    const bug = scriptedGate(['e'], () => Promise.reject(new TypeError('boom')));
    await expect(bug.gate.ask(REQUEST)).rejects.toThrow(new TypeError('boom'));
    expect(bug.audits).toEqual([]);
    const closed = scriptedGate([]);
    await expect(closed.gate.ask(REQUEST)).rejects.toThrow('no scripted answer left for "Approve, edit or reject? [a/e/r] "');
    expect(closed.audits).toEqual([]);
  });
});

describe('formatRejection', () => {
  it('tells the PLANNER what was rejected and why', () => {
    expect(formatRejection(REQUEST, 'Say Hi, not Hello')).toBe(
      'The human supervising this task rejected your plan message T3-R1-ab12cd; it was not forwarded. ' +
        'Their reason:\nSay Hi, not Hello\nRevise it and reply again.',
    );
  });
});

describe('files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'poli-approval-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appendAuditLog appends one JSON line per decision, creating the directory', async () => {
    const file = path.join(dir, 'logs', 'approvals.jsonl');
    const base = { at: '2024-01-02T12:00:01.000Z', task: 'T3', round: 1, id: 'T3-R1-ab12cd', type: 'plan' } as const;
    await appendAuditLog(file, { ...base, decision: 'approve' });
    await appendAuditLog(file, { ...base, decision: 'reject', reason: 'no' });
    expect(await readFile(file, 'utf8')).toBe(
      '{"at":"2024-01-02T12:00:01.000Z","task":"T3","round":1,"id":"T3-R1-ab12cd","type":"plan","decision":"approve"}\n' +
        '{"at":"2024-01-02T12:00:01.000Z","task":"T3","round":1,"id":"T3-R1-ab12cd","type":"plan","decision":"reject","reason":"no"}\n',
    );
  });

  it('appendAuditLog fails with a StateFileError naming the file', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    await writeFile(blocker, '');
    const file = path.join(blocker, 'approvals.jsonl');
    const attempt = appendAuditLog(file, { at: 'x', task: 'T1', round: 0, id: 'i', type: 'plan', decision: 'approve' });
    await expect(attempt).rejects.toBeInstanceOf(StateFileError);
    await expect(attempt).rejects.toThrow(`could not append to the approval log ${file}: `);
  });

  it('openInEditor runs the editor through sh on a temp file, returns its text and removes the file', async () => {
    const calls: string[][] = [];
    const result = await openInEditor('line 1\nline 2', {
      editor: 'code --wait',
      tmpDir: dir,
      spawn: async (command, args) => {
        calls.push([command, ...args]);
        const file = args[3]!;
        expect(await readFile(file, 'utf8')).toBe('line 1\nline 2\n');
        await writeFile(file, 'line 1\nline two\n');
        return 0;
      },
    });
    expect(result).toBe('line 1\nline two');
    expect(calls).toEqual([['sh', '-c', 'code --wait "$@"', 'code --wait', expect.stringMatching(/poli-edit-.*message\.md$/)]]);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    [1, 'exited with status 1'],
    [null, 'was killed by a signal'],
  ])('openInEditor fails with EditorFailedError when the editor exits with %s', async (code, detail) => {
    const attempt = openInEditor('x', { editor: 'vi', tmpDir: dir, spawn: async () => code });
    await expect(attempt).rejects.toBeInstanceOf(EditorFailedError);
    await expect(attempt).rejects.toMatchObject({ code: 'EDITOR_FAILED' });
    await expect(attempt).rejects.toThrow(`the editor "vi" ${detail}; the message was not changed.`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('openInEditor reports an editor that cannot be started', async () => {
    const attempt = openInEditor('x', { editor: 'vi', tmpDir: dir, spawn: () => Promise.reject(new Error('spawn sh ENOENT')) });
    await expect(attempt).rejects.toThrow('the editor "vi" could not be started (spawn sh ENOENT); the message was not changed.');
    await expect(attempt).rejects.toBeInstanceOf(PoliError);
  });

  it('openInEditor runs a real editor command by default', async () => {
    expect(await openInEditor('Hello', { editor: "sed -i -e 's/Hello/Hi/'", tmpDir: dir })).toBe('Hi');
    expect(await readdir(dir)).toEqual([]);
  });

  it('resolveEditor takes $EDITOR, else vi', () => {
    expect(resolveEditor({ EDITOR: 'nano' })).toBe('nano');
    expect(resolveEditor({ EDITOR: ' ' })).toBe('vi');
    expect(resolveEditor({})).toBe('vi');
  });
});
