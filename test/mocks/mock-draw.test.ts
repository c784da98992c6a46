/**
 * `--draw repaint|alt` in real tmux: a full-screen frame painted by cursor addressing, nothing in the scrollback
 * (repaint) or on the alternate screen (alt), re-wrapped on resize, with the input box, busy footer, replies and the
 * permission prompt where poli's `mock` profile reads them.
 */
import { describe, expect, it } from 'vitest';
import { formatBlock } from '../../src/protocol/format-block.ts';
import { mockProfile } from '../../src/profiles/basic.ts';
import { bottom, findBlock, useTmuxWorld } from './tmux-server.ts';

describe('mock TUIs drawn full screen', () => {
  const { newServer, newDir } = useTmuxWorld('poli-mock-draw-');
  const trimmedRows = (screen: string) => screen.split('\n').map((row) => row.trimEnd());
  const greetings = (screen: string) => screen.split('\n').filter((row) => row === '● Ready. I am the PLANNER.').length;

  it('repaint: content scrolls by repainting, nothing reaches the scrollback, a resize re-wraps', async () => {
    const server = newServer();
    const pane = await server.startMock('mock-planner.ts', ['--draw', 'repaint', '--think-ms', '20'], await newDir(), { x: 80, y: 20 });
    expect(await server.format(pane, '#{alternate_on} #{history_size}')).toBe('0 0');
    expect(await server.capture(pane)).toContain('Mock PLANNER (poli test CLI)');
    for (let i = 1; i <= 5; i++) {
      await server.paste(pane, `message ${i}\n${'word '.repeat(17)}`);
      await server.run(['send-keys', '-t', pane, 'Enter']);
      await server.waitFor(pane, `turn ${i} done`, (s) => s.includes(`❯ message ${i}`) && bottom(s, 1) === '  ? for shortcuts' && s.includes('Worked for'));
    }
    const screen = await server.capture(pane);
    // Five turns do not fit in 20 rows: the banner and the first turns are gone, and not into the history.
    expect(screen).not.toContain('Mock PLANNER');
    expect(screen).toContain('❯ message 5');
    expect(trimmedRows(screen)).not.toContain(`  ${'word '.repeat(16)}word`);
    expect(await server.format(pane, '#{alternate_on} #{history_size}')).toBe('0 0');
    expect(mockProfile.classify(bottom(screen, 8).split('\n'))).toBe('idle');
    expect(bottom(screen, 4)).toMatch(/^─{79}\n❯\u00a0 \n─{79}\n {2}\? for shortcuts$/);
    expect(screen.replace(/\n$/, '').split('\n')).toHaveLength(20);

    // Wider: rules follow the width (tmux never narrows here, so its own reflow adds no history).
    await server.run(['resize-window', '-t', pane, '-x', '100', '-y', '20']);
    const wide = await server.waitFor(pane, 'the wider redraw', (s) => s.includes('─'.repeat(99)));
    expect(trimmedRows(wide)).toContain(`  ${'word '.repeat(16)}word`);
    expect(await server.format(pane, '#{history_size}')).toBe('0');
  });

  it('repaint: the busy footer, the permission prompt and the reply block', async () => {
    const server = newServer();
    const pane = await server.startMock('mock-planner.ts', ['--draw', 'repaint', '--think-ms', '600', '--approval-at', '1'], await newDir(), { x: 120, y: 30 });
    const id = 'T1-R1-aaaaaa';
    await server.paste(pane, formatBlock({ to: 'PLANNER', type: 'task', id }, 'Create hello.txt containing Hello'));
    await server.run(['send-keys', '-t', pane, 'Enter']);
    const busy = await server.waitFor(pane, 'the busy footer', (s) => bottom(s, 1).includes('esc to interrupt'));
    expect(mockProfile.classify(bottom(busy, 8).split('\n'))).toBe('busy');
    const asking = await server.waitFor(pane, 'the permission prompt', (s) => s.includes('Do you want to proceed?'));
    expect(mockProfile.classify(bottom(asking, 10).split('\n'))).toBe('approval');
    await server.run(['send-keys', '-t', pane, 'Enter']);
    const done = await server.waitFor(pane, 'the plan block', (s) => findBlock(s, { to: 'EXECUTER', type: 'plan', id }) !== undefined);
    expect(done).toContain(`● [[POLI:MSG {"to":"EXECUTER","type":"plan","id":"${id}"}]]\n  <PLAN>\n`);
    expect(await server.format(pane, '#{history_size}')).toBe('0');
  });

  it('alt: the same frame on the alternate screen, left on exit', async () => {
    const server = newServer();
    const pane = await server.startMock('mock-planner.ts', ['--draw', 'alt', '--think-ms', '20'], await newDir(), { x: 80, y: 30 });
    expect(await server.format(pane, '#{alternate_on}')).toBe('1');
    for (let i = 1; i <= 3; i++) {
      await server.paste(pane, `hello ${i}\nsecond line`);
      await server.run(['send-keys', '-t', pane, 'Enter']);
    }
    const screen = await server.waitFor(pane, 'three greetings', (s) => greetings(s) === 3 && bottom(s, 1) === '  ? for shortcuts');
    expect(screen).toContain('❯ hello 3\n  second line');
    expect(mockProfile.readInput(bottom(screen, 4).split('\n'))).toBe('');
    await server.run(['resize-window', '-t', pane, '-x', '60', '-y', '16']);
    const narrow = await server.waitFor(pane, 'the narrower redraw', (s) => s.split('\n').includes('─'.repeat(59)));
    expect(narrow.replace(/\n$/, '').split('\n')).toHaveLength(16);
    expect(await server.format(pane, '#{alternate_on}')).toBe('1');
    await server.run(['send-keys', '-t', pane, 'C-c']);
    await server.run(['send-keys', '-t', pane, 'C-c']);
    await server.waitFor(pane, 'the normal screen again', () => true);
    let alternate = '1';
    for (let i = 0; i < 100 && alternate === '1'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      alternate = await server.format(pane, '#{alternate_on}');
    }
    expect(alternate).toBe('0');
  });

  it('repaint with --clear-before-reply and --restart-at: clears never leave anything in the history', async () => {
    const server = newServer();
    const args = ['--draw', 'repaint', '--think-ms', '0', '--clear-before-reply', '--restart-at', '2'];
    const pane = await server.startMock('mock-planner.ts', args, await newDir(), { x: 100, y: 24 });
    const task = (id: string) => formatBlock({ to: 'PLANNER', type: 'task', id }, 'Create hello.txt containing Hello');
    await server.paste(pane, task('T1-R1-first0'));
    await server.run(['send-keys', '-t', pane, 'Enter']);
    const first = await server.waitFor(pane, 'the first plan', (s) => findBlock(s, { to: 'EXECUTER', type: 'plan', id: 'T1-R1-first0' }) !== undefined);
    expect(first.trimStart().startsWith('● [[POLI:MSG')).toBe(true);
    await server.paste(pane, task('T2-R1-second'));
    await server.run(['send-keys', '-t', pane, 'Enter']);
    await server.waitFor(pane, 'the restart', (s) => s.includes('Mock PLANNER') && !s.includes('T1-R1-first0'));
    await server.paste(pane, 'Reminder from poli: I am still waiting for your reply to message T2-R1-second.');
    await server.run(['send-keys', '-t', pane, 'Enter']);
    await server.waitFor(pane, 'the second plan', (s) => findBlock(s, { to: 'EXECUTER', type: 'plan', id: 'T2-R1-second' }) !== undefined);
    expect(await server.format(pane, '#{alternate_on} #{history_size}')).toBe('0 0');
  });
});
