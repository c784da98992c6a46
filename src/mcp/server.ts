/**
 * `poli mcp`: the stdio MCP server poli registers with each CLI it starts (register.ts), built on the official
 * `@modelcontextprotocol/sdk`. Its tools hand a reply to the running poli over the intake socket (intake.ts) instead
 * of through the screen, so the body arrives byte for byte however the TUI would have rendered it:
 *
 * - `poli_reply {id, to, type, body, extra?}` → "delivered: …" once the reply is recorded (on disk), or a precise
 *   error: one the model can correct (unknown id, wrong addressee for this pane, type not allowed now), or that the
 *   turn is closed (the reply will not be recorded);
 * - `poli_status {id, body}` → a status block to the PLANNER (the EXECUTER's progress report);
 * - `poli_read {id}` → the whole text of a message poli handed over as a file.
 *
 * The pane's role, the socket and the pane's token come from the environment poli gave the CLI (POLI_ROLE,
 * POLI_SOCKET_PATH, POLI_PANE_TOKEN), so a CLI can reply only for its own role (pane-token.ts). stdout carries the protocol: nothing else is printed there.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import type { Role } from '../protocol/types.ts';
import { paneIdentity, sendToIntake } from './client.ts';
import type { IntakeRequest, IntakeResponse } from './wire.ts';

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

function result(response: IntakeResponse): ToolResult {
  return response.ok ? { content: [{ type: 'text', text: response.text }] } : { content: [{ type: 'text', text: `error: ${response.error}` }], isError: true };
}

/** The MCP server for one pane; `send` reaches the running poli (tests pass their own). */
export function createPoliMcpServer(role: Role, send: (request: IntakeRequest) => Promise<IntakeResponse>): McpServer {
  const server = new McpServer({ name: 'poli', version: '1' });
  const expected =
    role === 'PLANNER'
      ? 'As the PLANNER you answer with "type" plan, continue or revision (to EXECUTER), or complete or error (to ORCHESTRATOR).'
      : 'As the EXECUTER you answer with any number of "type" status, then one result or error, all to PLANNER.';
  server.registerTool(
    'poli_reply',
    {
      description:
        'Send your reply to the message poli gave you (a [[POLI:MSG …]] block): the preferred way to answer, instead of ' +
        `printing the block. ${expected} "id" is the id of the message you are answering. The body is taken exactly ` +
        'as given. Answers "delivered" once poli has recorded it, or an error saying what to correct, or that the ' +
        'message is closed (not recorded: poli no longer waits for it; do not send it again).',
      inputSchema: {
        id: z.string().describe('The id of the message you are answering, e.g. T3-R2-k9x2m4'),
        to: z.string().describe('PLANNER, EXECUTER or ORCHESTRATOR'),
        type: z.string().describe('plan, continue, revision, complete, error, status or result'),
        body: z.string().describe('The text of your reply'),
        extra: z.record(z.string(), z.unknown()).optional().describe('Further header fields (optional)'),
      },
      annotations: { title: 'Reply to poli', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ id, to, type, body, extra }) =>
      result(await send({ op: 'reply', role, via: 'tool', id, to, type, body, ...(extra ? { extra } : {}) })),
  );
  server.registerTool(
    'poli_status',
    {
      description: 'EXECUTER only: report progress on the message with this id (a status block to PLANNER) while you work.',
      inputSchema: { id: z.string().describe('The id of the message you are working on'), body: z.string().describe('What you have done so far') },
      annotations: { title: 'Progress report to poli', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ id, body }) => result(await send({ op: 'reply', role, via: 'tool', id, to: 'PLANNER', type: 'status', body })),
  );
  server.registerTool(
    'poli_read',
    {
      description: 'Read the whole text of a message poli handed over as a file (.poli/messages/<id>.md) because it was long.',
      inputSchema: { id: z.string().describe('The id of the message') },
      annotations: { title: 'Read a message from poli', readOnlyHint: true, openWorldHint: false },
    },
    async ({ id }) => result(await send({ op: 'read', role, id })),
  );
  return server;
}

/** `poli mcp`: serves the tools on stdin/stdout until the CLI closes them. Returns the exit code. */
export async function runMcpServer(env: Readonly<Record<string, string | undefined>>, stderr: NodeJS.WritableStream): Promise<number> {
  const identity = paneIdentity(env);
  if (typeof identity === 'string') {
    stderr.write(`poli mcp: ${identity}\n`);
    // As `poli reply` does for the same error: 1 with the reason.
    return 1;
  }
  const token = identity.token;
  const server = createPoliMcpServer(identity.role, (request) => sendToIntake(identity.socketPath, token ? { ...request, token } : request));
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.on('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => undefined);
  return 0;
}
