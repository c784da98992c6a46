/**
 * What both mocks share between the TUI and their role logic: finding the blocks addressed to the role in a
 * submission, counting them, the think delay, and every fault injection (crash, silence, approval prompt,
 * garbage, wrong ids, echoed blocks, decoy blocks, fences).
 */
import { formatBlock } from '../../src/protocol/format-block.ts';
import { parseBlocks } from '../../src/protocol/parse-blocks.ts';
import type { Addressee, Block, BlockHeader, Role } from '../../src/protocol/types.ts';
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

/** One submission as `--record-file` writes it. */
export interface ReceivedRecord {
  role: Role;
  /** Epoch ms. */
  at: number;
  /** The submitted text, exactly as the TUI got it. */
  text: string;
  /** The blocks addressed to this mock in it. */
  blocks: { header: BlockHeader; body: string }[];
}

/** The file effects of fault injection; run-mock passes real ones, unit tests leave them out. */
export interface AgentEffects {
  /** How many crashes `--crash-file` records so far. */
  countCrashes(): number;
  /** Records a crash in `--crash-file`. */
  noteCrash(line: string): void;
  /** Appends a submission to `--record-file`. */
  record(entry: ReceivedRecord): void;
}

/** The handler the TUI calls with each submission. */
export function createAgent(brain: Brain, options: MockOptions, effects?: AgentEffects, now: () => number = Date.now): SubmitHandler {
  let received = 0;
  /** Everything received (whole submissions: primer, messages) and every block sent so far, for `--noise stale`. */
  const history: string[] = [];
  return async (text: string, turn: Turn) => {
    const mine = parseBlocks(text).blocks.filter((block) => block.header.to === brain.role);
    effects?.record({ role: brain.role, at: now(), text, blocks: mine.map((b) => ({ header: b.header, body: b.body })) });
    if (mine.length === 0) {
      await turn.sleep(options.thinkMs);
      turn.reply(brain.greeting);
      history.push(text);
      return;
    }
    const outbox = createOutbox(turn, options, brain.role, history);
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
    history.push(text);
  };
}

function createOutbox(turn: Turn, options: MockOptions, role: Role, history: string[]): Outbox {
  const noise = new Set(options.noise);
  return {
    async send(header, body) {
      for (const decoy of formatDecoysBefore(noise, role, header, history)) turn.reply(fence(decoy, options.fence));
      if (options.garbage) {
        turn.reply(fence(formatMalformedBlock(header), options.fence));
        turn.reply(fence(formatBlock({ ...header, id: wrongId(header.id) }, body), options.fence));
      }
      if (options.wrongId) {
        turn.reply(fence(formatBlock({ ...header, id: wrongId(header.id) }, body), options.fence));
        await turn.sleep(options.thinkMs);
      }
      turn.reply(fence(formatBlock(header, body), options.fence));
      if (noise.has('duplicate') && header.type !== 'status') {
        turn.reply(fence(formatBlock(header, DUPLICATE_BODY), options.fence));
      }
      history.push(formatBlock(header, body));
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

/** Body of the `--noise duplicate` block. */
export const DUPLICATE_BODY = 'A second block with the same id: poli must ignore it.';

/** The decoys `--noise` prints before a real block with `header`, in a fixed order. */
export function formatDecoysBefore(
  noise: ReadonlySet<string>,
  role: Role,
  header: BlockHeader,
  history: readonly string[],
): string[] {
  const { to, type, id } = header;
  const decoys: string[] = [];
  if (noise.has('stale')) decoys.push(...history);
  if (noise.has('missing-field')) {
    decoys.push([`[[POLI:MSG {"to":"${to}","id":"${id}"}]]`, 'This block has no type and must be rejected.', '[[/POLI:MSG]]'].join('\n'));
  }
  if (noise.has('unknown-type')) {
    decoys.push(formatBlock({ to, type: 'bogus' as BlockHeader['type'], id }, 'This block has an unknown type and must be rejected.'));
  }
  if (noise.has('wrong-addressee')) {
    const wrong = wrongAddressee(role, header);
    decoys.push(formatBlock({ ...header, to: wrong }, `A ${type} addressed to ${wrong}, where it may not go: poli must ignore it.`));
  }
  if (noise.has('self')) {
    decoys.push(formatBlock({ ...header, to: role }, `A ${type} addressed to my own role (${role}): poli must ignore it.`));
  }
  if (noise.has('unterminated')) {
    decoys.push([`[[POLI:MSG ${JSON.stringify(header)}]]`, 'This block never closes: poli must not take it.'].join('\n'));
  }
  if (noise.has('torn')) {
    const json = JSON.stringify(header);
    decoys.push(`[[POLI:MSG ${json.slice(0, json.length - 6)}`);
  }
  return decoys;
}

/** Where a reply of this type from this role may not go (the machine accepts only one addressee per type). */
export function wrongAddressee(role: Role, header: BlockHeader): Addressee {
  if (role === 'EXECUTER') return 'ORCHESTRATOR';
  return header.to === 'EXECUTER' ? 'ORCHESTRATOR' : 'EXECUTER';
}

function fence(text: string, enabled: boolean): string {
  return enabled ? `\`\`\`\n${text}\n\`\`\`` : text;
}
