/**
 * Token usage in Qwen Code's session transcript (`~/.qwen/projects/<dir>/chats/<session>.jsonl`), measured on 0.24.4.
 * Each API call of the conversation ends in one `{"type":"assistant", "model", "usageMetadata": {…}}` record, the
 * Chat Completions usage converted to Gemini's names: `promptTokenCount` ← `prompt_tokens` (cached tokens inside),
 * `candidatesTokenCount` ← `completion_tokens`, `cachedContentTokenCount` ← `prompt_tokens_details.cached_tokens`.
 * No field carries cache writes: `cacheWrite` is unknown (the written tokens stay inside `input`).
 * The same calls appear again as `ui_telemetry` system records (`qwen-code.api_response`): read only the assistant
 * records, or every call counts twice. Prompts are `{"type":"user"}` records without a subtype (tool results are
 * `tool_result`; notifications, cron prompts and mid-turn messages carry a subtype).
 */
import type { UsageEntry, UsageParser } from '../../usage/types.ts';
import { isObject, minus, partsText, text, tokenCount } from './chat-fields.ts';

/** A new parser for one Qwen Code transcript. */
export function qwenUsage(): UsageParser {
  return { feed: readQwenRecord };
}

function readQwenRecord(record: unknown): UsageEntry[] {
  if (!isObject(record)) return [];
  if (record.type === 'user' && record.subtype === undefined && isObject(record.message)) {
    const prompt = partsText(record.message.parts);
    return prompt === '' ? [] : [{ kind: 'prompt', text: prompt }];
  }
  if (record.type !== 'assistant' || !isObject(record.usageMetadata)) return [];
  const callId = text(record.uuid);
  if (callId === undefined) return [];
  const usage = record.usageMetadata;
  const prompt = tokenCount(usage.promptTokenCount);
  const cacheRead = tokenCount(usage.cachedContentTokenCount) ?? (prompt === null ? null : 0);
  return [
    {
      kind: 'call',
      callId,
      model: text(record.model) ?? null,
      counts: {
        input: minus(prompt, cacheRead),
        // Reasoning tokens are part of completion_tokens in Chat Completions (thoughtsTokenCount is a subset here).
        output: tokenCount(usage.candidatesTokenCount),
        cacheRead,
        cacheWrite: null,
      },
    },
  ];
}
