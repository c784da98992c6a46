import { describe, expect, it } from 'vitest';
import { pairArgs } from './pairs.ts';

const LAUNCH = { id: 'T7', worktree: '/w/T7', logDir: '/s/queue/logs', flags: ['--mock', '--socket', 'poli-x'] };

describe('pairArgs', () => {
  it('resumes the task in its worktree and session; the approval gate is off by default', () => {
    expect(pairArgs(LAUNCH)).toEqual(['--resume', 'T7', '--session', 'T7', '--project-dir', '/w/T7', '--approve', 'off', '--mock', '--socket', 'poli-x']);
  });

  it('passes poli work --approve on: the pair waits for the dashboard', () => {
    expect(pairArgs({ ...LAUNCH, approve: 'plans' })).toEqual(['--resume', 'T7', '--session', 'T7', '--project-dir', '/w/T7', '--approve', 'plans', '--mock', '--socket', 'poli-x']);
    expect(pairArgs({ ...LAUNCH, approve: 'all', plannerCmd: 'claude' })).toEqual([
      '--resume', 'T7', '--session', 'T7', '--project-dir', '/w/T7', '--approve', 'all', '--mock', '--socket', 'poli-x', '--planner-cmd', 'claude',
    ]);
  });
});
