/**
 * Notes from the person supervising the task (poli say): kept per role until the next message poli types to that
 * role carries them.
 */
import type { Role } from '../protocol/types.ts';

/** The header that introduces a note inside the message that carries it. */
export const NOTE_HEADER = '[A note from the person supervising this task]';

/** Notes waiting for the next message to their role. */
export class PersonNotes {
  readonly #notes: Record<Role, string[]> = { PLANNER: [], EXECUTER: [] };

  add(to: Role, text: string): void {
    this.#notes[to].push(text);
  }

  /** Takes every note for `to`, oldest first; they are gone from here after. */
  take(to: Role): string[] {
    return this.#notes[to].splice(0);
  }
}

/** `body` with `notes` appended, each under {@link NOTE_HEADER}. */
export function withNotes(body: string, notes: readonly string[]): string {
  let text = body;
  for (const note of notes) text += `\n\n${NOTE_HEADER}\n${note}`;
  return text;
}
