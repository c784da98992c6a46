/**
 * Runs one task's dialogue to its end: the entry point the session layer calls, over the dialogue object
 * (dialogue.ts), which holds the state and performs the effects. All effects are injected.
 */
import { Dialogue } from './dialogue.ts';
import type { CliSwitch, DeliveryReport, NoticeKind, PaneDeathHandler, ProgressEvent, ReplyReviewer, RunTaskOptions, TaskOutcome, TaskRecorder } from './types.ts';

export type { CliSwitch, DeliveryReport, NoticeKind, PaneDeathHandler, ProgressEvent, ReplyReviewer, RunTaskOptions, TaskOutcome, TaskRecorder };
export { damageReminder } from './recovery.ts';

/** Runs one task to its end and returns how it ended. Never leaves the task `running`. */
export function runTask(options: RunTaskOptions): Promise<TaskOutcome> {
  return new Dialogue(options).run();
}
