import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
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
