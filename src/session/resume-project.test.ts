import { describe, expect, it } from 'vitest';
import { resumeProjectDir } from './resume-project.ts';

const exists = (dirs: string[]) => (dir: string) => dirs.includes(dir);

describe('resumeProjectDir', () => {
  it('the current project when the task ran there, or when the task names none (older state)', () => {
    expect(resumeProjectDir({ id: 'T1', projectDir: '/p' }, '/p', { explicit: false, isDirectory: exists(['/p']) })).toEqual({ projectDir: '/p' });
    expect(resumeProjectDir({ id: 'T1' }, '/q', { explicit: true, isDirectory: exists([]) })).toEqual({ projectDir: '/q' });
  });

  it("the task's own project, with a line saying so, when poli was started elsewhere", () => {
    expect(resumeProjectDir({ id: 'T2', projectDir: '/p' }, '/q', { explicit: false, isDirectory: exists(['/p', '/q']) })).toEqual({
      projectDir: '/p',
      note: 'poli: task T2 was started in /p; resuming it there (not in the current directory /q).',
    });
  });

  it('refuses another --project-dir, and a project that is gone', () => {
    expect(() => resumeProjectDir({ id: 'T3', projectDir: '/p' }, '/q', { explicit: true, isDirectory: exists(['/p', '/q']) })).toThrow(
      'cannot resume T3 in /q (--project-dir): it was started in /p',
    );
    expect(() => resumeProjectDir({ id: 'T3', projectDir: '/p' }, '/q', { explicit: false, isDirectory: exists(['/q']) })).toThrow(
      'cannot resume T3: it was started in /p, which no longer exists',
    );
    expect(() => resumeProjectDir({ id: 'T3', projectDir: '/p' }, '/p', { explicit: false, isDirectory: exists([]) })).toThrow('which no longer exists');
  });
});
