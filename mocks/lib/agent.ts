/**
 * What both mocks share between the TUI and their role logic: finding the blocks addressed to the role in a
 * submission, counting them, the think delay, and every fault injection (crash, silence, approval prompt,
 * garbage, wrong ids, echoed blocks, fences).
 */
import { formatBlock } from '../../src/protocol/format-block.ts';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import type { Block, BlockHeader, Role } from '../../src/protocol/types.ts';
import type { MockOptions } from './options.ts';
import type { SubmitHandler, Turn } from './tui.ts';

/** Exit code of a `--crash-at` crash. */
export const CRASH_EXIT_CODE = 3;

/** How a role's logic answers: blocks through `send` (faults applied), plain text through `say`. */
export interface Outbox {
  send(header: BlockHeader, body: string): Promise<void>;
  say(text: string): void;
  /** Spends the think time (spinner showing). */
  think(): Promise<void>;
}

/** A role's logic: what it says to text without blocks for it, and how it answers one block. */
export interface Brain {
  role: Role;
  greeting: string;
  answer(block: Block, outbox: Outbox): Promise<void>;
}

/** The handler the TUI calls with each submission. */
export function createAgent(brain: Brain, options: MockOptions): SubmitHandler {
  let received = 0;
  return async (text: string, turn: Turn) => {
    const mine = parseBlocks(text).blocks.filter((block) => block.header.to === brain.role);
    if (mine.length === 0) {
      await turn.sleep(options.thinkMs);
      turn.reply(brain.greeting);
      return;
    }
    const outbox = createOutbox(turn, options);
    for (const block of mine) {
      received++;
      if (received === options.crashAt) {
        turn.crash(
          CRASH_EXIT_CODE,
          `API Error: mock ${brain.role} crashed on message ${received} (--crash-at ${received})`,
        );
        return;
      }
      if (received === options.silentAt) continue;
      await turn.sleep(options.thinkMs);
      if (received === options.approvalAt) {
        const detail = `poli-mock answer ${block.header.type} ${block.header.id}`;
        if (!(await turn.confirm('Bash command', detail))) {
          turn.reply(`Not answering ${block.header.id}: permission was denied.`);
          continue;
        }
      }
      if (options.echoBlocks) turn.reply(fence(formatBlock(block.header, block.body), options.fence));
      await brain.answer(block, outbox);
    }
  };
}

function createOutbox(turn: Turn, options: MockOptions): Outbox {
  return {
    async send(header, body) {
      if (options.garbage) {
        turn.reply(fence(formatMalformedBlock(header), options.fence));
        turn.reply(fence(formatBlock({ ...header, id: wrongId(header.id) }, body), options.fence));
      }
      if (options.wrongId) {
        turn.reply(fence(formatBlock({ ...header, id: wrongId(header.id) }, body), options.fence));
        await turn.sleep(options.thinkMs);
      }
      turn.reply(fence(formatBlock(header, body), options.fence));
    },
    say: (text) => turn.reply(text),
    think: () => turn.sleep(options.thinkMs),
  };
}

/** An id that is clearly not the one issued, e.g. `stale-T1-R1-abc123`. */
export function wrongId(id: string): string {
  return `stale-${id}`;
}

/** A block whose header is not valid JSON (trailing comma), addressed and typed like the real one. */
export function formatMalformedBlock(header: BlockHeader): string {
  return [
    `[[POLI:MSG {"to":"${header.to}","type":"${header.type}","id":"${header.id}",}]]`,
    'This block has a malformed header and must be rejected.',
    '[[/POLI:MSG]]',
  ].join('\n');
}

function fence(text: string, enabled: boolean): string {
  return enabled ? `\`\`\`\n${text}\n\`\`\`` : text;
}
