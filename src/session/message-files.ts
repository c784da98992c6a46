/**
 * Cleaning up a task's long-message files (`<project>/.poli/messages/<id>.md`, handoff.ts) once it ended. Several
 * polis may share one project with different state directories; each numbers its tasks from T1, so a task id says
 * nothing about whose file it is. A task removes exactly the files of the message ids it sent (its receipts and its
 * recorded messages): ids carry a random part, so another poli's files are never among them.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { messageFile } from '../reading/handoff.ts';
import type { TaskRecord } from '../state/types.ts';

/** The ids of the messages `task` sent to a CLI (the names its message files were written under). */
export function sentMessageIds(task: Pick<TaskRecord, 'messages' | 'deliveries'>): string[] {
  const ids = new Set<string>();
  for (const d of task.deliveries ?? []) ids.add(d.id);
  for (const m of task.messages) if (m.to === 'PLANNER' || m.to === 'EXECUTER') ids.add(m.id);
  return [...ids];
}

/** Removes the message files of `task`'s own messages from `<project>/.poli/messages/`, and nothing else. */
export async function removeMessageFiles(projectDir: string, task: Pick<TaskRecord, 'messages' | 'deliveries'>): Promise<void> {
  await Promise.all(sentMessageIds(task).map((id) => rm(path.join(projectDir, messageFile(id)), { force: true })));
}
