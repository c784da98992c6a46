import { describe, expect, it } from 'vitest';
import { genericProfile, mockProfile } from './basic.ts';

const RULE = '─'.repeat(119);
const idle = ['● Ready. I am the PLANNER.', '', RULE, '❯\u00a0 ', RULE, '  ? for shortcuts'];
const typed = ['● Ready.', RULE, '❯\u00a0fix the tests ', RULE, '  ? for shortcuts'];
const pasted = [RULE, '❯\u00a0[Pasted text #1 +3 lines] ', RULE, '  ? for shortcuts'];
const multiline = [RULE, '❯\u00a0first line', '  second line ', RULE, '  ? for shortcuts'];
const busy = ['❯ do it', '', RULE, '❯\u00a0 ', RULE, '✻ Working… (3s · esc to interrupt)'];
const approval = [
  RULE,
  ' Bash command',
  '  poli-mock answer plan m1',
  '',
  'Do you want to proceed?',
  '❯ 1. Yes',
  '  2. No',
  '',
  'Esc to cancel',
];
const quotedBusy = ['● the footer says "esc to interrupt" while busy', RULE, '❯\u00a0 ', RULE, '  ? for shortcuts'];

describe('mockProfile', () => {
  it.each([
    ['idle', idle, 'idle', ''],
    ['typed text', typed, 'idle', 'fix the tests'],
    ['paste placeholder', pasted, 'idle', '[Pasted text #1 +3 lines]'],
    ['multi-line input', multiline, 'idle', 'first line\nsecond line'],
    ['busy footer', busy, 'busy', ''],
    ['permission prompt', approval, 'approval', undefined],
    ['busy phrase quoted above the box', quotedBusy, 'idle', ''],
    ['no input box', ['$ ls', 'a b'], 'unknown', undefined],
  ] as const)('%s', (_name, lines, state, input) => {
    expect(mockProfile.classify(lines)).toBe(state);
    expect(mockProfile.readInput(lines)).toBe(input);
  });
});

describe('genericProfile', () => {
  it.each([
    [['• Working (12s • esc to interrupt)'], 'busy'],
    [['Do you want to proceed?', '❯ 1. Yes'], 'approval'],
    [['Run it? (Y)es/(N)o/(D)on\'t ask again'], 'approval'],
    [['● Yes, allow once'], 'approval'],
    [['Would you like to run the following command?'], 'approval'],
    [idle, 'unknown'],
  ] as const)('%j is %s', (lines, state) => {
    expect(genericProfile.classify(lines)).toBe(state);
    expect(genericProfile.readInput(lines)).toBeUndefined();
  });
});
