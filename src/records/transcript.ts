import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../state/store.ts';
import type { MessageRecord, TaskRecord, TaskUsage } from '../state/types.ts';
import { messageUsage } from '../state/public-usage.ts';
import type { UsageTotals } from '../usage/types.ts';
import { formatCost, formatUsageSummary } from '../usage/format.ts';

const MAX_TITLE_LENGTH = 100;
const MIN_FENCE_LENGTH = 3;

/**
 * The Markdown transcript of a task's dialogue. Times are UTC, as recorded. Bodies sit in backtick fences longer
 * than any backtick run inside them, so they render verbatim whatever they contain.
 */
export function renderTranscript(task: TaskRecord): string {
  const firstLine = task.task.split('\n')[0] ?? '';
  const title = firstLine.length > MAX_TITLE_LENGTH ? `${firstLine.slice(0, MAX_TITLE_LENGTH - 1)}…` : firstLine;
  const parts = [`# ${task.id}: ${title}`];
  if (title !== task.task) parts.push(fence(task.task));
  parts.push(
    `**Status:** ${task.status} · **Rounds:** ${task.rounds} · **Started:** ${task.startedAt} · ` +
      `**Ended:** ${task.endedAt ?? '—'}`,
  );
  if (task.usage) parts.push(renderUsage(task.usage));
  if (task.error !== undefined) parts.push(`**Error:** ${task.error}`);
  for (const wait of task.waits ?? []) {
    parts.push(`**Waited** from ${wait.since}${wait.until ? ` until ${wait.until}` : ''}: ${wait.reason}`);
  }
  task.messages.forEach((message, index) => parts.push(renderMessage(message, index + 1, messageUsage(task, index).usage)));
  return `${parts.join('\n\n')}\n`;
}

/** Writes `<dir>/transcripts/<id>.md` atomically and returns its path. */
export async function writeTranscript(dir: string, task: TaskRecord, pid: number = process.pid): Promise<string> {
  const transcripts = path.join(dir, 'transcripts');
  await mkdir(transcripts, { recursive: true });
  const file = path.join(transcripts, `${task.id}.md`);
  await writeFileAtomic(file, renderTranscript(task), pid);
  return file;
}

/** `**Usage:** $1.23 (PLANNER $0.80, EXECUTER $0.43) · 12 calls · input … · **Prices:** file (date)`, and what is unknown. */
function renderUsage(usage: TaskUsage): string {
  const line = `**Usage:** ${formatUsageSummary(usage)} · **Prices:** ${usage.prices.file} (${usage.prices.date})`;
  return usage.unknown.length > 0 ? `${line}\n\n**Unknown:** ${usage.unknown.join('; ')}` : line;
}

function renderMessage(message: MessageRecord, n: number, turn: UsageTotals | undefined): string {
  const time = message.at.slice(11, 19);
  const via = message.channel ? ` · via ${message.channel}${message.mayBeWrapped === true ? ', may be wrapped' : ''}` : '';
  // What the turn this message caused cost, in the CLI it went to (a relayed plan is typed there under a new id).
  const cost = turn ? ` · turn ${formatCost(turn.cost, turn.costComplete)}` : '';
  const heading = `### ${n}. ${message.from} → ${message.to} · ${message.type} · ${message.id} · ${time}${via}${cost}`;
  return `${heading}\n\n${fence(message.body)}`;
}

function fence(body: string): string {
  const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const marks = '`'.repeat(Math.max(MIN_FENCE_LENGTH, longestRun + 1));
  return body === '' ? `${marks}\n${marks}` : `${marks}\n${body}\n${marks}`;
}
