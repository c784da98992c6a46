/**
 * Facts about where poli runs: its package root, its role files, and the real clock. Kept apart so modules need not import the composition root.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from './tmux/types.ts';

/** poli's package root (where config/, mocks/ and node_modules/ are). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The wall clock and real timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Reads a role file from config/ (`planner_primer.txt`, `executer_primer.txt`). */
export async function readPrimer(name: 'planner' | 'executer'): Promise<string> {
  return (await readFile(path.join(PACKAGE_ROOT, 'config', `${name}_primer.txt`), 'utf8')).trimEnd();
}
