/**
 * Scripted models for whole dialogues through poli: a PLANNER that plans, continues and completes, and an EXECUTER
 * that reports (optionally after a tool call that needs permission). Both answer poli's primer with one sentence,
 * read a long message from the file poli points them to, and may hand a reply over in `.poli/replies/<id>.md`, as
 * the primers allow.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBlock } from '../../src/protocol/format-block.ts';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import type { Addressee, BlockHeader, MessageType, Role } from '../../src/protocol/types.ts';
import { findLastHeader, type ReplyScript, type ScriptedReply, type ToolCall } from './fake-server.ts';

/** One reply of the scripted model: a block body, printed in a fence or written to a reply file. */
export interface ScriptedBlock {
  type: MessageType;
  to: Addressee;
  body: string;
  /** Write the block to `.poli/replies/<id>.md` (as a model's file tool would) instead of printing it. */
  viaFile?: boolean;
  /** Print it without the ``` fence the primers ask for: the CLI renders its body as Markdown. */
  unfenced?: boolean;
  /**
   * Hand it to poli through poli's MCP tool instead (poli_reply, or poli_status for a status): the tool call as this
   * CLI's model makes it (mcp-tools.ts). The turn's tool calls come one per request, then a closing sentence. Several
   * calls for one block (pi: write the body to a file, then run `poli reply`): only the last one delivers it.
   */
  viaTool?: (header: BlockHeader, block: ScriptedBlock) => ToolCall | ToolCall[];
}

/** One turn of the model: the blocks it answers with, optionally after a tool call the CLI asks permission for. */
export interface ScriptedTurn {
  blocks: ScriptedBlock[];
  toolCall?: ToolCall;
}

/** What a scripted model saw, for the test's assertions after the run. */
export interface ScriptLog {
  /** Headers of the messages answered, in order. */
  answered: BlockHeader[];
  /** The message files read (pointer blocks), by id: the block found in the file. */
  messageFiles: Map<string, { header: BlockHeader; body: string }>;
  /** Problems the script met (a missing file, an unexpected request); the test asserts this stays empty. */
  problems: string[];
}

const READY = 'Ready.';
const POINTER = /\.poli\/messages\/[^\s)]+\.md/;

/**
 * A script for `role` that answers the k-th message poli sends it with `turns[k]`. The primer (a request with no
 * block for `role`) gets one sentence; a tool result gets the blocks of the turn that asked for the tool.
 */
export function dialogueScript(role: Role, projectDir: string, turns: readonly ScriptedTurn[], log: ScriptLog): ReplyScript {
  let next = 0;
  let awaitingTool: { header: BlockHeader; turn: ScriptedTurn } | undefined;
  /** The rest of a turn answered through poli's tools: one tool call per request, then a closing sentence. */
  let toolCalls: ToolStep[] = [];
  /** Whether the tool call answered next is the one that delivers a block (its answer must say "delivered"). */
  let delivering = false;
  return (requestText) => {
    const header = findLastHeader(requestText, role);
    if (!header && toolCalls.length > 0) {
      if (delivering && !/(^|\n)delivered: /.test(requestText.trim())) log.problems.push(`${role}: poli's tool answered: ${requestText.slice(0, 300)}`);
      const step = toolCalls.shift();
      delivering = step?.delivers ?? false;
      return step?.reply ?? 'fake model: nothing to answer';
    }
    if (!header) {
      if (awaitingTool) {
        const { header: asked, turn } = awaitingTool;
        awaitingTool = undefined;
        return answer(asked, turn, projectDir);
      }
      if (/Answer this introduction/.test(requestText)) return READY;
      log.problems.push(`${role}: a request with no block for it: ${requestText.slice(0, 200)}`);
      return 'fake model: nothing to answer';
    }
    log.answered.push(header);
    readPointedFile(requestText, header, projectDir, log);
    const turn = turns[next];
    next += 1;
    if (!turn) {
      log.problems.push(`${role}: no scripted turn left for ${header.type} ${header.id}`);
      return 'fake model: no scripted turn left';
    }
    if (turn.toolCall) {
      awaitingTool = { header, turn };
      return { text: 'I need to run a command first.', toolCall: turn.toolCall };
    }
    const viaTool = turn.blocks.filter((block) => block.viaTool);
    if (viaTool.length > 0) {
      const steps = viaTool.flatMap((block) => toolSteps(header, block));
      toolCalls = [...steps.slice(1), { reply: { text: 'Done: poli has my reply.', delayMs: 100 }, delivers: false }];
      delivering = steps[0]!.delivers;
      return steps[0]!.reply;
    }
    return answer(header, turn, projectDir);
  };
}

/** One tool call of a turn answered through poli's tools, and whether it is the one that delivers its block. */
interface ToolStep {
  reply: ScriptedReply;
  delivers: boolean;
}

function toolSteps(header: BlockHeader, block: ScriptedBlock): ToolStep[] {
  const made = block.viaTool!(header, block);
  const calls = Array.isArray(made) ? made : [made];
  return calls.map((toolCall, i) => ({ reply: { text: `Handing poli my ${block.type}.`, toolCall, delayMs: 100 }, delivers: i === calls.length - 1 }));
}

/** The reply text: each printed block in its own ``` fence; file blocks written first, then mentioned. */
function answer(header: BlockHeader, turn: ScriptedTurn, projectDir: string): ScriptedReply {
  const parts: string[] = [];
  const filed: string[] = [];
  for (const block of turn.blocks) {
    const text = formatBlock({ to: block.to, type: block.type, id: header.id }, block.body);
    if (block.viaFile) filed.push(text);
    else if (block.unfenced) parts.push(text);
    else parts.push(`\`\`\`\n${text}\n\`\`\``);
  }
  if (filed.length > 0) {
    const dir = join(projectDir, '.poli', 'replies');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${header.id}.md`), `${filed.join('\n')}\n`);
    parts.unshift(`I wrote my reply to .poli/replies/${header.id}.md.`);
  } else {
    parts.unshift('Here is my reply:');
  }
  return { text: parts.join('\n\n'), delayMs: 300 };
}

/** When the message is a pointer to a file, reads the block in the file, as the model's file tool would. */
function readPointedFile(requestText: string, header: BlockHeader, projectDir: string, log: ScriptLog): void {
  const pointer = POINTER.exec(requestText)?.[0];
  if (!pointer) return;
  try {
    const content = readFileSync(join(projectDir, pointer), 'utf8');
    const block = parseBlocks(content).blocks.find((b) => b.header.id === header.id);
    if (!block) log.problems.push(`${pointer} holds no block with id ${header.id}`);
    else log.messageFiles.set(header.id, { header: block.header, body: block.body });
  } catch (error) {
    log.problems.push(`could not read ${pointer}: ${String(error)}`);
  }
}

export function newScriptLog(): ScriptLog {
  return { answered: [], messageFiles: new Map(), problems: [] };
}

/** A plan of about `bytes` bytes: `<PLAN>`, numbered steps of ~90 characters, `</PLAN>`. */
export function largePlan(bytes: number): string {
  const lines = ['<PLAN>'];
  for (let i = 1; lines.join('\n').length < bytes; i += 1) {
    lines.push(`${i}. Create notes/part-${String(i).padStart(3, '0')}.txt containing "part ${i}"; check it with \`cat\` (<= 20 bytes).`);
  }
  lines.push('</PLAN>');
  return lines.join('\n');
}

/** A body that a Markdown renderer would change outside a fence. */
export const MARKDOWN_BODY = [
  '# heading: what changed',
  'Edited src/pkg/__init__.py: exports *a* and _b_, plus __all__.',
  '- `load()` reads `config.toml`',
  '  - nested item with **bold** and a_snake_case_name',
  '    1. deeper: run `python -m pkg`',
  '> quoted line',
  'Tests: `npx vitest run` → 3 passed',
].join('\n');
