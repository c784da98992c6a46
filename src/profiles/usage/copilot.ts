/**
 * Token usage in GitHub Copilot CLI's session events (`~/.copilot/session-state/<id>/events.jsonl`), measured on
 * 1.0.102. Each API call is one `{"type":"session.usage_record","data":{"usage":{"model", "inputTokens",
 * "outputTokens", "cacheReadTokens", "cacheWriteTokens", "apiCallId", …}}}` record, written before the
 * `assistant.message` of the same `apiCallId` (the chat completion's `id`). `inputTokens` is the server's
 * `prompt_tokens`, the cached and written tokens inside (measured: 2412 for 101 uncached + 2010 read + 301 written);
 * `cacheWriteTokens` comes from `prompt_tokens_details.cache_write_tokens` or `cache_creation_tokens` (either alone
 * fills it). `cost` is 0 for a bring-your-own-key provider. Prompts are `user.message` records (`data.content`, the
 * text as typed). Side requests leave no usage record.
 */
import type { UsageEntry, UsageParser } from '../../usage/types.ts';
import { isObject, minus, text, tokenCount } from './chat-fields.ts';

/** A new parser for one Copilot CLI events file. */
export function copilotUsage(): UsageParser {
  return { feed: readCopilotRecord };
}

function readCopilotRecord(record: unknown): UsageEntry[] {
  if (!isObject(record) || !isObject(record.data)) return [];
  const data = record.data;
  if (record.type === 'user.message') {
    const prompt = text(data.content);
    return prompt === undefined ? [] : [{ kind: 'prompt', text: prompt }];
  }
  if (record.type !== 'session.usage_record' || !isObject(data.usage)) return [];
  const usage = data.usage;
  const accounting = isObject(usage.accounting) ? usage.accounting : {};
  const callId = text(usage.apiCallId) ?? text(accounting.usageId) ?? text(record.id);
  if (callId === undefined) return [];
  const cacheRead = tokenCount(usage.cacheReadTokens);
  const cacheWrite = tokenCount(usage.cacheWriteTokens);
  return [
    {
      kind: 'call',
      callId,
      model: text(usage.model) ?? null,
      counts: { input: minus(tokenCount(usage.inputTokens), cacheRead, cacheWrite), output: tokenCount(usage.outputTokens), cacheRead, cacheWrite },
    },
  ];
}
