/**
 * The person's commands for one task (poli say/pause/resume/stop): those carried from before it started, those polled
 * since, and the notes (`poli say`) no message has carried to their CLI yet.
 */
import type { ControlCommand } from '../human/control.ts';
import type { Role } from '../protocol/types.ts';

/** A note from the person for one CLI, until a message to it carries the note. */
export interface PendingNote {
  to: Role;
  text: string;
}

/** The task's inbox of commands and its notes still to deliver; polling is injected (the control inbox). */
export class TaskNotes {
  private readonly notes: PendingNote[] = [];
  private readonly pending: ControlCommand[];

  constructor(
    private readonly poll: () => Promise<ControlCommand[]>,
    carried: readonly ControlCommand[],
  ) {
    this.pending = [...carried];
  }

  /** The commands kept for the dialogue first, then those that arrived; each `say` is noted until delivered. */
  readonly control = async (): Promise<ControlCommand[]> => {
    const commands = [...this.pending.splice(0), ...(await this.poll())];
    for (const c of commands) if (c.kind === 'say') this.notes.push({ to: c.to, text: c.text });
    return commands;
  };

  /** Keeps commands for the dialogue's next look (read while priming, or while held before the start). */
  keep(commands: readonly ControlCommand[]): void {
    this.pending.push(...commands);
  }

  /** Hands over the kept commands (to the hold before the start), keeping none. */
  takeKept(): ControlCommand[] {
    return this.pending.splice(0);
  }

  /** Stopped before the start: the pause and stop were applied, only the notes are left (to report undelivered). */
  keepNotesOnly(): void {
    const notesOnly = this.pending.filter((c) => c.kind === 'say');
    this.pending.splice(0, this.pending.length, ...notesOnly);
  }

  /** A message from the person was recorded: the note it carried is delivered. */
  delivered(message: { from: string; to: string; body: string }): void {
    if (message.from !== 'HUMAN') return;
    const at = this.notes.findIndex((n) => n.to === message.to && n.text === message.body);
    if (at >= 0) this.notes.splice(at, 1);
  }

  /** The notes no message carried (the task ends), handed over once. */
  takeUndelivered(): PendingNote[] {
    return this.notes.splice(0);
  }
}
