/**
 * Which poli message a CLI's API calls are charged to, from the prompt the CLI recorded before them (issue 22): the
 * text poli typed starts with the message's header, or is a reminder naming the message, or is the role's primer.
 * Attribution by content, not by timing: a usage record written late still lands on the message that caused it.
 */
import { MESSAGE_OPEN_PREFIX, type Role } from '../protocol/types.ts';
import type { Attribution } from './types.ts';

/** poli's message ids (protocol/format-block.ts newMessageId): task, round, six base-36 characters. */
const MESSAGE_ID = /\bT\d+-R\d+-[0-9a-z]{6}\b/;
const REMINDER = 'Reminder from poli:';
/** How each primer starts (config/planner_primer.txt, config/executer_primer.txt). */
const PRIMER = /^\s*You are the (PLANNER|EXECUTER) in a two-agent team run by poli/;

/** The header of the first block in `text`, when it parses: `to` and `id`. */
function firstHeader(text: string): { to: string; id: string } | undefined {
  const start = text.indexOf(MESSAGE_OPEN_PREFIX);
  if (start < 0) return undefined;
  const end = text.indexOf(']]', start);
  if (end < 0) return undefined;
  try {
    const header = JSON.parse(text.slice(start + MESSAGE_OPEN_PREFIX.length, end)) as Record<string, unknown>;
    return typeof header.to === 'string' && typeof header.id === 'string' ? { to: header.to, id: header.id } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The role a prompt was typed for: its primer's, or the addressee of its first header. A transcript folder may hold
 * both panes' sessions (two Claude Codes in one project): this tells whose file it is. Undefined: it does not say.
 */
export function promptRole(text: string): Role | undefined {
  const primer = PRIMER.exec(text);
  if (primer) return primer[1] as Role;
  const to = firstHeader(text)?.to;
  return to === 'PLANNER' || to === 'EXECUTER' ? to : undefined;
}

/** Where the calls after prompt `text`, typed into `role`'s CLI, are charged. */
export function attribute(text: string, role: Role): Attribution {
  const header = firstHeader(text);
  if (header && header.to === role) return { via: 'header', messageId: header.id };
  if (text.trimStart().startsWith(REMINDER)) {
    const named = MESSAGE_ID.exec(text);
    if (named) return { via: 'reminder', messageId: named[0] };
  }
  if (PRIMER.exec(text)?.[1] === role) return { via: 'primer' };
  return { via: 'unattributed' };
}

/** The key of an attribution in TaskUsage.byMessage: the message id, or `primer:ROLE` / `unattributed:ROLE`. */
export function attributionKey(attribution: Attribution, role: Role): string {
  return 'messageId' in attribution ? attribution.messageId : `${attribution.via}:${role}`;
}
