import { describe, expect, it } from 'vitest';
import { createProgressDisplay } from './live-progress.ts';

function harness(tty: boolean, color = false) {
  let out = '';
  let tick: (() => void) | null = null;
  let now = 65_000;
  const display = createProgressDisplay({
    write: (t) => (out += t),
    tty,
    color,
    now: () => now,
    columns: 60,
    every: (_ms, t) => {
      tick = t;
      return () => (tick = null);
    },
  });
  return {
    display,
    take() {
      const o = out;
      out = '';
      return o;
    },
    tick: () => tick?.(),
    advance: (ms: number) => (now += ms),
    get ticking() {
      return tick !== null;
    },
  };
}

const status = { round: 2, waitingFor: 'EXECUTER' as const, startedAt: 0, last: 'plan: 1. Create hello.txt' };

describe('live progress', () => {
  it('prints plain lines and no live line when not on a terminal', () => {
    const h = harness(false);
    h.display.update(status);
    h.display.line('[0:01] r1 PLANNER → EXECUTER plan: x');
    h.display.stop();
    expect(h.take()).toBe('[0:01] r1 PLANNER → EXECUTER plan: x\n');
    expect(h.ticking).toBe(false);
  });

  it('keeps a spinner line at the bottom on a terminal, under the permanent lines', () => {
    const h = harness(true);
    h.display.update(status);
    expect(h.take()).toBe('\r\x1b[2K⠋ [1:05] r2 EXECUTER working · plan: 1. Create hello.txt');
    h.advance(1000);
    h.tick();
    expect(h.take()).toBe('\r\x1b[2K⠙ [1:06] r2 EXECUTER working · plan: 1. Create hello.txt');
    h.display.line('a message');
    expect(h.take()).toBe('\r\x1b[2Ka message\n\r\x1b[2K⠙ [1:06] r2 EXECUTER working · plan: 1. Create hello.txt');
    h.display.stop();
    expect(h.take()).toBe('\r\x1b[2K');
    expect(h.ticking).toBe(false);
  });

  it('says "starting", without a round, before anything is sent (priming, the first message)', () => {
    const h = harness(true);
    h.display.update({ round: 0, waitingFor: null, startedAt: 60_000, last: 'priming the PLANNER and EXECUTER', starting: true });
    expect(h.take()).toBe('\r\x1b[2K⠋ [0:05] starting · priming the PLANNER and EXECUTER');
  });

  it('says what a held CLI waits for, counting down to the next look, instead of "working"', () => {
    const h = harness(true);
    h.display.update({ ...status, held: { role: 'EXECUTER', reason: 'limit', until: 65_000 + 83_000 } });
    expect(h.take()).toBe('\r\x1b[2K⠋ [1:05] r2 EXECUTER waiting, next look in 1:23 · limit');
    h.advance(80_000);
    h.tick();
    expect(h.take()).toBe('\r\x1b[2K⠙ [2:25] r2 EXECUTER waiting, next look in 0:03 · limit');
    h.display.update({ ...status, held: { role: 'EXECUTER', reason: 'log in to codex', until: null } });
    expect(h.take()).toBe('\r\x1b[2K⠙ [2:25] r2 EXECUTER waiting · log in to codex');
  });

  it('cuts the live line to the terminal width and colours it unless NO_COLOR', () => {
    const h = harness(true, true);
    h.display.update({ ...status, last: 'x'.repeat(100) });
    const out = h.take();
    expect(out).toBe(`\r\x1b[2K\x1b[36m⠋\x1b[0m\x1b[2m [1:05] r2 EXECUTER working · ${'x'.repeat(27)}…\x1b[0m`);
  });

  it('is put away while a person is asked, says "waiting for you", and comes back after', () => {
    const h = harness(true);
    h.display.update(status);
    h.take();
    h.display.suspend();
    expect(h.take()).toBe('\r\x1b[2K');
    h.tick();
    h.display.update({ ...status, waitingForYou: true });
    expect(h.take()).toBe('');
    h.display.resume();
    expect(h.take()).toBe('\r\x1b[2K⠙ [1:05] r2 waiting for you · plan: 1. Create hello.txt');
  });

  it('clears itself before a line on another stream and draws again after it', () => {
    const h = harness(true);
    h.display.update(status);
    h.take();
    const order: string[] = [];
    h.display.above(() => order.push(`stderr while shown: ${JSON.stringify(h.take())}`));
    expect(order).toEqual(['stderr while shown: "\\r\\u001b[2K"']);
    expect(h.take()).toBe('\r\x1b[2K⠋ [1:05] r2 EXECUTER working · plan: 1. Create hello.txt');
  });

  it('says paused while the person holds the task, whatever it waited for', () => {
    const h = harness(true);
    h.display.update({ ...status, paused: true });
    expect(h.take()).toBe('\r\x1b[2K⠋ [1:05] r2 paused · plan: 1. Create hello.txt');
    h.display.stop();
  });
});
