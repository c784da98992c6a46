/** The decoy blocks of `--garbage`, `--wrong-id` and `--noise`, each of which poli must ignore. Pure. */
import { formatBlock } from '../../src/protocol/format-block.ts';
import type { Addressee, BlockHeader, Role } from '../../src/protocol/types.ts';

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
