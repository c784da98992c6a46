/**
 * `poli reply --id ID --to PLANNER --type result < body.md`: the poli_reply tool as a shell command, for a CLI that
 * has no MCP (or a model that prefers its shell). The body is read from stdin byte for byte; the pane's role and the
 * intake socket come from the environment poli started the CLI with (POLI_ROLE, POLI_SOCKET_PATH). Prints poli's
 * answer; exit 0 once delivered, otherwise the precise reason and an exit code per kind of refusal (wire.ts
 * REFUSAL_EXIT_CODES: 1 correct it, 3 closed — not recorded, do not send again, 4 no poli, 5 not this pane's).
 */
import { paneIdentity, sendToIntake } from './client.ts';
import { REFUSAL_EXIT_CODES } from './wire.ts';

export interface ReplyCommand {
  id: string;
  to: string;
  type: string;
  extra: Record<string, unknown> | undefined;
}

export interface ReplyIO {
  env: Readonly<Record<string, string | undefined>>;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runReplyCommand(io: ReplyIO, command: ReplyCommand): Promise<number> {
  const identity = paneIdentity(io.env);
  if (typeof identity === 'string') {
    io.stderr.write(`poli reply: ${identity}\n`);
    return 1;
  }
  const body = await readAll(io.stdin);
  const response = await sendToIntake(identity.socketPath, {
    op: 'reply',
    role: identity.role,
    via: 'command',
    id: command.id,
    to: command.to.toUpperCase(),
    type: command.type.toLowerCase(),
    body,
    ...(command.extra ? { extra: command.extra } : {}),
    ...(identity.token ? { token: identity.token } : {}),
  });
  if (response.ok) {
    io.stdout.write(`${response.text}\n`);
    return 0;
  }
  io.stderr.write(`poli reply: ${response.error}\n`);
  return REFUSAL_EXIT_CODES[response.code ?? 'invalid'];
}

/** All of stdin as UTF-8, decoded once from the whole bytes (no character is split between chunks). */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
