/**
 * Pane user options (`@name`), where poli keeps what a pane runs and whether its CLI was primed,
 * so a later poli process can reuse the session safely.
 */
import { checkResult } from './runner.ts';
import type { TmuxRunner } from './types.ts';

/** Reads several `@options` of a pane in one tmux call; unset options read as ''. */
export async function readPaneOptions(
  run: TmuxRunner,
  paneId: string,
  names: readonly string[],
): Promise<Record<string, string>> {
  // A tab cannot appear in the values poli writes (they are commands and paths, tabs replaced).
  const format = names.map((n) => `#{${n}}`).join('\t');
  const args = ['display-message', '-p', '-t', paneId, format];
  // The specific error (a dead server is TmuxServerGoneError, which the CLI explains), never a bare command failure.
  const result = checkResult(args, await run(args), paneId);
  const values = result.stdout.replace(/\n$/, '').split('\t');
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}

/** Sets several `@options` of a pane in one tmux call. */
export async function writePaneOptions(run: TmuxRunner, paneId: string, options: Record<string, string>): Promise<void> {
  const args: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (args.length > 0) args.push(';');
    args.push('set-option', '-p', '-t', paneId, name, value.replace(/\t/g, ' '));
  }
  if (args.length === 0) return;
  checkResult(args, await run(args), paneId);
}

