/**
 * Token usage in Gemini CLI's chat file (`~/.gemini/tmp/<project>/chats/session-*.jsonl`, measured on 0.61.0): each
 * API call's reply is a `{"id","type":"gemini","model",…,"tokens":{input, output, cached, thoughts, tool, total}}`
 * record, written again under the same `id` when the call asked for a tool (so a call is keyed by `id`); `{"$set":…}`
 * lines are metadata. The counts are the API's last `usageMetadata`: `input` (promptTokenCount) includes the cached
 * tokens, `thoughts` are counted apart from `output` (both billed as output), `tool` is the tool-use prompt, billed as
 * input and apart from the prompt count. The Gemini API reports no cache writes: `cacheWrite` is unknown. The model is
 * the one the CLI asked for (the request's path), not the reply's `modelVersion`. A prompt is a `user` record with text
 * parts; a tool's answer is a `user` record with `functionResponse` parts.
 */
import type { TokenCounts, UsageEntry, UsageParser } from '../../usage/types.ts';
import { isObject, sameCounts, tokenCount } from './record.ts';

/** A parser for one Gemini CLI chat file, fed its records in order. */
export function geminiUsage(): UsageParser {
  const emitted = new Map<string, TokenCounts>();
  return {
    feed(record) {
      if (!isObject(record)) return [];
      if (record.type === 'user') return prompt(record.content);
      if (record.type !== 'gemini' || !isObject(record.tokens) || typeof record.id !== 'string' || record.id === '') return [];
      const { tokens } = record;
      const prompted = tokenCount(tokens.input);
      const cached = tokenCount(tokens.cached) ?? 0;
      const output = tokenCount(tokens.output);
      if (prompted === undefined && output === undefined) return [];
      const counts: TokenCounts = {
        input: prompted === undefined ? null : Math.max(0, prompted - cached) + (tokenCount(tokens.tool) ?? 0),
        output: output === undefined ? null : output + (tokenCount(tokens.thoughts) ?? 0),
        cacheRead: cached,
        cacheWrite: null,
      };
      const before = emitted.get(record.id);
      if (before && sameCounts(before, counts)) return [];
      emitted.set(record.id, counts);
      const model = typeof record.model === 'string' && record.model !== '' ? record.model : null;
      return [{ kind: 'call', callId: record.id, model, counts }];
    },
  };
}

function prompt(content: unknown): UsageEntry[] {
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'prompt', text: content }];
  if (!Array.isArray(content) || content.some((part) => isObject(part) && 'functionResponse' in part)) return [];
  const text = content
    .flatMap((part) => (isObject(part) && typeof part.text === 'string' ? [part.text] : []))
    .join('\n');
  return text === '' ? [] : [{ kind: 'prompt', text }];
}
