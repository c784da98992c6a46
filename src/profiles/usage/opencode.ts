/**
 * Token usage in poli's JSONL copy of an opencode session (src/profiles/opencode.ts writes it from
 * `opencode export`), measured on 1.18.33. opencode records each API call (a "step") as a `step-finish` part of the
 * assistant message, `tokens: {input, output, reasoning, cache: {read, write}}`, already disjoint (it subtracts the
 * cache from the prompt tokens and the reasoning from the output). Through the `@ai-sdk/openai-compatible` provider
 * it reads no cache-write field (measured: `cache.write` 0, the written tokens left in `input`), which prices them as
 * input, as OpenAI-style APIs bill them. The title request leaves no step. The message's own `info.tokens` is the last
 * step's only: the copy keeps the parts, one line each,
 * `{"id":"prt_…","role":"usage","messageID","parentID","modelID","providerID","tokens","cost"}`, and one line per
 * user message, `{"id":"msg_…","role":"user","text"}`, the prompt the calls after it answer.
 */
import type { UsageEntry, UsageParser } from '../../usage/types.ts';
import { isObject, text, tokenCount } from './chat-fields.ts';

/** A new parser for one opencode copy. */
export function opencodeUsage(): UsageParser {
  return { feed: readOpencodeLine };
}

function readOpencodeLine(record: unknown): UsageEntry[] {
  if (!isObject(record)) return [];
  if (record.role === 'user') {
    const prompt = text(record.text);
    return prompt === undefined ? [] : [{ kind: 'prompt', text: prompt }];
  }
  if (record.role !== 'usage' || !isObject(record.tokens)) return [];
  const callId = text(record.id);
  if (callId === undefined) return [];
  const tokens = record.tokens;
  const cache = isObject(tokens.cache) ? tokens.cache : {};
  const output = tokenCount(tokens.output);
  const reasoning = tokenCount(tokens.reasoning) ?? 0;
  const modelId = text(record.modelID);
  const provider = text(record.providerID);
  return [
    {
      kind: 'call',
      callId,
      // `provider/model`, as opencode names it; the price lookup strips the provider.
      model: modelId === undefined ? null : provider === undefined ? modelId : `${provider}/${modelId}`,
      counts: { input: tokenCount(tokens.input), output: output === null ? null : output + reasoning, cacheRead: tokenCount(cache.read), cacheWrite: tokenCount(cache.write) },
    },
  ];
}
