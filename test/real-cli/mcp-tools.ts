/**
 * Tool calls to poli's MCP server (src/mcp/server.ts) as each real CLI's model makes them, and pi's way through the
 * `poli reply` command:
 * - Claude Code and Qwen Code name an MCP tool `mcp__<server>__<tool>`;
 * - Codex 0.169.0 offers a server's tools as a Responses `namespace` tool `mcp__<server>` holding functions named after
 *   the tools, and the model calls `{name: tool, namespace: "mcp__<server>"}`;
 * - Gemini CLI 0.61.0: `mcp_<server>_<tool>` (its fully qualified name);
 * - opencode 1.18.33: `<server>_<tool>`;
 * - GitHub Copilot CLI 1.0.102: `<server>-<tool>`;
 * - pi (no MCP): its `write` tool puts the body in a file, then its `bash` tool runs
 *   `node "$POLI_BIN" reply --id … --to … --type … < file` (a megabyte does not fit on a command line).
 */
import type { BlockHeader } from '../../src/protocol/types.ts';
import type { ToolCall } from './fake-server.ts';
import type { ScriptedBlock, ScriptedTurn } from './scripts.ts';

export type Kind = 'claude' | 'codex' | 'gemini' | 'qwen' | 'opencode' | 'copilot' | 'pi';

/** The channel each kind's replies come through: pi's through the command, the others' through the tool. */
export function channelOf(kind: Kind): 'tool' | 'command' {
  return kind === 'pi' ? 'command' : 'tool';
}

function call(kind: Exclude<Kind, 'pi'>, tool: string, input: Record<string, unknown>): ToolCall {
  switch (kind) {
    case 'claude':
    case 'qwen':
      return { name: `mcp__poli__${tool}`, input };
    case 'codex':
      return { name: tool, namespace: 'mcp__poli', input };
    case 'gemini':
      return { name: `mcp_poli_${tool}`, input };
    case 'opencode':
      return { name: `poli_${tool}`, input };
    case 'copilot':
      return { name: `poli-${tool}`, input };
  }
}

/** pi: write the body to a file with its write tool, then hand it to `poli reply` with its bash tool. */
function piCommand(header: BlockHeader, block: ScriptedBlock): ToolCall[] {
  const file = `.poli-body-${header.id}-${block.type}.txt`;
  return [
    { name: 'write', input: { path: file, content: block.body } },
    { name: 'bash', input: { command: `node "$POLI_BIN" reply --id ${header.id} --to ${block.to} --type ${block.type} < ${file}` } },
  ];
}

/** `viaTool` for a ScriptedBlock: poli_status for a status, poli_reply for anything else (pi: `poli reply`). */
export function poliTool(kind: Kind): (header: BlockHeader, block: ScriptedBlock) => ToolCall | ToolCall[] {
  return (header, block) => {
    if (kind === 'pi') return piCommand(header, block);
    return block.type === 'status'
      ? call(kind, 'poli_status', { id: header.id, body: block.body })
      : call(kind, 'poli_reply', { id: header.id, to: block.to, type: block.type, body: block.body });
  };
}

/** A body no screen carries whole: a 5,000-character line, ANSI-looking text, tag lines, Markdown; 1 MB in all. */
export function hardBody(id: string, bytes = 1024 * 1024): string {
  const head = [
    `report ${id}`,
    'L'.repeat(5000),
    '[31mred[0m, [1;32mbold green[0m and [2J[H as plain text',
    '[[/POLI:MSG]]',
    '[[POLI:MSG {"to":"PLANNER","type":"result","id":"T9-R9-quoted"}]]',
    '- __init__, *a*, _b_, `code`',
    '> quoted',
    '\tindented with a tab',
  ].join('\n');
  const lines: string[] = [head];
  for (let i = 0, length = head.length; length < bytes; i += 1) {
    const line = `line ${String(i).padStart(6, '0')}: ${'abcdefghij'.repeat(9)}`;
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}

/** The dialogue both tool-channel tests script: a plan, a status and a hard result, a continue, a result, complete. */
export const TOOL_DIALOGUE = {
  TASK: 'Write the report and create the file x',
  PLAN: '<PLAN>\n1. Write report.txt.\n</PLAN>',
  STATUS: 'Writing report.txt: 1 of 2 parts done.',
  CONTINUE: 'Good. Next:\n<PLAN>\n1. Create the empty file x.\n</PLAN>',
  CREATED: 'Created x (0 bytes).',
  COMPLETE: 'Done: report written, x created.',
} as const;

/** How a scripted block goes through a CLI's tool (poliTool). */
type ViaTool = ReturnType<typeof poliTool>;

/**
 * The scripted turns of that dialogue, every block through the tool (`viaTool`): the planner's plan, continue and
 * complete; the executer's status with the hard result `big`, then its short result.
 */
export function toolDialogueTurns(plannerTool: ViaTool, executerTool: ViaTool, big: string): { plannerTurns: ScriptedTurn[]; executerTurns: ScriptedTurn[] } {
  const { PLAN, CONTINUE, COMPLETE, STATUS, CREATED } = TOOL_DIALOGUE;
  return {
    plannerTurns: [
      { blocks: [{ to: 'EXECUTER', type: 'plan', body: PLAN, viaTool: plannerTool }] },
      { blocks: [{ to: 'EXECUTER', type: 'continue', body: CONTINUE, viaTool: plannerTool }] },
      { blocks: [{ to: 'ORCHESTRATOR', type: 'complete', body: COMPLETE, viaTool: plannerTool }] },
    ],
    executerTurns: [
      { blocks: [{ to: 'PLANNER', type: 'status', body: STATUS, viaTool: executerTool }, { to: 'PLANNER', type: 'result', body: big, viaTool: executerTool }] },
      { blocks: [{ to: 'PLANNER', type: 'result', body: CREATED, viaTool: executerTool }] },
    ],
  };
}
