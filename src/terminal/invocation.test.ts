import { describe, expect, it } from 'vitest';
import { asInvoked, invokedAs } from './invocation.ts';

describe('hints in the form the person ran', () => {
  it('is npm run poli -- under npm run poli, else poli', () => {
    expect(invokedAs({ npm_lifecycle_event: 'poli' })).toBe('npm run poli --');
    expect(invokedAs({ npm_lifecycle_event: 'test' })).toBe('poli');
    expect(invokedAs({})).toBe('poli');
  });

  it('rewrites command hints only, never other words "poli"', () => {
    const npm = 'npm run poli --';
    expect(asInvoked('poli: its state is kept; continue it with: poli --resume T1', npm)).toBe(
      'poli: its state is kept; continue it with: npm run poli -- --resume T1',
    );
    expect(asInvoked('Run `poli --help` for the options.', npm)).toBe('Run `npm run poli -- --help` for the options.');
    expect(asInvoked('Start one with: poli start (or run a task: poli --task "…")', npm)).toBe(
      'Start one with: npm run poli -- start (or run a task: npm run poli -- --task "…")',
    );
    const untouched = 'the poli tmux server (socket "poli") is gone; another poli process (pid 4) runs; npm run poli -- --task "x"';
    expect(asInvoked(untouched, npm)).toBe(untouched);
    expect(asInvoked('continue it with: poli --resume T1', 'poli')).toBe('continue it with: poli --resume T1');
  });
});
