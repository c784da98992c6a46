/**
 * Tool calls to poli's MCP server (src/mcp/server.ts) as each real CLI's model makes them: Claude Code names an MCP
 * tool `mcp__<server>__<tool>`; Codex 0.169.0 offers a server's tools as a Responses `namespace` tool `mcp__<server>`
 * holding functions named after the tools, and the model calls `{name: tool, namespace: "mcp__<server>"}`.
 */
import type { BlockHeader } from '../../src/protocol/types.ts';
import type { ToolCall } from './fake-server.ts';
import type { ScriptedBlock } from './scripts.ts';

export type Kind = 'claude' | 'codex';

function call(kind: Kind, tool: string, input: Record<string, unknown>): ToolCall {
  return kind === 'claude' ? { name: `mcp__poli__${tool}`, input } : { name: tool, namespace: 'mcp__poli', input };
}

/** `viaTool` for a ScriptedBlock: poli_status for a status, poli_reply for anything else. */
export function poliTool(kind: Kind): (header: BlockHeader, block: ScriptedBlock) => ToolCall {
  return (header, block) =>
    block.type === 'status'
      ? call(kind, 'poli_status', { id: header.id, body: block.body })
      : call(kind, 'poli_reply', { id: header.id, to: block.to, type: block.type, body: block.body });
}
