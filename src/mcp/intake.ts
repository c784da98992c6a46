/**
 * The running poli's end of the structured channel (docs/protocol.md, "Channels"): a Unix socket that `poli mcp` (the
 * MCP server each CLI runs) and `poli reply` deliver replies to. Each reply is checked against the turn poli waits on
 * in that CLI's pane — its id, its type, its addressee — and refused with a precise reason the model can act on;
 * a reply that passes is put in front of the pane's text, exactly like a block read from a reply file, so the dialogue
 * loop takes the first complete reply for the pending id from whichever channel it came through, once.
 *
 * Who may connect: Node offers no SO_PEERCRED, so the socket relies on the file system: it lives in the per-user
 * runtime directory (mode 0700, checked: state/private-dir.ts) and is itself mode 0600, so only this user's processes
 * can connect. Which pane a request speaks for: its pane token (pane-token.ts), not the role it claims.
 */
import { chmod, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { PaneChannel, PanePosition, ReplyChannel } from '../reading/channel.ts';
import { allowedReplies, expectedAddressee } from '../dialogue/machine.ts';
import { messageFile } from '../reading/handoff.ts';
import { blockKey, cleanBody, formatBlock } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import { ADDRESSEES, MESSAGE_TYPES, ROLES, type Addressee, type Block, type MessageType, type Role } from '../protocol/types.ts';
import { currentUid, ensurePrivateDir } from '../state/private-dir.ts';
import { TOKEN_VARIABLE, tokenMatches } from './pane-token.ts';
import type { JournalEntry, ReplyJournal } from './reply-journal.ts';
import { MAX_REQUEST_BYTES, ROLE_VARIABLE, type IntakeRequest, type IntakeResponse } from './wire.ts';

export interface IntakeOptions {
  /** Where `.poli/messages/<id>.md` are (poli_read). */
  projectDir: string;
  /** Where replies are recorded before "delivered" is answered, and found again on --resume (reply-journal.ts). */
  journal?: ReplyJournal;
  /** Each pane's token (pane-token.ts): a request for a role is taken only with that role's token. */
  tokens?: Record<Role, string>;
  debug?(message: string): void;
}

/** What one pane's current turn has received through the intake. */
interface TurnBox {
  id: string | undefined;
  /** Delivered blocks, by blockKey: their formatted text and the channel they came through. */
  blocks: Map<string, { text: string; body: string; type: MessageType; via: ReplyChannel; final: boolean }>;
}

const invalid = (error: string): IntakeResponse => ({ ok: false, error, code: 'invalid' });
const closed = (error: string): IntakeResponse => ({ ok: false, error, code: 'closed' });

/** Header fields a reply's `extra` may not set (they are the reply's own). */
const OWN_FIELDS = new Set(['to', 'type', 'id']);

export class Intake {
  private readonly turns: Record<Role, TurnBox> = {
    PLANNER: { id: undefined, blocks: new Map() },
    EXECUTER: { id: undefined, blocks: new Map() },
  };
  /** Ids of earlier turns per pane: a reply to one of them gets "already answered", not "unknown id". */
  private readonly earlier: Record<Role, Set<string>> = { PLANNER: new Set(), EXECUTER: new Set() };
  private server: Server | undefined;
  /** The reply being handled (replies are handled one at a time). */
  private replies: Promise<unknown> = Promise.resolve();
  private socketPath: string | undefined;
  /** Resolved (and replaced) at each delivery: wakes a dialogue loop waiting for pane output. */
  private wake: { promise: Promise<void>; resolve: () => void } = Intake.signal();

  private static signal(): { promise: Promise<void>; resolve: () => void } {
    let resolve = (): void => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  /** Resolves at the next reply delivered (any pane). */
  nextDelivery(): Promise<void> {
    return this.wake.promise;
  }

  constructor(private readonly options: IntakeOptions) {}

  /**
   * Listens on `socketPath` (mode 0600, in a directory made 0700). A socket file left by a poli that died is replaced:
   * the socket lock (state/lock.ts) already guarantees that no other poli drives this tmux socket.
   */
  async listen(socketPath: string): Promise<void> {
    // The directory must be this user's alone (state/private-dir.ts): a failed check refuses, never swallowed.
    await ensurePrivateDir(path.dirname(socketPath), { uid: currentUid() });
    await rm(socketPath, { force: true });
    const server = createServer({ allowHalfOpen: true }, (socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(socketPath, 0o600);
    server.unref();
    this.server = server;
    this.socketPath = socketPath;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.socketPath) await rm(this.socketPath, { force: true });
  }

  /** One request per connection: read it whole (the client ends its side), answer one JSON line, close. */
  private serve(socket: Socket): void {
    const chunks: Buffer[] = [];
    let size = 0;
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        socket.end(`${JSON.stringify({ ok: false, error: `request larger than ${MAX_REQUEST_BYTES} bytes` })}\n`);
        socket.destroy();
        return;
      }
      chunks.push(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('end', () => {
      void this.answer(Buffer.concat(chunks).toString('utf8')).then((response) => socket.end(`${JSON.stringify(response)}\n`));
    });
  }

  private async answer(text: string): Promise<IntakeResponse> {
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch (error) {
      return invalid(`not a JSON request: ${(error as Error).message}`);
    }
    try {
      return await this.handle(request as IntakeRequest);
    } catch (error) {
      return { ok: false, error: `poli could not handle the request: ${(error as Error).message}`, code: 'unreachable' };
    }
  }

  /** Checks one request against the pending turn of the sender's pane and acts on it. */
  async handle(request: IntakeRequest): Promise<IntakeResponse> {
    if (typeof request !== 'object' || request === null) return { ok: false, error: 'the request is not a JSON object' };
    const role = request.role;
    if (!ROLES.includes(role)) {
      return { ok: false, error: `unknown role ${JSON.stringify(role)}: poli_reply works only in a CLI that poli started (POLI_ROLE is PLANNER or EXECUTER)`, code: 'denied' };
    }
    const tokens = this.options.tokens;
    if (tokens && !tokenMatches(tokens[role], request.token)) {
      return {
        ok: false,
        code: 'denied',
        error:
          request.token === undefined
            ? `no pane token (${TOKEN_VARIABLE}): only the CLI poli started in the ${role}'s pane can reply for the ${role}. If that is you, ` +
              'you were started by an older poli without one: print the reply block instead'
            : `the pane token is not the ${role}'s: a CLI replies only for its own pane (${ROLE_VARIABLE} cannot change that)`,
      };
    }
    if (typeof request.id !== 'string' || request.id === '') return invalid('missing "id": the id of the message you are answering');
    if (request.op === 'read') return this.read(role, request.id);
    if (request.op !== 'reply') return invalid(`unknown operation ${JSON.stringify((request as { op?: unknown }).op)}`);
    // One reply at a time: each is checked against the turn as the one before left it (and recorded) — two parallel
    // tool calls cannot both pass as the final reply while the first is being written.
    const answer = this.replies.then(() => this.reply(request));
    this.replies = answer.then(
      () => undefined,
      () => undefined,
    );
    return answer;
  }

  private async reply(request: Extract<IntakeRequest, { op: 'reply' }>): Promise<IntakeResponse> {
    const { role, id } = request;
    const turn = this.turns[role];
    // Closed: nothing would record it. Said so, never "delivered" (the sender must not think poli has it).
    if (this.earlier[role].has(id)) {
      return closed(`message ${id} is closed: poli no longer waits for a reply to it (it was answered, or its task ended), so this ${request.type} is not recorded${turn.id === undefined ? '' : `; the message poli waits on from you now has id "${turn.id}"`}`);
    }
    if (turn.id === undefined) return closed(`poli is not waiting for a reply from the ${role} now (no message of a running task is pending in your pane), so this ${request.type} is not recorded`);
    if (id !== turn.id) return invalid(`unknown id "${id}": the message poli waits on from the ${role} has id "${turn.id}"`);
    const allowed = allowedReplies(role);
    const type = request.type as MessageType;
    if (!MESSAGE_TYPES.includes(type) || !allowed.includes(type)) {
      return invalid(`type ${JSON.stringify(request.type)} is not allowed now: the ${role} answers with ${allowed.join(', ')}`);
    }
    const to = request.to as Addressee;
    const expected = expectedAddressee(role, type);
    if (!ADDRESSEES.includes(to) || to !== expected) {
      return invalid(`wrong addressee ${JSON.stringify(request.to)}: a ${type} from the ${role} goes to ${expected}`);
    }
    if (typeof request.body !== 'string') return invalid('"body" must be a string (the text of your reply)');
    const extra = request.extra ?? {};
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) return invalid('extra header fields must be a JSON object');
    const fields = Object.fromEntries(Object.entries(extra).filter(([name]) => !OWN_FIELDS.has(name)));
    const final = type !== 'status';
    const done = [...turn.blocks.values()].find((b) => b.final);
    if (final && done) return closed(`your reply to message ${id} was already delivered; poli takes one ${allowed.filter((t) => t !== 'status').join(' or ')} per message, so this one is not recorded`);
    // The dialogue takes the final reply and moves on: a status after it would be acknowledged and then ignored.
    if (done) return closed(`your ${done.type} for message ${id} was already delivered, so poli takes no status for it any more; this status is not recorded`);
    const entry: JournalEntry = { role, header: { to, type, id, ...fields }, body: request.body, via: request.via === 'command' ? 'command' : 'tool' };
    // "Delivered" means recorded: on disk (fsync'd) before the answer, so a poli killed now still has it on --resume.
    try {
      await this.options.journal?.save(entry);
    } catch (error) {
      return {
        ok: false,
        code: 'unreachable',
        error: `poli could not record your ${type} durably (${(error as Error).message}), so it is not delivered; print the reply block instead`,
      };
    }
    this.hold(turn, entry);
    const woken = this.wake;
    this.wake = Intake.signal();
    woken.resolve();
    this.options.debug?.(`${role}: ${type} for ${id} delivered through the ${request.via === 'command' ? 'poli reply command' : 'poli_reply tool'}`);
    return { ok: true, text: `delivered: poli has your ${type} to ${to} for message ${id}` };
  }

  /** Puts a recorded reply in front of the turn's text (once per block). */
  private hold(turn: TurnBox, entry: JournalEntry): void {
    const header = entry.header as Block['header'];
    const block: Block = { header, body: cleanBody(entry.body), startLine: 0, endLine: 0 };
    const key = blockKey(block);
    const type = header.type;
    // The block text (what the dialogue parses) carries the body as a screen could; the exact body goes beside it.
    if (!turn.blocks.has(key)) turn.blocks.set(key, { text: formatBlock(header, entry.body), body: entry.body, type, via: entry.via, final: type !== 'status' });
  }

  /**
   * The turn of `id` begins (again): replies recorded for it before this poli started (a poli killed after saying
   * "delivered", then resumed) are held as if just delivered.
   */
  private async restore(role: Role, id: string | undefined): Promise<void> {
    const journal = this.options.journal;
    if (!journal || id === undefined) return;
    const entries = await journal.load(role, id);
    const turn = this.turns[role];
    if (turn.id !== id) return;
    for (const entry of entries) this.hold(turn, entry);
  }

  /** Whether a reply for message `id` from `role`'s pane was recorded (this process or an earlier one). */
  async recorded(role: Role, id: string): Promise<boolean> {
    if (this.turns[role].id === id && this.turns[role].blocks.size > 0) return true;
    return ((await this.options.journal?.load(role, id)) ?? []).length > 0;
  }

  /** poli_read: the whole message poli handed over as a file, if it was addressed to this pane. */
  private async read(role: Role, id: string): Promise<IntakeResponse> {
    const file = path.join(this.options.projectDir, messageFile(id));
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return { ok: false, error: `no message file for id "${id}": poli hands a message over as a file only when it is long, and says so in the message` };
    const block = parseBlocks(text, { final: true }).blocks[0];
    if (!block || block.header.to !== role) return { ok: false, error: `message ${id} is not addressed to the ${role}` };
    return { ok: true, text };
  }

  /** Starts a new turn in `role`'s pane: replies are taken for `id` only. */
  private begin(role: Role, id: string | undefined): void {
    const turn = this.turns[role];
    if (turn.id !== undefined && turn.id !== id) this.earlier[role].add(turn.id);
    if (turn.id !== id) this.turns[role] = { id, blocks: new Map() };
  }

  /**
   * Ends every turn (the task is over, whatever its end): replies are refused as closed until the next message, and a
   * late reply to a turn of that task is told it was not recorded.
   */
  idle(): void {
    for (const role of ROLES) this.begin(role, undefined);
  }

  /**
   * Wraps a pane's channel: the turn's id is taken at mark() (and from the block typed by submit()), and delivered
   * replies are put in front of the text read, the way handoff.ts puts reply files there.
   */
  wrap(inner: PaneChannel): PaneChannel {
    const role = inner.role;
    return {
      ...inner,
      mark: async (markOptions) => {
        this.begin(role, markOptions?.id);
        await this.restore(role, markOptions?.id);
        return inner.mark(markOptions);
      },
      recorded: (id) => this.recorded(role, id),
      submit: (text, submitOptions) => {
        const first = parseBlocks(text).blocks[0];
        if (first && first.startLine === 0 && first.header.to === role) this.begin(role, first.header.id);
        return inner.submit(text, submitOptions);
      },
      readSince: async (position: PanePosition, readOptions) => {
        const screen = await inner.readSince(position, readOptions);
        const turn = this.turns[role];
        if (turn.blocks.size === 0) return screen;
        return [...[...turn.blocks.values()].map((b) => b.text), screen].join('\n');
      },
      origin: (block) => this.turns[role].blocks.get(blockKey(block))?.via ?? inner.origin?.(block),
      exactBody: (block) => this.turns[role].blocks.get(blockKey(block))?.body,
    };
  }
}
