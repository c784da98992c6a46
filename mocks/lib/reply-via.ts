/**
 * `--reply-via tool|command`: the mock hands each reply to the running poli through poli's structured channel instead
 * of printing it, as a real CLI's model would: `tool` calls the poli_reply / poli_status tool of `poli mcp` (the MCP
 * server poli registers with real CLIs, spoken to here with the SDK's client over stdio), `command` runs
 * `poli reply --id … --to … --type …` with the body on stdin. poli's answer ("delivered: …" or the error) comes back
 * to be shown; on an error the mock falls back to printing the block.
 */
import { spawn } from 'node:child_process';
import type { BlockHeader } from '../../src/protocol/types.ts';

export type ReplyVia = 'tool' | 'command';
export const REPLY_VIAS: readonly ReplyVia[] = ['tool', 'command'];

export interface Delivery {
  ok: boolean;
  text: string;
}

/** The launcher poli set in the pane (POLI_BIN, bin/poli.js), run by this Node. */
function poliArgs(env: Readonly<Record<string, string | undefined>>): [string, string[]] | undefined {
  const bin = env.POLI_BIN;
  return bin ? [process.execPath, [bin]] : undefined;
}

/** `poli reply`, body on stdin. */
export function replyByCommand(env: Readonly<Record<string, string | undefined>>, header: BlockHeader, body: string): Promise<Delivery> {
  const poli = poliArgs(env);
  if (!poli) return Promise.resolve({ ok: false, text: 'POLI_BIN is not set: not started by poli' });
  const { to, type, id, ...extra } = header;
  const args = [...poli[1], 'reply', '--id', id, '--to', to, '--type', type, ...(Object.keys(extra).length > 0 ? ['--extra', JSON.stringify(extra)] : [])];
  return new Promise((resolve) => {
    const child = spawn(poli[0], args, { stdio: ['pipe', 'pipe', 'pipe'], env: env as NodeJS.ProcessEnv });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', (error) => resolve({ ok: false, text: error.message }));
    child.on('close', (code) => resolve({ ok: code === 0, text: out.trim() }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
  });
}

type ToolClient = { callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<unknown> };
let client: Promise<ToolClient> | undefined;

/** The poli_reply / poli_status tool of `poli mcp`, started once per mock. */
export async function replyByTool(env: Readonly<Record<string, string | undefined>>, header: BlockHeader, body: string): Promise<Delivery> {
  const poli = poliArgs(env);
  if (!poli) return { ok: false, text: 'POLI_BIN is not set: not started by poli' };
  client ??= (async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const mcp = new Client({ name: 'poli-mock', version: '1' });
    const variables = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    await mcp.connect(new StdioClientTransport({ command: poli[0], args: [...poli[1], 'mcp'], env: variables, stderr: 'ignore' }));
    return mcp;
  })();
  const { to, type, id, ...extra } = header;
  const call =
    type === 'status'
      ? { name: 'poli_status', arguments: { id, body } }
      : { name: 'poli_reply', arguments: { id, to, type, body, ...(Object.keys(extra).length > 0 ? { extra } : {}) } };
  try {
    const result = (await (await client).callTool(call)) as { content?: { type: string; text?: string }[]; isError?: boolean };
    const text = (result.content ?? []).map((part) => part.text ?? '').join('\n');
    return { ok: result.isError !== true, text };
  } catch (error) {
    return { ok: false, text: `poli mcp failed: ${(error as Error).message}` };
  }
}
