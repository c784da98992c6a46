/**
 * Hints name a command to run next (`continue it with: poli --resume T3`). Under `npm run poli -- …` there is no
 * `poli` on PATH, so they say `npm run poli -- --resume T3`: the form the person ran. npm sets npm_lifecycle_event
 * to the script's name for the process it runs.
 */

/** `npm run poli --` when poli was started by `npm run poli`, else `poli`. */
export function invokedAs(env: Readonly<Record<string, string | undefined>>): string {
  return env.npm_lifecycle_event === 'poli' ? 'npm run poli --' : 'poli';
}

const HINT = /(^|[\s`(])poli(?= (?:--[a-z]|start\b|say\b|pause\b|resume\b|stop\b|status\b|watch\b|attach\b|help\b))/g;

/** `text` with each command hint (`poli --state`, `` `poli --help` ``, `poli start`) in the form `prefix`. */
export function asInvoked(text: string, prefix: string): string {
  return prefix === 'poli' ? text : text.replace(HINT, `$1${prefix}`);
}
