/**
 * Answers the first-run and confirmation dialogs a CLI shows (its profile's `dialogs`), safely: a trust prompt only
 * when the CLI runs in the project directory poli was given, and never one whose answer would exit, update or turn
 * on bypass mode ('refuse': poli stops and says what the CLI asks).
 */
import { realpath } from 'node:fs/promises';
import { PoliError } from '../errors.ts';
import type { DialogRule } from '../profiles/types.ts';
import type { Role } from '../protocol/types.ts';
import { checkResult } from '../tmux/runner.ts';
import type { TmuxRunner } from '../tmux/types.ts';

/** A CLI shows a dialog poli must not answer for the user. */
export class DialogRefusedError extends PoliError {
  constructor(role: Role, paneId: string, dialog: string, why: string, lastLines: string) {
    super(
      'CLI_DIALOG_REFUSED',
      `the ${role} CLI in pane ${paneId} shows the "${dialog}" dialog, which poli does not answer: ${why}. ` +
        `Last lines of its screen:\n${lastLines
          .split('\n')
          .map((l) => `  | ${l}`)
          .join('\n')}\n` +
        'Answer it once by running the CLI by hand in the project directory (or attach: tmux -L <socket> attach), ' +
        'or change its configuration so it no longer asks, then run poli again.',
    );
  }
}

export interface DialogWatchOptions {
  run: TmuxRunner;
  role: Role;
  paneId: string;
  projectDir: string;
  dialogs: readonly DialogRule[];
  log?(message: string): void;
}

/** Why a 'refuse' dialog is not answered, by what its default would do. */
const REFUSE_REASON = 'answering it could exit the CLI, update it, sign in or turn off its permission prompts';
/** After answering, the same dialog is not answered again for this long (the CLI is still reacting to the key). */
const REANSWER_AFTER_MS = 3_000;

/** Watches one pane's screens for its profile's dialogs. */
export class DialogWatch {
  private last: { name: string; at: number } | undefined;

  constructor(
    private readonly options: DialogWatchOptions,
    // Only a duration (REANSWER_AFTER_MS) is measured: monotonic, so a step of the wall clock cannot change it.
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Looks at the bottom lines (ANSI stripped); when they show a known dialog, answers it (unless it was answered a
   * moment ago) and returns its name; undefined when no dialog shows.
   * Throws DialogRefusedError for a dialog poli must not answer, or a trust prompt outside the project directory.
   */
  async handle(bottomLines: readonly string[]): Promise<string | undefined> {
    const lines = bottomLines.map((line) => line.trimEnd());
    const dialog = this.options.dialogs.find((rule) => rule.matches(lines));
    if (!dialog) return undefined;
    const screen = lines.join('\n');
    const { role, paneId, run } = this.options;
    if (dialog.answer === 'refuse') throw new DialogRefusedError(role, paneId, dialog.name, dialog.hint ?? REFUSE_REASON, screen);
    // The dialog stays on the screen (and is redrawn) for a moment after the key: answering it again then would
    // send a key to whatever comes next, and Enter on the next dialog may pick a default that is not safe.
    if (this.last && this.last.name === dialog.name && this.now() - this.last.at < REANSWER_AFTER_MS) {
      return dialog.name; // answered a moment ago; the CLI has not reacted yet
    }
    if (dialog.projectOnly) {
      const cwd = await this.paneDirectory();
      const project = await realpath(this.options.projectDir).catch(() => this.options.projectDir);
      if (cwd !== project) {
        throw new DialogRefusedError(
          role,
          paneId,
          dialog.name,
          `the CLI runs in ${cwd || '(unknown directory)'}, not in the project directory ${project}, and poli only trusts the project directory`,
          screen,
        );
      }
    }
    this.options.log?.(`the ${role} CLI shows the "${dialog.name}" dialog; answering with ${dialog.answer.join(' ')}`);
    checkResult(['send-keys'], await run(['send-keys', '-t', paneId, ...dialog.answer]), paneId);
    this.last = { name: dialog.name, at: this.now() };
    return dialog.name;
  }

  /** The working directory of the pane's program (tmux reads it from /proc, so it is a real path). */
  private async paneDirectory(): Promise<string> {
    const args = ['display-message', '-p', '-t', this.options.paneId, '#{pane_current_path}'];
    const result = checkResult(args, await this.options.run(args), this.options.paneId);
    return result.stdout.trim();
  }
}
