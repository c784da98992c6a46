/**
 * Token usage in Claude Code's session transcript (`~/.claude/projects/<slug>/<session>.jsonl`, measured on 2.1.197):
 * each API call's `{"type":"assistant","requestId":"req_…","message":{"id":"msg_…","model":…,"usage":{…}}}` is written
 * once per content block (a text and a tool call: two lines, the same `message.id` and usage), so a call is keyed by
 * `message.id`. The Messages API's counts are already disjoint: `input_tokens` excludes the cache,
 * `cache_read_input_tokens` and `cache_creation_input_tokens` are the cache read and write. Records of model
 * `<synthetic>` are the CLI's own placeholders for a failed call (zero usage, no API call). A prompt is a `user` record
 * whose content is text (a string, or text parts); a tool result is a `user` record too, with `tool_result` parts.
 */
import type { TokenCounts, UsageEntry, UsageParser } from '../../usage/types.ts';
import { isObject, sameCounts, tokenCount } from './record.ts';

/** A parser for one Claude Code transcript file, fed its records in order. */
export function claudeUsage(): UsageParser {
  const emitted = new Map<string, TokenCounts>();
  return {
    feed(record) {
      if (!isObject(record)) return [];
      if (record.type === 'user') return prompt(record);
      if (record.type !== 'assistant' || !isObject(record.message)) return [];
      const call = callOf(record.message);
      if (!call) return [];
      // Written once per content block (and, by some versions, first as a streaming snapshot with fewer output
      // tokens): keep the largest output seen, and report the call again only when what is known about it changed.
      const before = emitted.get(call.callId);
      if (before && before.output !== null && call.counts.output !== null && before.output > call.counts.output) {
        call.counts.output = before.output;
      }
      if (before && sameCounts(before, call.counts)) return [];
      emitted.set(call.callId, call.counts);
      return [call];
    },
  };
}

function prompt(record: Record<string, unknown>): UsageEntry[] {
  // Meta records (command caveats, hook output) and sidechains (a subagent's own conversation) are not typed prompts.
  if (record.isMeta === true || record.isSidechain === true || !isObject(record.message)) return [];
  const { content } = record.message;
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'prompt', text: content }];
  if (!Array.isArray(content) || content.some((part) => isObject(part) && part.type === 'tool_result')) return [];
  const text = content
    .flatMap((part) => (isObject(part) && part.type === 'text' && typeof part.text === 'string' ? [part.text] : []))
    .join('\n');
  return text === '' ? [] : [{ kind: 'prompt', text }];
}

function callOf(message: Record<string, unknown>): (UsageEntry & { kind: 'call' }) | undefined {
  const { usage, id, model } = message;
  if (!isObject(usage) || typeof id !== 'string' || id === '' || model === '<synthetic>') return undefined;
  const input = tokenCount(usage.input_tokens);
  const output = tokenCount(usage.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  return {
    kind: 'call',
    callId: id,
    model: typeof model === 'string' && model !== '' ? model : null,
    counts: {
      input: input ?? null,
      output: output ?? null,
      // The API leaves the cache fields out when the request used no cache: none read, none written.
      cacheRead: tokenCount(usage.cache_read_input_tokens) ?? 0,
      cacheWrite: tokenCount(usage.cache_creation_input_tokens) ?? 0,
      // One-hour writes cost more than five-minute ones (prices.json cacheWrite1h): kept apart when there are any.
      ...oneHourWrites(usage),
    },
  };
}

/** `cache_creation.ephemeral_1h_input_tokens`, when above 0, as `cacheWrite1h`. */
function oneHourWrites(usage: Record<string, unknown>): { cacheWrite1h?: number } {
  const split = usage.cache_creation;
  const oneHour = isObject(split) ? tokenCount(split.ephemeral_1h_input_tokens) : undefined;
  return oneHour !== undefined && oneHour > 0 ? { cacheWrite1h: oneHour } : {};
}
