import { mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PaneChannel } from '../reading/channel.ts';
import { newTurn, takeReplies } from '../dialogue/turn.ts';
import { formatBlock } from '../protocol/format-block.ts';
import type { Role } from '../protocol/types.ts';
import { PassThrough, Readable } from 'node:stream';
import { sendToIntake } from './client.ts';
import { runReplyCommand } from './reply-command.ts';
import { fileJournal, type ReplyJournal } from './reply-journal.ts';
import { Intake } from './intake.ts';
import type { IntakeRequest } from './wire.ts';

const ID = 'T1-R1-k9x2m4';

function fakePane(role: Role = 'EXECUTER') {
  const pane = { screen: '' };
  const channel: PaneChannel = {
    role,
    paneId: role === 'PLANNER' ? '%0' : '%1',
    mark: async () => 'mark',
    submit: async () => undefined,
    readSince: async () => pane.screen,
    screenState: async () => 'busy',
    lastLines: async () => '',
  };
  return { pane, channel };
}

const reply = (fields: Partial<Extract<IntakeRequest, { op: 'reply' }>> = {}): IntakeRequest => ({
  op: 'reply',
  role: 'EXECUTER',
  via: 'tool',
  id: ID,
  to: 'PLANNER',
  type: 'result',
  body: 'done',
  ...fields,
});

/** Bodies a screen could not carry: a 5,000-character line, ANSI-looking text, a close tag, quoted blocks. */
export const HARD_BODY = [
  'x'.repeat(5000),
  '[31mred[0m and [1;32mbold green[0m, as text',
  '[[/POLI:MSG]]',
  `[[POLI:MSG {"to":"PLANNER","type":"result","id":"${ID}"}]]`,
  '\\[[/POLI:MSG]]',
  '```',
  '  indented code with trailing text',
  '```',
  '- a list item, __init__, *a*, _b_',
  '> quoted',
].join('\n');

let open: Intake[] = [];
afterEach(async () => {
  await Promise.all(open.map((intake) => intake.close()));
  open = [];
});

async function setup() {
  const projectDir = await mkdtemp(path.join(tmpdir(), 'poli-intake-'));
  const intake = new Intake({ projectDir });
  open.push(intake);
  return { projectDir, intake };
}

describe('the intake: replies checked against the pending turn', () => {
  it('refuses a reply while nothing is pending in that pane, then takes one for the pending id', async () => {
    const { intake } = await setup();
    const { pane, channel } = fakePane();
    const wrapped = intake.wrap(channel);
    expect(await intake.handle(reply())).toEqual({ ok: false, code: 'closed', error: expect.stringMatching(/not waiting for a reply from the EXECUTER/) });
    const since = await wrapped.mark({ id: ID });
    pane.screen = 'the CLI is still working';
    expect(await intake.handle(reply({ body: 'all done' }))).toEqual({ ok: true, text: `delivered: poli has your result to PLANNER for message ${ID}` });
    const turn = newTurn('EXECUTER', ID, since, '', '', 'plan');
    const [block] = takeReplies(turn, await wrapped.readSince(since), true);
    expect(block?.header).toEqual({ to: 'PLANNER', type: 'result', id: ID });
    expect(block?.body).toBe('all done');
    expect(block && wrapped.origin?.(block)).toBe('tool');
  });

  it('says precisely what is wrong: unknown id, an answered id, a type not allowed, a wrong addressee, a second result', async () => {
    const { intake } = await setup();
    const wrapped = intake.wrap(fakePane().channel);
    await wrapped.mark({ id: 'T1-R1-old111' });
    await wrapped.mark({ id: ID });
    const error = async (request: IntakeRequest) => {
      const response = await intake.handle(request);
      return response.ok ? `ok: ${response.text}` : response.error;
    };
    expect(await error(reply({ id: 'T1-R1-zzzzzz' }))).toBe(`unknown id "T1-R1-zzzzzz": the message poli waits on from the EXECUTER has id "${ID}"`);
    expect(await error(reply({ id: 'T1-R1-old111' }))).toMatch(/^message T1-R1-old111 is closed: poli no longer waits for a reply to it .*not recorded/);
    expect(await error(reply({ type: 'plan', to: 'EXECUTER' }))).toBe('type "plan" is not allowed now: the EXECUTER answers with status, result, error');
    expect(await error(reply({ to: 'ORCHESTRATOR' }))).toBe('wrong addressee "ORCHESTRATOR": a result from the EXECUTER goes to PLANNER');
    expect(await error(reply({ type: 'status', body: 'half way' }))).toMatch(/^ok: delivered/);
    expect(await error(reply({ type: 'status', body: 'more' }))).toMatch(/^ok: delivered/);
    expect(await error(reply())).toMatch(/^ok: delivered/);
    expect(await error(reply({ type: 'error', body: 'changed my mind' }))).toMatch(/already delivered; poli takes one result or error per message, so this one is not recorded/);
    expect(await error({ ...reply(), role: 'BOB' as Role })).toMatch(/^unknown role "BOB"/);
  });

  it('a CLI replies only for its own role: the planner pane cannot send the executer\'s result', async () => {
    const { intake } = await setup();
    const planner = intake.wrap(fakePane('PLANNER').channel);
    await planner.mark({ id: ID });
    const response = await intake.handle(reply({ role: 'PLANNER' }));
    expect(response).toEqual({ ok: false, code: 'invalid', error: 'type "result" is not allowed now: the PLANNER answers with plan, continue, revision, complete, error' });
    expect(await intake.handle(reply({ role: 'EXECUTER' }))).toEqual({ ok: false, code: 'closed', error: expect.stringMatching(/not waiting for a reply from the EXECUTER/) });
  });

  it('keeps a body no screen could carry byte for byte, and extra header fields', async () => {
    const { intake } = await setup();
    const { channel } = fakePane();
    const wrapped = intake.wrap(channel);
    const since = await wrapped.mark({ id: ID });
    const big = `${HARD_BODY}\n${'0123456789abcdef'.repeat(64 * 1024)}`;
    expect((await intake.handle(reply({ body: big, extra: { files: 3, to: 'EXECUTER' } }))).ok).toBe(true);
    const [block] = takeReplies(newTurn('EXECUTER', ID, since, '', '', 'plan'), await wrapped.readSince(since), true);
    expect(block?.body).toBe(big);
    expect(block?.header).toEqual({ to: 'PLANNER', type: 'result', id: ID, files: 3 });
  });

  it('keeps a body exactly as given: edge blank lines, trailing blanks, tabs, no-break spaces, CRLF, control bytes', async () => {
    const { intake } = await setup();
    const wrapped = intake.wrap(fakePane().channel);
    const since = await wrapped.mark({ id: ID });
    const body = '\n  \nline with a hard break  \n-old \n+new\t\nnbsp\u00a0\r\nbell \u0007\n\n';
    expect((await intake.handle(reply({ body }))).ok).toBe(true);
    const [block] = takeReplies(newTurn('EXECUTER', ID, since, '', '', 'plan'), await wrapped.readSince(since), true);
    expect(block && wrapped.exactBody?.(block)).toBe(body);
  });

  it('poli_read gives the whole message file addressed to this pane, and refuses another pane\'s', async () => {
    const { intake, projectDir } = await setup();
    const text = `${formatBlock({ to: 'EXECUTER', type: 'plan', id: ID }, 'a long plan')}\nReply with …`;
    await mkdir(path.join(projectDir, '.poli', 'messages'), { recursive: true });
    await writeFile(path.join(projectDir, '.poli', 'messages', `${ID}.md`), `${text}\n`);
    expect(await intake.handle({ op: 'read', role: 'EXECUTER', id: ID })).toEqual({ ok: true, text: `${text}\n` });
    expect(await intake.handle({ op: 'read', role: 'PLANNER', id: ID })).toEqual({ ok: false, error: `message ${ID} is not addressed to the PLANNER` });
    expect(await intake.handle({ op: 'read', role: 'EXECUTER', id: 'T9-R9-nothin' })).toMatchObject({ ok: false, error: expect.stringMatching(/^no message file for id/) });
  });
});

describe('replies for a turn already closed are refused, never "delivered"', () => {
  it('a status sent right after the result (parallel tool calls) is refused as closed, not acknowledged and ignored', async () => {
    const { intake } = await setup();
    await intake.wrap(fakePane().channel).mark({ id: ID });
    expect(await intake.handle(reply({ type: 'status', body: 'starting' }))).toMatchObject({ ok: true });
    expect(await intake.handle(reply())).toMatchObject({ ok: true });
    expect(await intake.handle(reply({ type: 'status', body: 'one more thing' }))).toEqual({
      ok: false,
      code: 'closed',
      error: `your result for message ${ID} was already delivered, so poli takes no status for it any more; this status is not recorded`,
    });
  });

  it('after the task ended (a timeout), a late reply to its message is refused as closed', async () => {
    const { intake } = await setup();
    await intake.wrap(fakePane().channel).mark({ id: ID });
    intake.idle();
    expect(await intake.handle(reply())).toEqual({ ok: false, code: 'closed', error: expect.stringMatching(new RegExp(`^message ${ID} is closed: .*its task ended.*not recorded$`)) });
    expect(await intake.handle(reply({ id: 'T1-R1-zzzzzz' }))).toMatchObject({ ok: false, code: 'closed', error: expect.stringMatching(/^poli is not waiting for a reply from the EXECUTER now/) });
  });

  it('poli reply exits 3 for a closed turn, 1 for a reply to correct, 4 when no poli listens', async () => {
    const { intake } = await setup();
    const socketPath = path.join(await mkdtemp(path.join(tmpdir(), 'poli-intake-run-')), 'intake-test.sock');
    await intake.listen(socketPath);
    await intake.wrap(fakePane().channel).mark({ id: ID });
    const run = async (id: string, socket = socketPath) => {
      let err = '';
      const stderr = new PassThrough().on('data', (d: Buffer) => (err += d.toString()));
      const code = await runReplyCommand(
        { env: { POLI_ROLE: 'EXECUTER', POLI_SOCKET_PATH: socket }, stdin: Readable.from([Buffer.from('done')]), stdout: new PassThrough(), stderr },
        { id, to: 'planner', type: 'result', extra: undefined },
      );
      return { code, err };
    };
    expect(await run('T1-R1-zzzzzz')).toEqual({ code: 1, err: expect.stringMatching(/unknown id/) });
    intake.idle();
    expect(await run(ID)).toEqual({ code: 3, err: expect.stringMatching(/is closed: .*not recorded/) });
    expect((await run(ID, path.join(tmpdir(), 'poli-no-such-intake.sock'))).code).toBe(4);
  });
});

describe('"delivered" means recorded: the reply is on disk before poli says so', () => {
  it('answers only once the journal has saved the reply; a reply it could not save is not delivered', async () => {
    const projectDir = await mkdtemp(path.join(tmpdir(), 'poli-intake-'));
    let release = (): void => undefined;
    const saved: string[] = [];
    const journal: ReplyJournal = {
      save: (entry) =>
        new Promise<void>((resolve) => {
          release = () => {
            saved.push(entry.body);
            resolve();
          };
        }),
      load: async () => [],
    };
    const intake = new Intake({ projectDir, journal });
    open.push(intake);
    const wrapped = intake.wrap(fakePane().channel);
    const since = await wrapped.mark({ id: ID });
    let answered = false;
    const answer = intake.handle(reply({ body: 'all done' })).then((r) => ((answered = true), r));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    expect(await wrapped.readSince(since)).toBe('');
    release();
    expect(await answer).toMatchObject({ ok: true });
    expect(saved).toEqual(['all done']);
    const failing = new Intake({ projectDir, journal: { save: async () => Promise.reject(new Error('ENOSPC: no space left on device')), load: async () => [] } });
    open.push(failing);
    const other = failing.wrap(fakePane().channel);
    const at = await other.mark({ id: ID });
    expect(await failing.handle(reply())).toMatchObject({ ok: false, code: 'unreachable', error: expect.stringMatching(/could not record your result durably \(ENOSPC.*not delivered/) });
    expect(await other.readSince(at)).toBe('');
  });

  it('a poli started again (--resume) finds the recorded reply, exact, when the turn of its id begins again', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'poli-journal-'));
    const first = new Intake({ projectDir: stateDir, journal: fileJournal(stateDir) });
    open.push(first);
    await first.wrap(fakePane().channel).mark({ id: ID });
    const body = 'half way  \n';
    expect(await first.handle(reply({ type: 'status', body }))).toMatchObject({ ok: true });
    expect(await first.handle(reply({ body: 'the result\t' }))).toMatchObject({ ok: true });
    // Killed here (nothing else was written); a new process:
    const second = new Intake({ projectDir: stateDir, journal: fileJournal(stateDir) });
    open.push(second);
    const wrapped = second.wrap(fakePane().channel);
    expect(await wrapped.recorded?.(ID)).toBe(true);
    expect(await wrapped.recorded?.('T1-R1-nothin')).toBe(false);
    const since = await wrapped.mark({ id: ID, lookBack: true });
    const blocks = takeReplies(newTurn('EXECUTER', ID, since, '', '', 'plan'), await wrapped.readSince(since), true);
    expect(blocks.map((b) => [b.header.type, wrapped.exactBody?.(b), wrapped.origin?.(b)])).toEqual([
      ['status', body, 'tool'],
      ['result', 'the result\t', 'tool'],
    ]);
  });
});

describe('the intake socket', () => {
  it('is mode 0600 and answers one JSON request per connection; a megabyte body arrives whole', async () => {
    const { intake } = await setup();
    const socketPath = path.join(await mkdtemp(path.join(tmpdir(), 'poli-intake-run-')), 'intake-test.sock');
    await intake.listen(socketPath);
    expect((await stat(socketPath)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(socketPath))).mode & 0o777).toBe(0o700);
    const wrapped = intake.wrap(fakePane().channel);
    const since = await wrapped.mark({ id: ID });
    expect(await sendToIntake(socketPath, reply({ id: 'nope' }))).toMatchObject({ ok: false, error: expect.stringMatching(/^unknown id "nope"/) });
    const body = `${HARD_BODY}\n${'é'.repeat(512 * 1024)}`;
    expect(await sendToIntake(socketPath, reply({ body }))).toMatchObject({ ok: true });
    const [block] = takeReplies(newTurn('EXECUTER', ID, since, '', '', 'plan'), await wrapped.readSince(since), true);
    expect(block?.body).toBe(body);
  });

  it('a request to a socket nobody listens on says that no poli is running', async () => {
    const response = await sendToIntake(path.join(tmpdir(), 'poli-no-such-intake.sock'), reply());
    expect(response).toEqual({ ok: false, code: 'unreachable', error: expect.stringMatching(/^no poli is running for this session/) });
  });
});

describe('waking the dialogue', () => {
  it('nextDelivery resolves when a reply is delivered, not before', async () => {
    const { intake } = await setup();
    await intake.wrap(fakePane().channel).mark({ id: ID });
    let woken = false;
    const waiting = intake.nextDelivery().then(() => (woken = true));
    await intake.handle(reply({ id: 'wrong' }));
    await Promise.resolve();
    expect(woken).toBe(false);
    await intake.handle(reply());
    await waiting;
    expect(woken).toBe(true);
  });
});
