/**
 * Token usage in Codex's rollout file (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`, measured on 0.169.0): one
 * `{"type":"token_usage_record","payload":{"turn_id","response_id","usage":{input_tokens, cached_input_tokens,
 * cache_write_input_tokens, output_tokens, reasoning_output_tokens, total_tokens}}}` per API call, keyed by
 * `response_id`. Its `turn_token_usage`/`thread_token_usage` and the `token_count` events' totals are running sums:
 * never added. `input_tokens` is the whole prompt (OpenAI's meaning), cache reads and writes included (seen: 2412 =
 * 101 uncached + 2010 read + 301 written), so the uncached part is what remains; `reasoning_output_tokens` is part of
 * `output_tokens`. The model is the one the turn ran with, named by the `turn_context` record that starts the turn.
 * A prompt is the `item_completed` event of a `UserMessage` (the text typed, without the context Codex injects);
 * older versions wrote a `user_message` event instead.
 */
import type { UsageEntry, UsageParser } from '../../usage/types.ts';
import { isObject, tokenCount } from './record.ts';

/** A parser for one Codex rollout file, fed its records in order. */
export function codexUsage(): UsageParser {
  const modelOfTurn = new Map<string, string>();
  let lastModel: string | null = null;
  return {
    feed(record) {
      if (!isObject(record) || !isObject(record.payload)) return [];
      const { payload } = record;
      if (record.type === 'turn_context') {
        if (typeof payload.model === 'string' && payload.model !== '') {
          lastModel = payload.model;
          if (typeof payload.turn_id === 'string') modelOfTurn.set(payload.turn_id, payload.model);
        }
        return [];
      }
      if (record.type === 'event_msg') return prompt(payload);
      if (record.type !== 'token_usage_record' || !isObject(payload.usage)) return [];
      const turn = typeof payload.turn_id === 'string' ? payload.turn_id : '';
      const callId =
        typeof payload.response_id === 'string' && payload.response_id !== ''
          ? payload.response_id
          : `${turn}#${String(record.ordinal ?? record.timestamp ?? '')}`;
      const { usage } = payload;
      const whole = tokenCount(usage.input_tokens);
      const cacheRead = tokenCount(usage.cached_input_tokens) ?? 0;
      // Absent in versions before the field existed: the writes are then unknown (and inside input_tokens).
      const cacheWrite = tokenCount(usage.cache_write_input_tokens);
      return [
        {
          kind: 'call',
          callId,
          model: modelOfTurn.get(turn) ?? lastModel,
          counts: {
            input: whole === undefined ? null : Math.max(0, whole - cacheRead - (cacheWrite ?? 0)),
            output: tokenCount(usage.output_tokens) ?? null,
            cacheRead,
            cacheWrite: cacheWrite ?? null,
          },
        },
      ];
    },
  };
}

function prompt(payload: Record<string, unknown>): UsageEntry[] {
  if (payload.type === 'user_message' && typeof payload.message === 'string') {
    return payload.message === '' ? [] : [{ kind: 'prompt', text: payload.message }];
  }
  if (payload.type !== 'item_completed' || !isObject(payload.item) || payload.item.type !== 'UserMessage') return [];
  const { content } = payload.item;
  if (!Array.isArray(content)) return [];
  const text = content
    .flatMap((part) => (isObject(part) && part.type === 'text' && typeof part.text === 'string' ? [part.text] : []))
    .join('\n');
  return text === '' ? [] : [{ kind: 'prompt', text }];
}
