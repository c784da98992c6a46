/**
 * `poli --resume ID` runs the task in the project it was started in: its CLIs left their work there, and the message
 * poli types next speaks of that work. Pure: the task, the project poli would use, and a directory check in; the
 * project to use (with a line for the person when it is not the current one), or an error saying what to do.
 */
import path from 'node:path';
import { ConfigError } from '../errors.ts';

export interface ResumeProject {
  projectDir: string;
  /** Said at the terminal when the task's project is not the one poli was started in. */
  note?: string;
}

export function resumeProjectDir(
  task: { id: string; projectDir?: string },
  current: string,
  options: { explicit: boolean; isDirectory: (dir: string) => boolean },
): ResumeProject {
  const own = task.projectDir;
  if (own === undefined || own === '' || path.resolve(own) === path.resolve(current)) {
    if (own !== undefined && own !== '' && !options.isDirectory(own)) throw goneError(task.id, own);
    return { projectDir: current };
  }
  if (options.explicit) {
    throw new ConfigError(
      `cannot resume ${task.id} in ${current} (--project-dir): it was started in ${own}, where its CLIs left their work. ` +
        `Leave out --project-dir to resume it there, or give --project-dir ${own}.`,
    );
  }
  if (!options.isDirectory(own)) throw goneError(task.id, own);
  return { projectDir: own, note: `poli: task ${task.id} was started in ${own}; resuming it there (not in the current directory ${current}).` };
}

function goneError(id: string, dir: string): ConfigError {
  return new ConfigError(
    `cannot resume ${id}: it was started in ${dir}, which no longer exists (or is not a directory). poli resumes a task ` +
      `only in its own project, where its CLIs left their work. Restore that directory, or start the task again as a new one with --task.`,
  );
}
