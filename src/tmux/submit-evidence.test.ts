import { describe, expect, it } from 'vitest';
import { genericProfile, mockProfile } from '../profiles/basic.ts';
import { answeredSince, enterTaken, newEnd, submittedOnPaste } from './submit-evidence.ts';

const RULE = '─'.repeat(40);
const box = (input: string, footer = '  ? for shortcuts') => ['', RULE, `❯\u00a0${input}`, RULE, footer];
const BUSY = '✻ Working… (3s · esc to interrupt)';
const look = (lines: string[]) => ({ lines, bottom: lines.slice(-15) });
const PRIMER = Array.from({ length: 49 }, (_, i) => `primer line ${i + 1} of the introduction`).join('\n');

describe('submittedOnPaste', () => {
  it('a 49-line echo whose first line scrolled off a 50-row screen: its last line and the empty box are the evidence', () => {
    const before = look(['banner', ...box('')]);
    // The top of the echo is gone: only its last lines, the reply and the box show.
    const echo = PRIMER.split('\n').slice(10).map((line, i) => (i === 0 ? `❯ ${line}` : `  ${line}`));
    const now = look([...echo, '', '● Ready.', '', '✻ Worked for 1s', ...box('')]);
    expect(submittedOnPaste(mockProfile, before, now, PRIMER)).toBe(true);
  });

  it('the text sitting in a box is not a submission', () => {
    const before = look(['banner', ...box('')]);
    expect(submittedOnPaste(mockProfile, before, look(['banner', ...box('hello there')]), 'hello there')).toBe(false);
  });

  it('busy counts only when the CLI was not busy before the paste', () => {
    const before = look(['reply', ...box('', BUSY)]);
    const now = look(['reply', ...box('hello there', BUSY.replace('3s', '4s'))]);
    expect(submittedOnPaste(mockProfile, before, now, 'hello there')).toBe(false);
    expect(submittedOnPaste(genericProfile, before, now, 'hello there')).toBe(false);
    expect(submittedOnPaste(mockProfile, look(['reply', ...box('')]), look(['reply', ...box('', BUSY)]), 'hello there')).toBe(true);
  });

  it('a plain prompt (input unreadable): the text in the prompt is not a submission, the text followed by a reply is', () => {
    const before = look(['banner', '', '> ', '  ? for shortcuts']);
    const waiting = look(['banner', '', '> hello there', '  ? for shortcuts']);
    const answered = look(['banner', '', '> hello there', '', '● Hi.', '', '> ', '  ? for shortcuts']);
    expect(submittedOnPaste(genericProfile, before, waiting, 'hello there')).toBe(false);
    expect(submittedOnPaste(genericProfile, before, answered, 'hello there')).toBe(true);
  });

  it('a clock that ticks below a plain prompt is not output', () => {
    const before = look(['banner', '', '> ', '  ◷ tick 3']);
    expect(submittedOnPaste(genericProfile, before, look(['banner', '', '> hello there', '  ◷ tick 9']), 'hello there')).toBe(false);
  });
});

describe('answeredSince', () => {
  it('the primer echoed with nothing after it is not answered; an answer after it is, a ticking clock row is not one', () => {
    const before = ['banner', '  ◷ tick 1', ...box('')];
    const echo = PRIMER.split('\n').slice(-5).map((line) => `  ${line}`);
    expect(answeredSince(before, [...echo, '  ◷ tick 7', ...box('')], PRIMER)).toBe(false);
    expect(answeredSince(before, [...echo, '● Ready.', '✻ Worked for 1s', '  ◷ tick 9', ...box('')], PRIMER)).toBe(true);
  });
});

describe('newEnd', () => {
  it('finds the payload through the CLI own line wrap, and never an end that showed before', () => {
    const payload = 'first line here\nthe very last line of it';
    expect(newEnd([], ['  the very last', '  line of it'], payload)).toBe('theverylastlineofit');
    expect(newEnd(['the very last line of it'], ['first line here', 'the very last line of it'], payload)).toBe('firstlinehere');
  });
});

describe('enterTaken', () => {
  it('generic profile: a line break added to the input (blank space only) is not a submission', () => {
    const before = ['banner', ...box('[Pasted text #1 +4 lines]')];
    const now = ['banner', '', RULE, '❯\u00a0[Pasted text #1 +4 lines]', '', RULE, '  ? for shortcuts'];
    expect(enterTaken(genericProfile, before, now, undefined, 'a\nb\nc\nd\ne')).toBe(false);
    expect(enterTaken(genericProfile, before, ['banner', '● done', ...box('')], undefined, 'a\nb\nc\nd\ne')).toBe(true);
  });

  it('a CLI busy before Enter: only its spinner moving is no submission; the text leaving the box is', () => {
    const before = ['reply', ...box('[Pasted text #2 +4 lines]', BUSY)];
    const spinning = ['reply', ...box('[Pasted text #2 +4 lines]', BUSY.replace('3s', '4s'))];
    const taken = ['reply', ...box('', BUSY.replace('3s', '4s'))];
    expect(enterTaken(genericProfile, before, spinning, undefined, 'a\nb\nc\nd\ne')).toBe(false);
    expect(enterTaken(genericProfile, before, taken, undefined, 'a\nb\nc\nd\ne')).toBe(true);
    // A short text shows as itself: it leaving the box is the evidence.
    const short = 'continue with step two';
    expect(enterTaken(genericProfile, ['reply', ...box(short, BUSY)], ['reply', ...box(short, BUSY.replace('3s', '4s'))], undefined, short)).toBe(false);
    expect(enterTaken(genericProfile, ['reply', ...box(short, BUSY)], ['reply', ...box('', BUSY.replace('3s', '4s'))], undefined, short)).toBe(true);
    expect(enterTaken(mockProfile, before, spinning, '[Pasted text #2 +4 lines]', 'a\nb\nc\nd\ne')).toBe(false);
    expect(enterTaken(mockProfile, before, taken, '[Pasted text #2 +4 lines]', 'a\nb\nc\nd\ne')).toBe(true);
  });

  it('turning busy from idle is taken; an unchanged screen never is', () => {
    const before = ['banner', ...box('hello')];
    expect(enterTaken(mockProfile, before, ['banner', ...box('', BUSY)], 'hello', 'hello')).toBe(true);
    expect(enterTaken(genericProfile, before, before, undefined, 'hello')).toBe(false);
  });
});
