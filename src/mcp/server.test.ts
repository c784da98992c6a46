import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { mcpRegistration } from './register.ts';
import { createPoliMcpServer } from './server.ts';
import type { IntakeRequest, IntakeResponse } from './wire.ts';

async function connected(answer: (request: IntakeRequest) => IntakeResponse) {
  const sent: IntakeRequest[] = [];
  const server = createPoliMcpServer('EXECUTER', async (request) => {
    sent.push(request);
    return answer(request);
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '1' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return { client, sent };
}

describe('poli mcp: the tools', () => {
  it('lists poli_reply, poli_status and poli_read', async () => {
    const { client } = await connected(() => ({ ok: true, text: 'x' }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['poli_reply', 'poli_status', 'poli_read']);
    expect(tools[0]?.inputSchema.required).toEqual(['id', 'to', 'type', 'body']);
  });

  it('poli_reply sends the reply for the pane\'s own role; "delivered" or the precise error comes back', async () => {
    const { client, sent } = await connected((request) =>
      request.op === 'reply' && request.id === 'T1-R1-aaaaaa' ? { ok: true, text: 'delivered: …' } : { ok: false, error: 'unknown id "x"' },
    );
    const good = await client.callTool({ name: 'poli_reply', arguments: { id: 'T1-R1-aaaaaa', to: 'PLANNER', type: 'result', body: 'a\n\tb', extra: { n: 1 } } });
    expect(good).toMatchObject({ content: [{ type: 'text', text: 'delivered: …' }] });
    expect(good.isError).toBeFalsy();
    const bad = await client.callTool({ name: 'poli_reply', arguments: { id: 'x', to: 'PLANNER', type: 'result', body: '' } });
    expect(bad).toMatchObject({ isError: true, content: [{ type: 'text', text: 'error: unknown id "x"' }] });
    await client.callTool({ name: 'poli_status', arguments: { id: 'T1-R1-aaaaaa', body: 'half' } });
    await client.callTool({ name: 'poli_read', arguments: { id: 'T1-R1-aaaaaa' } });
    expect(sent).toEqual([
      { op: 'reply', role: 'EXECUTER', via: 'tool', id: 'T1-R1-aaaaaa', to: 'PLANNER', type: 'result', body: 'a\n\tb', extra: { n: 1 } },
      { op: 'reply', role: 'EXECUTER', via: 'tool', id: 'x', to: 'PLANNER', type: 'result', body: '' },
      { op: 'reply', role: 'EXECUTER', via: 'tool', id: 'T1-R1-aaaaaa', to: 'PLANNER', type: 'status', body: 'half' },
      { op: 'read', role: 'EXECUTER', id: 'T1-R1-aaaaaa' },
    ]);
  });
});

describe('registering poli mcp with each CLI, for its session only', () => {
  const server = { command: '/usr/bin/node', args: ['/opt/poli/bin/poli.js', 'mcp'] };
  const options = { role: 'EXECUTER' as const, socketPath: '/tmp/poli-0/intake-poli.sock', server };

  it('claude: --mcp-config with a JSON string and the three tools allowed', () => {
    const { args, env } = mcpRegistration('claude', options);
    expect(args[0]).toBe('--mcp-config');
    expect(JSON.parse(args[1] ?? '')).toEqual({
      mcpServers: { poli: { type: 'stdio', ...server, env: { POLI_ROLE: 'EXECUTER', POLI_SOCKET_PATH: '/tmp/poli-0/intake-poli.sock' } } },
    });
    expect(args.slice(2)).toEqual(['--allowedTools', 'mcp__poli__poli_reply,mcp__poli__poli_status,mcp__poli__poli_read']);
    expect(env).toMatchObject({ POLI_ROLE: 'EXECUTER', POLI_SOCKET_PATH: '/tmp/poli-0/intake-poli.sock' });
  });

  it('codex: -c mcp_servers.poli.* overrides, the role and socket in its env, tools approved', () => {
    expect(mcpRegistration('codex', options).args).toEqual([
      '-c', 'mcp_servers.poli.command="/usr/bin/node"',
      '-c', 'mcp_servers.poli.args=["/opt/poli/bin/poli.js","mcp"]',
      '-c', 'mcp_servers.poli.env={POLI_ROLE="EXECUTER",POLI_SOCKET_PATH="/tmp/poli-0/intake-poli.sock"}',
      '-c', 'mcp_servers.poli.default_tools_approval_mode="approve"',
    ]);
  });

  it('other CLIs: only the pane environment, for poli reply', () => {
    expect(mcpRegistration('aider', options)).toEqual({
      args: [],
      env: { POLI_ROLE: 'EXECUTER', POLI_SOCKET_PATH: '/tmp/poli-0/intake-poli.sock', POLI_BIN: expect.stringMatching(/bin\/poli\.js$/) },
    });
  });
});
