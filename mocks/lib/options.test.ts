import { describe, expect, it } from 'vitest';
import { DEFAULT_MOCK_OPTIONS, formatMockUsage, parseMockOptions } from './options.ts';

describe('parseMockOptions', () => {
  it('gives the defaults for no flags and no environment', () => {
    expect(parseMockOptions([], {})).toEqual({
      thinkMs: 300,
      rounds: 3,
      fence: false,
      swallowFirstEnter: false,
      crashAt: undefined,
      crashFile: undefined,
      crashLimit: undefined,
      silentAt: undefined,
      garbage: false,
      wrongId: false,
      echoBlocks: false,
      approvalAt: undefined,
      stderrExitAtStart: false,
      noise: [],
      recordFile: undefined,
      workDir: undefined,
      draw: 'classic',
      animateMs: undefined,
      clearBeforeReply: false,
      restartAt: undefined,
      bottomRows: 0,
      submitOnPaste: false,
      enters: 1,
      enterNewlineFirst: false,
      inputBox: 'claude',
      redrawHalfOnSubmit: false,
      busyAfterReplyMs: 0,
      echoCharMs: 0,
      inputLagMs: 0,
      replyFilePieces: false,
      quoteCloseInFence: false,
      quoteExample: undefined,
      replyLines: undefined,
      printRate: undefined,
      printSeconds: 10,
      sentFile: undefined,
      limitAt: undefined,
      limitAtStart: 0,
      limit: 'usage',
      limitResetSec: 3600,
      edgeBodies: false,
      noStatus: false,
      catFold: false,
      help: false,
    });
  });

  it('reads every flag, in both --name value and --name=value forms', () => {
    const argv = [
      '--think-ms', '50', '--rounds=2', '--fence', '--swallow-first-enter', '--crash-at', '4', '--silent-at=5',
      '--garbage', '--wrong-id', '--echo-blocks', '--approval-at', '1', '--stderr-exit-at-start', '--cwd', '/tmp/p',
    ];
    expect(parseMockOptions(argv, {})).toEqual({
      ...DEFAULT_MOCK_OPTIONS,
      thinkMs: 50,
      rounds: 2,
      fence: true,
      swallowFirstEnter: true,
      crashAt: 4,
      silentAt: 5,
      garbage: true,
      wrongId: true,
      echoBlocks: true,
      approvalAt: 1,
      stderrExitAtStart: true,
      workDir: '/tmp/p',
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { MOCK_THINK_MS: '10', MOCK_ROUNDS: '7', MOCK_FENCE: '1', MOCK_GARBAGE: 'yes', MOCK_CRASH_AT: '' };
    expect(parseMockOptions(['--rounds', '1', '--no-fence'], env)).toEqual({
      ...DEFAULT_MOCK_OPTIONS,
      thinkMs: 10,
      rounds: 1,
      fence: false,
      garbage: true,
    });
    expect(parseMockOptions(['--garbage=false'], env).garbage).toBe(false);
  });

  it('takes role defaults below the environment', () => {
    expect(parseMockOptions([], {}, { thinkMs: 100 }).thinkMs).toBe(100);
    expect(parseMockOptions([], { MOCK_THINK_MS: '5' }, { thinkMs: 100 }).thinkMs).toBe(5);
  });

  it.each([
    [['--think-ms', 'fast'], {}, '--think-ms expects a whole number >= 0, got "fast" (e.g. --think-ms 300)'],
    [['--rounds=0'], {}, '--rounds expects a whole number >= 1, got "0" (e.g. --rounds 2)'],
    [['--crash-at'], {}, '--crash-at needs a value (e.g. --crash-at 2)'],
    [[], { MOCK_FENCE: 'maybe' }, 'MOCK_FENCE expects true or false, got "maybe" (e.g. --fence or --fence=false)'],
    [['rounds'], {}, 'unexpected argument "rounds": the mock takes only --flags (try --help)'],
  ])('rejects %j %j with an exact message', (argv, env, message) => {
    expect(() => parseMockOptions(argv, env)).toThrow(message);
  });

  it('names the known options when a flag is unknown', () => {
    expect(() => parseMockOptions(['--turbo'], {})).toThrow(
      'unknown option --turbo (known: --think-ms, --rounds, --fence, --swallow-first-enter, --crash-at, --crash-file, ' +
        '--crash-limit, --silent-at, --garbage, --wrong-id, --echo-blocks, --approval-at, --stderr-exit-at-start, ' +
        '--noise, --record-file, --cwd, --draw, --animate-ms, --clear-before-reply, --restart-at, --bottom-rows, ' +
        '--submit-on-paste, --enters, --enter-newline-first, --input-box, --redraw-half-on-submit, --busy-after-reply-ms, --echo-char-ms, --input-lag-ms, --reply-file-pieces, --quote-close-in-fence, --quote-example, ' +
        '--reply-lines, --print-rate, --print-seconds, --sent-file, --limit-at, --limit, --limit-at-start, --limit-after-crash, --limit-reset-sec, --reply-via, --edge-bodies, --no-status, --cat-fold, --draft-ms, ' +
        '--idle-after-example-ms, --stream-ms, --hold-at, --hold-file, --session-db, --usage-dir, --long-line, --help)',
    );
  });

  it('lets MOCK_<ROLE>_<NAME> win over MOCK_<NAME> for that role only', () => {
    const env = { MOCK_CRASH_AT: '2', MOCK_EXECUTER_CRASH_AT: '1', MOCK_PLANNER_SILENT_AT: '3', MOCK_EXECUTER_FENCE: '0' };
    expect(parseMockOptions([], env, {}, 'EXECUTER')).toEqual({ ...DEFAULT_MOCK_OPTIONS, crashAt: 1 });
    expect(parseMockOptions([], env, {}, 'PLANNER')).toEqual({ ...DEFAULT_MOCK_OPTIONS, crashAt: 2, silentAt: 3 });
    // Without a role only the shared names count; a flag still wins.
    expect(parseMockOptions(['--crash-at', '5'], env, {}, 'EXECUTER').crashAt).toBe(5);
    expect(parseMockOptions([], env).crashAt).toBe(2);
    expect(() => parseMockOptions([], { MOCK_PLANNER_ROUNDS: 'x' }, {}, 'PLANNER')).toThrow(
      'MOCK_PLANNER_ROUNDS expects a whole number >= 1, got "x" (e.g. --rounds 2)',
    );
  });

  it('reads --noise as a comma-separated list of known kinds', () => {
    expect(parseMockOptions(['--noise', 'torn, duplicate,torn'], {}).noise).toEqual(['torn', 'duplicate']);
    expect(parseMockOptions([], { MOCK_NOISE: 'stale' }).noise).toEqual(['stale']);
    expect(() => parseMockOptions(['--noise=loud'], {})).toThrow(
      '--noise: unknown noise kind "loud" (known: missing-field, unknown-type, wrong-addressee, unterminated, torn, duplicate, stale, self)',
    );
  });

  it('reads the misbehaviour switches from flags and per-role environment', () => {
    const argv = [
      '--draw', 'repaint', '--animate-ms=250', '--clear-before-reply', '--restart-at', '2', '--bottom-rows', '8',
      '--submit-on-paste', '--enters', '3', '--echo-char-ms', '5', '--reply-file-pieces', '--quote-close-in-fence',
      '--quote-example', 'other', '--reply-lines', '100', '--print-rate', '50', '--print-seconds', '40', '--sent-file', 'sent.jsonl',
    ];
    expect(parseMockOptions(argv, {})).toEqual({
      ...DEFAULT_MOCK_OPTIONS,
      draw: 'repaint',
      animateMs: 250,
      clearBeforeReply: true,
      restartAt: 2,
      bottomRows: 8,
      submitOnPaste: true,
      enters: 3,
      echoCharMs: 5,
      replyFilePieces: true,
      quoteCloseInFence: true,
      quoteExample: 'other',
      replyLines: 100,
      printRate: 50,
      printSeconds: 40,
      sentFile: 'sent.jsonl',
    });
    const env = { MOCK_DRAW: 'alt', MOCK_EXECUTER_DRAW: 'repaint', MOCK_PLANNER_ENTERS: '2' };
    expect(parseMockOptions([], env, {}, 'EXECUTER')).toMatchObject({ draw: 'repaint', enters: 1 });
    expect(parseMockOptions([], env, {}, 'PLANNER')).toMatchObject({ draw: 'alt', enters: 2 });
  });

  it('rejects an unknown choice with the known ones', () => {
    expect(() => parseMockOptions(['--draw', 'fancy'], {})).toThrow('--draw expects one of classic, repaint, alt, got "fancy"');
    expect(() => parseMockOptions([], { MOCK_QUOTE_EXAMPLE: 'x' })).toThrow('MOCK_QUOTE_EXAMPLE expects one of same, other, got "x"');
  });

  it('documents every switch with its environment variable in --help', () => {
    const usage = formatMockUsage('mock-planner');
    expect(usage).toContain('--draw classic|repaint|alt');
    expect(usage).toContain('[env MOCK_DRAW]');
    expect(usage).toContain('--quote-example same|other');
    expect(usage).toContain('MOCK_PLANNER_<NAME> and MOCK_EXECUTER_<NAME>');
    for (const env of ['MOCK_ECHO_CHAR_MS', 'MOCK_REPLY_FILE_PIECES', 'MOCK_SENT_FILE', 'MOCK_PRINT_SECONDS']) expect(usage).toContain(env);
  });
});
