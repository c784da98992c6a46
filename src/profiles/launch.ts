/**
 * Adds a profile's launch flags to the user's command line, leaving out the ones the user already gave (a CLI may
 * refuse a repeated flag, and the user's own `-c key=value` must win over the profile's).
 */
import { shellWords } from './command-check.ts';

/** `command` followed by the profile's `args` that it does not already carry, each shell-quoted. */
export function withLaunchArgs(command: string, args: readonly string[]): string {
  const words = shellWords(command);
  const added: string[] = [];
  for (const group of optionGroups(args)) {
    if (!alreadyGiven(words, group)) added.push(...group);
  }
  return added.length === 0 ? command : `${command} ${added.map(shellQuote).join(' ')}`;
}

/** Splits `['--a', '-c', 'k=v', '--b']` into `[['--a'], ['-c', 'k=v'], ['--b']]`: a flag and the values after it. */
function optionGroups(args: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (const arg of args) {
    const last = groups[groups.length - 1];
    if (arg.startsWith('-') || last === undefined) groups.push([arg]);
    else last.push(arg);
  }
  return groups;
}

/** A bare flag counts as given when the word is there; `-c key=value` when any word sets `key=`. */
function alreadyGiven(words: readonly string[], group: readonly string[]): boolean {
  const [flag = '', ...values] = group;
  if (values.length === 0) return words.includes(flag) || words.some((word) => word.startsWith(`${flag}=`));
  return values.every((value) => {
    const eq = value.indexOf('=');
    return eq > 0 ? words.some((word) => word.startsWith(value.slice(0, eq + 1))) : words.includes(value);
  });
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
