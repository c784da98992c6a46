/**
 * What both mocks share between the TUI and their role logic: finding the blocks addressed to the role in a
 * submission (reading poli's message file when a block points to one), counting them, the think delay, and the
 * faults that act on whole messages (crash, silence, restart, approval prompt, echoed blocks, printed flood).
 * What happens to each block sent is outbox.ts.
 */
import { formatBlock } from '../../src/protocol/format-block.ts';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import type { Block, Role } from '../../src/protocol/types.ts';
import type { AgentEffects, Brain } from './agent-types.ts';
import type { MockOptions } from './options.ts';
import { createOutbox, fence } from './outbox.ts';
import { floodLine, messageFilePointer } from './reply-shaping.ts';
import type { SubmitHandler, Turn } from './tui.ts';

export { DUPLICATE_BODY, formatDecoysBefore, formatMalformedBlock, wrongAddressee, wrongId } from './decoys.ts';
export type { AgentEffects, Brain, Outbox, ReceivedRecord, SentRecord } from './agent-types.ts';

/** Exit code of a `--crash-at` crash. */
export const CRASH_EXIT_CODE = 3;
/** How often the `--print-rate` flood prints a batch: often enough to look continuous, rarely enough to cost little. */
const FLOOD_BATCH_MS = 40;

/** The handler the TUI calls with each submission. */
export function createAgent(brain: Brain, options: MockOptions, effects?: AgentEffects, now: () => number = Date.now): SubmitHandler {
  let received = 0;
  let primersAtLimit = 0;
  /** Everything received (whole submissions: primer, messages) and every block sent so far, for `--noise stale`. */
  const history: string[] = [];
  /** The block a `--restart-at` restart dropped, answered when a reminder names it. */
  let dropped: Block | undefined;
  /** The last block answered and the blocks sent in answer: a reminder naming its id gets them again, verbatim. */
  let last: { id: string; texts: string[] } | undefined;
  /** Primers at the limit: --limit-at-start, plus --limit-after-crash when this process follows a crash. */
  let primersLimited: number | undefined;
  return async (text: string, turn: Turn) => {
    const mine = blocksFor(brain.role, text, effects);
    effects?.record({ role: brain.role, at: now(), text, blocks: mine.map((b) => ({ header: b.header, body: b.body })) });
    const sentNow: string[] = [];
    const outbox = createOutbox(turn, options, { role: brain.role, history, effects, now, onSent: (t) => sentNow.push(t) });
    if (mine.length === 0) {
      await turn.sleep(options.thinkMs);
      // --limit-at-start: at its limit when poli primes it; a primer typed again after the reset is answered.
      // Counted at the first primer: a crash noted later (by this process) is not one it was started after.
      primersLimited ??= options.limitAtStart + ((effects?.countCrashes() ?? 0) > 0 ? (options.limitAfterCrash ?? 0) : 0);
      if (primersAtLimit < primersLimited) {
        primersAtLimit++;
        if (!(await showLimit(turn, options, now()))) return;
      }
      const reminded = dropped !== undefined && text.includes(dropped.header.id) ? dropped : undefined;
      if (reminded !== undefined) {
        dropped = undefined;
        await brain.answer(reminded, outbox);
        last = { id: reminded.header.id, texts: sentNow };
      } else if (last !== undefined && text.includes(last.id) && text.includes(`write the whole reply block to the file`)) {
        // Asked to put a reply the screen could not show into a reply file: the same blocks, in one write.
        const file = `.poli/replies/${last.id}.md`;
        effects?.appendFile?.(file, `${last.texts.join('\n')}\n`);
        turn.reply(`wrote my reply to ${file}`);
      } else if (last !== undefined && text.includes(last.id)) {
        // Asked again for a reply already sent (poli could not read it): the same blocks, as they were.
        for (const sent of last.texts) turn.reply(fence(sent, options.fence));
      } else {
        if (options.clearBeforeReply) turn.clearScreen();
        turn.reply(brain.greeting);
      }
      history.push(text);
      return;
    }
    for (const block of mine) {
      received++;
      if (received === options.crashAt && (options.crashLimit === undefined || (effects?.countCrashes() ?? 0) < options.crashLimit)) {
        effects?.noteCrash(`${now()} ${brain.role} ${received}`);
        turn.crash(
          CRASH_EXIT_CODE,
          `API Error: mock ${brain.role} crashed on message ${received} (--crash-at ${received})`,
        );
        return;
      }
      if (received === options.restartAt) {
        dropped = block;
        turn.restart();
        return;
      }
      if (received === options.silentAt) continue;
      await turn.sleep(options.thinkMs);
      if (received === options.holdAt) await holdWhileFileExists(turn, options.holdFile, effects);
      if (received === options.limitAt) {
        const answered = await showLimit(turn, options, now());
        if (!answered) continue;
      }
      if (received === options.approvalAt) {
        const detail = `poli-mock answer ${block.header.type} ${block.header.id}`;
        if (!(await turn.confirm('Bash command', detail))) {
          turn.reply(`Not answering ${block.header.id}: permission was denied.`);
          continue;
        }
      }
      if (options.echoBlocks) turn.reply(fence(formatBlock(block.header, block.body), options.fence));
      if (options.printRate !== undefined) await flood(turn, block.header.id, options.printRate, options.printSeconds, now);
      sentNow.length = 0;
      await brain.answer(block, outbox);
      last = { id: block.header.id, texts: [...sentNow] };
    }
    history.push(text);
  };
}

/**
 * `--limit-at`: what Claude Code shows when its model API refuses the turn. Returns whether the block is still to be
 * answered (`retrying`: the retry went through).
 */
async function showLimit(turn: Turn, options: MockOptions, at: number): Promise<boolean> {
  switch (options.limit) {
    case 'usage':
      turn.print([`⎿  You've hit your 5-hour limit · resets ${claudeTime(at + options.limitResetSec * 1000)} (UTC)`]);
      return false;
    case 'failed':
      turn.reply('API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment.');
      return false;
    case 'auth':
      turn.reply('Please run /login · API Error: 401 Invalid authentication credentials');
      return false;
    case 'retrying':
      turn.print(['✻ API error · retrying in 3s · attempt 1/10']);
      await turn.sleep(3000);
      return true;
    case 'usage-options': {
      const reset = claudeTime(at + options.limitResetSec * 1000, at);
      turn.print([`⎿  You've hit your 5-hour limit · resets ${reset} (UTC)`]);
      const choice = await turn.choose('What do you want to do?', [
        'Stop and wait for limit to reset',
        `Wait here, then continue automatically at ${reset}`,
        'Switch to usage credits',
        'Upgrade your plan',
      ]);
      turn.print([`(limit options: chose ${choice})`]);
      return false;
    }
  }
}

/** `7:30am`, or `Dec 1, 5:08am` a day or more away, in UTC: how Claude Code writes a reset time. */
export function claudeTime(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const time = `${h % 12 === 0 ? 12 : h % 12}:${String(d.getUTCMinutes()).padStart(2, '0')}${h < 12 ? 'am' : 'pm'}`;
  if (ms - now < 24 * 3600_000) return time;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${month} ${d.getUTCDate()}, ${time}`;
}

/**
 * The blocks addressed to `role` in a submission. A block whose body is poli's pointer to a message file stands
 * for the blocks in that file (the file holds the block with its full body, then the expected-reply line).
 */
export function blocksFor(role: Role, text: string, effects?: AgentEffects): Block[] {
  const mine = parseBlocks(text).blocks.filter((block) => block.header.to === role);
  return mine.flatMap((block) => {
    const file = messageFilePointer(block.body);
    const content = file === undefined ? undefined : effects?.readFile?.(file);
    if (content === undefined) return [block];
    const inFile = parseBlocks(content).blocks.filter((b) => b.header.to === role);
    return inFile.length > 0 ? inFile : [block];
  });
}

/** `--print-rate`: `rate` distinct lines a second for `seconds`, printed in batches, interruptible like any wait. */
async function flood(turn: Turn, id: string, rate: number, seconds: number, now: () => number): Promise<void> {
  const total = Math.round(rate * seconds);
  const started = now();
  let printed = 0;
  while (printed < total) {
    await turn.sleep(FLOOD_BATCH_MS);
    const due = Math.min(total, Math.floor(((now() - started) * rate) / 1000));
    const lines: string[] = [];
    for (; printed < due; printed++) lines.push(floodLine(id, printed + 1));
    if (lines.length > 0) turn.print(lines);
  }
}

/** --hold-at: busy (spinner on) while the hold file exists, so a test orders what happens before this answer. */
async function holdWhileFileExists(turn: Turn, file: string | undefined, effects: AgentEffects | undefined): Promise<void> {
  if (file === undefined || effects?.readFile === undefined) return;
  while (effects.readFile(file) !== undefined) await turn.sleep(HOLD_POLL_MS);
}

const HOLD_POLL_MS = 50;
