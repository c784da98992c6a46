/**
 * Token usage in pi's session file (`~/.pi/agent/sessions/--<path>--/<time>_<id>.jsonl`), measured on 0.73.1. Each API
 * call is one `{"type":"message","message":{"role":"assistant", "model", "responseId", "usage": {"input", "output",
 * "cacheRead", "cacheWrite", "totalTokens", "cost"}}}` record whose four numbers pi already made disjoint (it subtracts
 * the cached and written tokens from `prompt_tokens`). `usage.cost` is pi's own figure from its models.json, not
 * poli's. Prompts are `message.role: "user"` records (tool results are `toolResult`).
 */
import type { UsageEntry, UsageParser } from '../../usage/types.ts';
import { isObject, partsText, text, tokenCount } from './chat-fields.ts';

/** A new parser for one pi session file. */
export function piUsage(): UsageParser {
  return { feed: readPiRecord };
}

function readPiRecord(record: unknown): UsageEntry[] {
  if (!isObject(record) || record.type !== 'message' || !isObject(record.message)) return [];
  const message = record.message;
  if (message.role === 'user') {
    const prompt = partsText(message.content);
    return prompt === '' ? [] : [{ kind: 'prompt', text: prompt }];
  }
  if (message.role !== 'assistant' || !isObject(message.usage)) return [];
  const usage = message.usage;
  const counts = {
    input: tokenCount(usage.input),
    output: tokenCount(usage.output),
    cacheRead: tokenCount(usage.cacheRead),
    cacheWrite: tokenCount(usage.cacheWrite),
  };
  // A failed request is recorded as an assistant message with stopReason "error" and zero usage: no call was billed.
  if (message.stopReason === 'error' && Object.values(counts).every((n) => n === null || n === 0)) return [];
  const callId = text(message.responseId) ?? text(record.id);
  if (callId === undefined) return [];
  return [{ kind: 'call', callId, model: text(message.model) ?? null, counts }];
}
