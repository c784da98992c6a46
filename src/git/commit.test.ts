import { describe, expect, it } from 'vitest';
import { commitAll, countMarkerLines, hasLeftoverMarkers } from './commit.ts';
import { createFakeGit } from '../../test/helpers/fake-git.ts';

const CONFLICT = 'a\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> main\nb\n';

describe('hasLeftoverMarkers', () => {
  it.each([
    ['a conflict as git writes it', CONFLICT, 'a\nours\nb\n', 'a\ntheirs\nb\n', true],
    ['a resolved file', 'a\nboth\nb\n', 'a\nours\nb\n', 'a\ntheirs\nb\n', false],
    ['only the separator left behind', 'a\nours\n=======\ntheirs\nb\n', 'a\nours\nb\n', undefined, true],
    ['a diff3 conflict', 'x\n<<<<<<< HEAD\no\n||||||| base\nb\n=======\nt\n>>>>>>> main\n', '', '', true],
    ['a Markdown heading underlined with seven =, on both sides', '# x\nTitle\n=======\nnew\n', 'Title\n=======\n', 'Title\n=======\n', false],
    ['CRLF line ends', 'a\r\n<<<<<<< HEAD\r\nx\r\n=======\r\ny\r\n>>>>>>> main\r\n', undefined, undefined, true],
    ['a longer run of < is no marker', '<<<<<<<< not a marker\n', undefined, undefined, false],
  ])('%s', (_name, merged, ours, theirs, expected) => {
    expect(hasLeftoverMarkers(merged, ours, theirs)).toBe(expected);
  });

  it('counts marker lines', () => {
    expect(countMarkerLines(CONFLICT)).toBe(3);
  });
});

describe('commitAll', () => {
  it('refuses before staging anything when a file of the merge in progress holds markers', async () => {
    const fake = createFakeGit(
      [
        { match: 'rev-parse --verify --quiet MERGE_HEAD^{commit}', result: { stdout: 'm'.repeat(40) + '\n' } },
        { match: 'ls-files --unmerged -z', result: { stdout: '100644 aaa 2\ta.txt\x00100644 bbb 3\ta.txt\0' } },
        { match: 'diff --name-only -z HEAD', result: { stdout: 'a.txt\0b.txt\0' } },
        { match: /^show /, result: { exitCode: 128 } },
      ],
      { '/wt/a.txt': CONFLICT, '/wt/b.txt': 'clean\n' },
    );
    expect(await commitAll(fake.deps, { worktree: '/wt', message: 'm' })).toEqual({ kind: 'markers', files: ['a.txt'] });
    expect(fake.lines()).not.toContain('add -A');
  });

  it('commits with the message given, and poli’s identity when git has none', async () => {
    const fake = createFakeGit([
      { match: 'rev-parse --verify --quiet MERGE_HEAD^{commit}', result: { exitCode: 1 } },
      { match: 'diff --cached --quiet', result: { exitCode: 1 } },
      { match: 'config user.email', result: { exitCode: 1 } },
      { match: 'rev-parse HEAD', result: { stdout: 'h'.repeat(40) + '\n' } },
    ]);
    expect(await commitAll(fake.deps, { worktree: '/wt', message: 'T7: the work' })).toEqual({
      kind: 'committed', committed: true, head: 'h'.repeat(40),
    });
    expect(fake.lines()).toContain('-c user.name=poli -c user.email=poli@localhost commit --quiet -m T7: the work');
  });
});
