/**
 * poli's tmux session: starts (or reuses) the server with a PLANNER and an EXECUTER pane,
 * waits for both CLIs to be ready, primes them with their role files, and exposes the panes
 * to the dialogue as channels. A pane whose CLI died can be restarted and primed again.
 */
import { realpathSync } from 'node:fs';
import { DialogWatch } from './cli-dialogs.ts';
import { findRolePanes, missingRole, restorePane } from './pane-repair.ts';
import { KeptLimits, limitSincePrimer, type PrimingLimitHandler } from './priming-limits.ts';
import { changedVariables, envFingerprint } from './session-env.ts';
import type { DialogueChannels, PaneChannel, PanePosition } from '../reading/channel.ts';
import { PaneDiedError, PoliError } from '../errors.ts';
import { withHandoff } from '../reading/handoff.ts';
import type { CliSpec } from './cli-spec.ts';
import type { Role } from '../protocol/types.ts';
import { readPaneOptions, writePaneOptions } from '../tmux/pane-options.ts';
import { PaneReader, type PaneMark } from '../tmux/reader.ts';
import { sendMessage } from '../tmux/send.ts';
import { answeredSince } from '../tmux/submit-evidence.ts';
import { TranscriptRecovery } from '../reading/transcript-recovery.ts';
import { TmuxServer, describeExit } from '../tmux/server.ts';
import type { TmuxClient } from '../tmux/client.ts';
import { PaneWatch } from '../reading/pane-watch.ts';
import { limitReaderFor, type LimitScreen } from '../profiles/limit-screens.ts';
import type { Clock, PaneLiveness, ScreenState, TmuxRunner } from '../tmux/types.ts';

export const SESSION_NAME = 'poli';

export const DEFAULT_FILE_THRESHOLD = 2048;

export interface SessionOptions {
  run: TmuxRunner;
  /**
   * The control-mode side of the tmux client: given, each pane is read from a terminal model fed by its output
   * (reading/pane-watch.ts) once the dialogue starts; absent (or when control mode is unavailable), by capture-pane.
   */
  client?: Pick<TmuxClient, 'run' | 'attach' | 'onOutput' | 'onResync'>;
  /** Resolves when a pane may have changed (see TmuxClient); defaults to sleeping. */
  waitForChange?: (paneIds: readonly string[], maxWaitMs: number) => Promise<void>;
  socket: string;
  /**
   * The tmux session holding this pair of panes (default {@link SESSION_NAME}). Several pairs on one server, one
   * dialogue each, each take their own: a session is found, reused and repaired by name, and holds one pair.
   */
  session?: string;
  clock: Clock;
  projectDir: string;
  clis: Record<Role, CliSpec>;
  /** How long a CLI may take to show its prompt after starting, or to answer its primer. */
  readyTimeoutMs: number;
  /** How often a CLI that exits while starting or answering its primer is started again. */
  restarts?: number;
  pollMs: number;
  log?(message: string): void;
  debug?(message: string): void;
  /** Wraps each pane's channel once more, outside the file channel (the structured intake, src/mcp/intake.ts). */
  wrapChannel?(channel: PaneChannel): PaneChannel;
  /** Leaves the CLIs to prime for {@link PoliSession.primeRemaining}, once a task exists to show a limit met then. */
  deferPriming?: boolean;
}

/** A CLI did not get ready (no prompt, or no answer to its primer) in time. */
export class CliNotReadyError extends PoliError {
  constructor(role: Role, paneId: string, what: string, seconds: number, lastLines: string, socket = 'poli') {
    super(
      'CLI_NOT_READY',
      `the ${role} CLI in pane ${paneId} ${what} within ${Number(seconds.toFixed(2))} s ` +
        `(the start-up limit is --plan-timeout, at most 120 s). Last lines of its screen:\n` +
        lastLines
          .split('\n')
          .map((l) => `  | ${l}`)
          .join('\n') +
        `\nCheck that the command works when run by hand in the project directory, or attach to look: tmux -L ${socket} attach`,
    );
  }
}

const ROLES: readonly Role[] = ['PLANNER', 'EXECUTER'];
/** The primer's turn: the screen before it was pasted, and its text (to find its echo and what follows). */
interface PrimerTurn {
  before: readonly string[];
  payload: string;
}
/** A screen that stayed the same this long counts as settled for CLIs whose profile cannot tell idle. */
const SETTLE_MS = 1_200;
/** How long a CLI never seen busy must stay idle after its primer before the primer counts as answered. */
const PRIMER_QUIET_MS = 2_000;
/** Status is judged from this many bottom lines (stale text higher up misleads). */
const STATUS_LINES = 15;
/** Dialogs can be taller than the status area: Claude's trust prompt is 15 rows at 250 columns, more in a narrower pane. */
const DIALOG_LINES = 30;
const PANE_COLUMNS = 250;
const PANE_ROWS = 50;
/** Replies are read from the pane's output since the message was sent, found by their id wherever the CLI draws
 * them; when poli reads by capture (no control mode), it reads from the top of the screen at the send. */
const MARK_LINES_ABOVE = PANE_ROWS;
/** A reply as long as this is still read whole by capture (no control mode); the terminal model has no such bound. */
const CAPTURE_MAX_LINES = 100_000;
/**
 * While no tag line changes, a turn's text is read again at most this often (a CLI printing hundreds of lines a second
 * must not cost a parse per output burst); a changed tag line, or a CLI that looks done, reads at once.
 */
const REREAD_MS = 250;

/** Where a turn started, in both readers, and the last read (reused while no tag line changed). */
interface TurnPosition {
  watch: PaneWatch | undefined;
  model: number;
  /** The watch's resize count when the turn started (or its damage was last acknowledged), and the size then. */
  resizes: number;
  size: string;
  pane: PaneMark;
  signature?: string;
  text?: string;
  readAt?: number;
  /** After a cross-check found the model wrong: also read tmux's own history since the mark. */
  deep?: boolean;
}

export class PoliSession {
  readonly channels: DialogueChannels;
  readonly server: TmuxServer;
  private readonly readers: Record<Role, PaneReader>;
  private readonly dialogs: Record<Role, DialogWatch>;
  private readonly watches: Partial<Record<Role, Promise<PaneWatch | undefined>>> = {};
  /** Roles whose CLI this process started (new server, or a pane started again): they hold no earlier history. */
  private readonly started = new Set<Role>();
  /** Roles left to prime (deferPriming), and who handles a usage limit met while priming (the running task). */
  private readonly unprimed = new Set<Role>();
  private primingLimit: PrimingLimitHandler | undefined;
  /** Limits met while priming with no task to wait in (interactive mode's start-up, `poli start`): see KeptLimits. */
  private readonly kept = new KeptLimits();

  private constructor(
    private readonly options: SessionOptions,
    readonly paneIds: Record<Role, string>,
    /** True when an already running session was reused. */
    readonly reused: boolean,
  ) {
    this.server = new TmuxServer({ socket: options.socket, run: options.run });
    this.readers = {
      PLANNER: new PaneReader(options.run, paneIds.PLANNER),
      EXECUTER: new PaneReader(options.run, paneIds.EXECUTER),
    };
    this.dialogs = { PLANNER: this.dialogWatch('PLANNER'), EXECUTER: this.dialogWatch('EXECUTER') };
    this.channels = {
      PLANNER: this.channel('PLANNER'),
      EXECUTER: this.channel('EXECUTER'),
      liveness: () => this.server.liveness([paneIds.PLANNER, paneIds.EXECUTER]),
      fresh: (role) => this.started.has(role),
      waitForChange: (ms) =>
        options.waitForChange ? options.waitForChange([paneIds.PLANNER, paneIds.EXECUTER], ms) : options.clock.sleep(ms),
    };
  }

  /**
   * Starts the session, or reuses a running one whose panes run the same commands in the same
   * project directory (the CLIs keep their context across tasks). Panes that are dead, or run
   * something else, are restarted. Every CLI not yet primed is primed.
   */
  static async open(options: SessionOptions): Promise<PoliSession> {
    const server = new TmuxServer({ socket: options.socket, run: options.run });
    let panes = (await server.isRunning()) ? await server.findPanes(options.session ?? SESSION_NAME) : undefined;
    const restored = panes ? undefined : await restoreMissingPane(options);
    panes ??= restored?.panes;
    const reused = panes !== undefined;
    if (!panes) {
      panes = await server.start({
        session: options.session ?? SESSION_NAME,
        projectDir: options.projectDir,
        panes: {
          PLANNER: { command: options.clis.PLANNER.command, env: options.clis.PLANNER.env },
          EXECUTER: { command: options.clis.EXECUTER.command, env: options.clis.EXECUTER.env },
        },
        // Each CLI gets a 250×50 pane (two panes and a divider; the status bar belongs to the
        // attached client, not the window): the CLIs wrap their own output at the pane width,
        // and wide panes keep block headers on one line.
        width: PANE_COLUMNS * 2 + 1,
        height: PANE_ROWS,
      });
    }
    const session = new PoliSession(options, panes, reused);
    if (!reused) for (const role of ROLES) session.started.add(role);
    if (restored) session.started.add(restored.role);
    await Promise.all(ROLES.map((role) => session.prepare(role)));
    return session;
  }

  /**
   * Primes the CLIs left unprimed by `deferPriming`. `onLimit` (kept for later restarts and switches, until replaced)
   * is told when a CLI answers its primer with a usage limit or a logout, instead of waiting out the start-up timeout.
   */
  async primeRemaining(onLimit?: PrimingLimitHandler): Promise<void> {
    this.primingLimit = onLimit;
    const roles = ROLES.filter((role) => this.unprimed.has(role));
    await Promise.all(
      roles.map(async (role) => {
        // A limit kept from before the task, its reset still ahead, is the task's to wait for (or switch) first.
        const kept = this.kept.take(role, this.options.clock.now());
        if (kept && onLimit) await this.meetLimit(role, onLimit, kept);
        await this.prime(role);
      }),
    );
  }

  /** The usage limits and logouts CLIs answered their primers with while no task could wait for them. */
  limitsMet(): ReturnType<KeptLimits['list']> {
    return this.kept.list();
  }

  /** Hands a limit met while priming to the task's handler: after the wait, or in the fallback's place, prime again. */
  private async meetLimit(role: Role, handler: PrimingLimitHandler, screen: LimitScreen): Promise<void> {
    const fallback = await handler(role, screen);
    if (!fallback) return;
    this.options.clis[role] = fallback;
    await this.respawn(role);
  }

  /** Restarts a CLI in its pane and primes it again. */
  async restart(role: Role): Promise<void> {
    await this.respawn(role);
    await this.prime(role);
  }

  /**
   * Puts another CLI in the role's pane (--on-limit switch): started in place of the old one, with its own profile,
   * and primed. Later restarts start this one.
   */
  async switchCli(role: Role, spec: CliSpec): Promise<void> {
    this.options.clis[role] = spec;
    await this.restart(role);
  }

  /** Starts the role's CLI again in its pane, with fresh reading state. */
  private async respawn(role: Role): Promise<void> {
    const spec = this.options.clis[role];
    await this.server.respawn(this.paneIds[role], { command: spec.command, env: spec.env, cwd: this.options.projectDir });
    this.started.add(role);
    await writePaneOptions(this.options.run, this.paneIds[role], { '@poli_primed': '' });
    await this.stopWatch(role);
    this.readers[role] = new PaneReader(this.options.run, this.paneIds[role]);
    this.dialogs[role] = this.dialogWatch(role);
    this.channels[role] = this.channel(role);
  }

  async kill(): Promise<void> {
    await Promise.all(ROLES.map((role) => this.stopWatch(role)));
    await this.server.kill();
  }

  /** Stops reading the panes' output (the tmux client stays as it is). */
  async close(): Promise<void> {
    await Promise.all(ROLES.map((role) => this.stopWatch(role)));
  }

  /**
   * The terminal model of the role's pane, started on first use: the control client attaches then (not during
   * priming, which polls: a pane that died while starting read blank over control mode). Undefined while polling.
   */
  private async watch(role: Role): Promise<PaneWatch | undefined> {
    const client = this.options.client;
    if (!client) return undefined;
    // Control mode stopped under the current model (a person's `tmux attach -d` detaches poli's client too): it gets
    // no output any more. Attach again with a new one; turns marked on the old one read by capture (readTurn).
    const pending = this.watches[role];
    const current = await pending?.catch(() => undefined);
    if (current && !current.live && this.watches[role] === pending) {
      delete this.watches[role];
      current.stop();
    }
    this.watches[role] ??= client.attach(this.options.session ?? SESSION_NAME).then(async (attached) => {
      if (!attached) return undefined;
      return PaneWatch.start({ client, paneId: this.paneIds[role], ...(this.options.debug ? { debug: this.options.debug } : {}) });
    });
    return this.watches[role];
  }

  private async stopWatch(role: Role): Promise<void> {
    const watch = await this.watches[role]?.catch(() => undefined);
    delete this.watches[role];
    watch?.stop();
  }

  /** Makes sure the pane runs the configured CLI in the project directory, then primes it once. */
  private async prepare(role: Role): Promise<void> {
    const spec = this.options.clis[role];
    const paneId = this.paneIds[role];
    const current = await readPaneOptions(this.options.run, paneId, ['@poli_command', '@poli_project', '@poli_primed', '@poli_env']);
    const [life] = await this.server.liveness([paneId]);
    const same = current['@poli_command'] === spec.command && current['@poli_project'] === this.options.projectDir;
    const env = envFingerprint(spec.env);
    // A session from a run with other settings for the CLI (MOCK_THINK_MS, an API key variable): the CLI must see
    // this run's. Sessions of older polis carry no fingerprint and are taken as they are.
    const changed = current['@poli_env'] ? changedVariables(current['@poli_env'], env) : [];
    if (this.reused && (!same || life?.dead || changed.length > 0)) {
      const why = life?.dead
        ? 'its CLI had exited'
        : !same
          ? 'the command or project changed'
          : `its environment changed (${changed.join(', ')}); the CLI starts again with this run's environment`;
      this.options.log?.(`restarting the ${role} pane ${paneId}: ${why}`);
      await this.server.respawn(paneId, { command: spec.command, env: spec.env, cwd: this.options.projectDir });
      this.started.add(role);
      current['@poli_primed'] = '';
    }
    await writePaneOptions(this.options.run, paneId, {
      '@poli_command': spec.command,
      '@poli_project': this.options.projectDir,
      '@poli_env': env,
    });
    if (current['@poli_primed'] === '1') return;
    if (this.options.deferPriming) this.unprimed.add(role);
    else await this.prime(role);
  }

  /** Waits for the CLI's prompt, sends its role file, and waits until it has answered. */
  /**
   * A CLI that exits while starting or answering its primer (not installed, bad flags, not
   * logged in) is started again up to `restarts` times, then reported with its exit and screen.
   */
  private async prime(role: Role): Promise<void> {
    const paneId = this.paneIds[role];
    for (let attempt = 0; ; ) {
      const spec = this.options.clis[role];
      this.options.log?.(`priming the ${role} CLI in pane ${paneId}`);
      let primerMark: PaneMark | undefined;
      const outcome =
        (await this.waitUntilReady(role, 'did not show a ready prompt')) ??
        // Straight to the pane: the primer is not a message, so it never goes through the file channel.
        (await this.readers[role].mark().then(async (mark) => {
          primerMark = mark;
          const before = await this.readers[role].snapshot();
          await this.submitToPane(role, spec.primer);
          return this.waitUntilReady(role, 'did not finish answering its primer', { before: before.lines, payload: spec.primer });
        }));
      const limit = !outcome && primerMark ? await limitSincePrimer(this.readers[role], primerMark, spec.profile.name, this.options.clock.now()) : undefined;
      if (limit && !this.primingLimit) {
        // No task to wait in: the CLI is left unprimed, and the next task meets this limit before anything else.
        this.kept.keep(role, limit, this.options.log);
        this.unprimed.add(role);
        return;
      }
      if (limit && this.primingLimit) {
        // At its limit: the task waits for the reset (then the primer is typed again) or switches to the fallback.
        await this.meetLimit(role, this.primingLimit, limit);
        continue;
      }
      const died = outcome;
      if (!died) break;
      attempt += 1;
      const how = describeExit(died);
      if (attempt > (this.options.restarts ?? 0)) {
        throw new PaneDiedError(role, paneId, how, await this.readers[role].lastLines(15));
      }
      this.options.log?.(
        `the ${role} CLI (${spec.command}) ${how} while starting; restarting it (${attempt} of ${this.options.restarts})`,
      );
      await this.respawn(role);
    }
    await writePaneOptions(this.options.run, paneId, { '@poli_primed': '1' });
    this.unprimed.delete(role);
  }

  /**
   * Ready = the profile says idle and the screen is unchanged since the previous look; for
   * profiles that cannot tell idle, a non-empty screen unchanged for SETTLE_MS. First-run dialogs
   * (trust this folder, …) are answered on the way, or refused with an error.
   */
  private async waitUntilReady(role: Role, what: string, answering?: PrimerTurn): Promise<PaneLiveness | undefined> {
    const { clock, readyTimeoutMs, pollMs } = this.options;
    const profile = this.options.clis[role].profile;
    const reader = this.readers[role];
    const start = clock.now();
    let previous = '';
    let stableSince = clock.now();
    let busySeen = false;
    for (;;) {
      if (clock.now() - start > readyTimeoutMs) {
        throw new CliNotReadyError(role, this.paneIds[role], what, readyTimeoutMs / 1000, await reader.lastLines(15), this.options.socket);
      }
      const [life] = await this.server.liveness([this.paneIds[role]]);
      if (life?.dead) return await this.exitOf(life);
      const tall = await reader.bottomLines(DIALOG_LINES);
      const lines = tall.slice(-STATUS_LINES);
      const text = lines.join('\n');
      if (text !== previous) {
        previous = text;
        stableSince = clock.now();
      }
      const dialog = await this.dialogs[role].handle(tall);
      const state = profile.classify(lines);
      const stableFor = clock.now() - stableSince;
      if (state === 'busy') busySeen = true;
      // A profile may ask for a longer settle: some CLIs look idle for a moment after taking a prompt, before its echo
      // or spinner is drawn (Gemini CLI and Qwen Code under load: the primer "answered" before it was read). While the
      // primer is being answered, idle counts once the CLI was seen working, or after PRIMER_QUIET_MS of idle: Codex
      // under load stayed idle ~300 ms after taking its primer, poli typed the task into the turn that then started,
      // and the task was never submitted (seen in CI-like runs: the reply came only after the 50 s reminder).
      // A CLI never seen busy whose screen shows an answer after the primer's echo has answered: an idle screen that
      // keeps moving (a clock, an animation) never stays still for PRIMER_QUIET_MS, and a TUI that redraws half its
      // screen at a submission can hide a short turn's spinner (issue 18 item 5).
      const answered = answering !== undefined && !busySeen && answeredSince(answering.before, tall, answering.payload);
      const quiet = answering !== undefined && !busySeen && !answered ? PRIMER_QUIET_MS : 0;
      const settle = Math.max(profile.readySettleMs ?? 0, quiet);
      if (dialog === undefined && state === 'idle' && stableFor > 0 && stableFor >= settle) return undefined;
      if (dialog === undefined && state === 'unknown' && text.trim() !== '' && stableFor >= SETTLE_MS) return undefined;
      // A plain sleep, not waitForChange: that would switch the client to control mode during
      // priming, where reading a pane that just died returned a blank screen (seen in CI).
      await clock.sleep(Math.min(pollMs, 50));
    }
  }

  /**
   * tmux fills in the exit status ~10 ms after the dead flag (tmux-facts.md), and for some
   * programs (node, measured) never: ask again for a short while, then go with what is known.
   */
  private async exitOf(life: PaneLiveness): Promise<PaneLiveness> {
    for (let i = 0; i < 10 && life.exitStatus === undefined && life.signal === undefined; i++) {
      await this.options.clock.sleep(30);
      life = (await this.server.liveness([life.paneId]))[0] ?? life;
    }
    return life;
  }

  private dialogWatch(role: Role): DialogWatch {
    return new DialogWatch({
      run: this.options.run,
      role,
      paneId: this.paneIds[role],
      projectDir: this.options.projectDir,
      dialogs: this.options.clis[role].profile.dialogs,
      ...(this.options.log ? { log: this.options.log } : {}),
    });
  }

  /** Pastes `text` into the role's CLI and confirms the submission (no file channel). */
  private submitToPane(role: Role, text: string, onPasted?: () => void | Promise<void>, mayBeInBox = false): Promise<void> {
    const { run, clock } = this.options;
    return sendMessage({
      ...(onPasted ? { onPasted } : {}),
      ...(mayBeInBox ? { mayBeInBox } : {}),
      run,
      paneId: this.paneIds[role],
      text,
      profile: this.options.clis[role].profile,
      clock,
      reader: this.readers[role],
      ...(this.options.waitForChange ? { waitForChange: this.options.waitForChange } : {}),
      onReport: (r) =>
        this.options.debug?.(
          `submitted ${text.length} chars to ${role} in ${r.elapsedMs} ms (${r.pastes} paste(s), ${r.enterPresses} Enter)`,
        ),
    });
  }

  /**
   * The pane's output since the turn's mark: from the terminal model when there is one (reused while no tag line
   * changed, so a long reply streaming costs nothing to re-read), else by capture. After a cross-check found the model
   * wrong, tmux's own history since the mark is read too (replies are matched by id, so overlap is harmless).
   */
  private async readTurn(role: Role, turn: TurnPosition, fresh: boolean): Promise<string> {
    const watch = turn.watch;
    // A model that no output reaches any more (control mode stopped) is stale: tmux's own screen and history are exact.
    if (!watch || !watch.live || watch !== (await this.watches[role])) {
      return this.readers[role].readSince(turn.pane, { maxLines: CAPTURE_MAX_LINES });
    }
    await watch.model.whenParsed();
    const signature = watch.model.tagSignature(turn.model);
    const now = this.options.clock.now();
    const stale = turn.text === undefined || fresh || signature !== turn.signature || now - (turn.readAt ?? 0) >= REREAD_MS;
    if (stale) {
      turn.signature = signature;
      turn.readAt = now;
      const lines = watch.model.readSince(turn.model).lines;
      // Replies start at a tag line: what the CLI printed before the first one (its work) is not worth parsing.
      const first = lines.findIndex((line) => line.includes('POLI:MSG'));
      turn.text = first === -1 ? '' : lines.slice(first).join('\n');
    }
    if (!turn.deep) return turn.text ?? '';
    return `${turn.text ?? ''}\n${await this.readers[role].readSince(turn.pane, { maxLines: CAPTURE_MAX_LINES })}`;
  }

  /** The bottom of the pane's screen: from the model when the dialogue reads one, else by capture. */
  private async bottomLines(role: Role, n: number): Promise<string[]> {
    const watch = await this.watches[role];
    if (!watch || !watch.live) return this.readers[role].bottomLines(n);
    await watch.model.whenParsed();
    return watch.model.bottomLines(n);
  }

  /**
   * The pane as the dialogue sees it: long messages and reply files go through the file channel
   * (handoff.ts), and every look at the screen's state also answers a dialog the CLI shows.
   */
  private channel(role: Role): PaneChannel {
    const paneId = this.paneIds[role];
    const spec = this.options.clis[role];
    const reader = this.readers[role];
    const limitReader = limitReaderFor(spec.profile.name);
    const pane: PaneChannel = {
      role,
      paneId,
      mark: async (markOptions?: { lookBack?: boolean }): Promise<PanePosition> => {
        const watch = await this.watch(role);
        const lookBack = markOptions?.lookBack === true;
        const position: TurnPosition = {
          watch,
          model: watch?.model.mark() ?? 0,
          resizes: watch?.resizes ?? 0,
          size: watch ? `${watch.model.cols}×${watch.model.rows}` : '',
          pane: await reader.mark({ linesAbove: lookBack ? CAPTURE_MAX_LINES : MARK_LINES_ABOVE }),
          // Looking back: the reply may be in tmux's history from before the model started.
          ...(lookBack ? { deep: true } : {}),
        };
        return position;
      },
      submit: (text, submitOptions) => this.submitToPane(role, text, submitOptions?.onPasted, submitOptions?.mayBeInBox === true),
      readSince: (position: PanePosition, options) =>
        this.readTurn(role, position as TurnPosition, options?.fresh === true).then((text) => cleanLines(text, spec.profile.cleanLine)),
      screenState: async (): Promise<ScreenState> => {
        const tall = await this.bottomLines(role, DIALOG_LINES);
        // A dialog answered now changes the screen: report 'unknown' rather than a stale state.
        if ((await this.dialogs[role].handle(tall)) !== undefined) return 'unknown';
        return spec.profile.classify(tall.slice(-STATUS_LINES));
      },
      ...(limitReader
        ? { limit: async (now: number) => limitReader(await this.bottomLines(role, DIALOG_LINES), { now }) }
        : {}),
      program: spec.profile.name,
      ...(spec.profile.wrapsLines === true ? { wrapsLines: true } : {}),
      lastLines: (n) => reader.lastLines(n),
      damage: async (position: PanePosition): Promise<string | undefined> => {
        const turn = position as TurnPosition;
        const watch = await this.watches[role];
        if (!watch || turn.watch !== watch || watch.resizes === turn.resizes) return undefined;
        // The CLI's transcript gives the exact body whatever the screen did (transcript-recovery.ts).
        if (spec.profile.transcript && spec.environment) return undefined;
        const now = `${watch.model.cols}×${watch.model.rows}`;
        turn.resizes = watch.resizes;
        const was = turn.size;
        turn.size = now;
        return `the pane was resized (${was} → ${now}) while the reply was on its way, which can leave parts of the old screen inside it`;
      },
      crossCheck: async (position: PanePosition): Promise<void> => {
        const turn = position as TurnPosition;
        const watch = await this.watches[role];
        if (!watch || !watch.live || turn.watch !== watch || turn.deep) return;
        if (!(await watch.crossCheck())) turn.deep = true;
      },
    };
    const source = spec.profile.transcript;
    const recovery =
      source && spec.environment
        ? new TranscriptRecovery({ source, projectDir: realProjectDir(this.options.projectDir), env: spec.environment, role, command: spec.command })
        : undefined;
    const handoff = withHandoff(pane, {
      projectDir: this.options.projectDir,
      now: () => this.options.clock.now(),
      fileThreshold: spec.fileThreshold ?? DEFAULT_FILE_THRESHOLD,
      ...(recovery ? { recovery } : {}),
      ...(this.options.debug ? { debug: this.options.debug } : {}),
    });
    return this.options.wrapChannel ? this.options.wrapChannel(handoff) : handoff;
  }
}

/** Applies a profile's per-line clean-up (copilot's scrollbar column) to text read from its pane. */
function cleanLines(text: string, clean: ((line: string) => string) | undefined): string {
  return clean ? text.split('\n').map(clean).join('\n') : text;
}

/** The CLIs name their transcript folders after their real working directory. */
function realProjectDir(projectDir: string): string {
  try {
    return realpathSync(projectDir);
  } catch {
    return projectDir;
  }
}

/**
 * One of poli's two panes is gone (`tmux kill-pane`) while the other still runs its CLI: that pane is created again
 * (its CLI is then primed, as a restarted one) and the living CLI keeps its context. Undefined when there is nothing
 * to restore (no server, no session, or neither pane).
 */
async function restoreMissingPane(options: SessionOptions): Promise<{ panes: Record<Role, string>; role: Role } | undefined> {
  const found = await findRolePanes(options.run, options.session ?? SESSION_NAME);
  const role = found ? missingRole(found) : undefined;
  if (!found || !role) return undefined;
  const other: Role = role === 'PLANNER' ? 'EXECUTER' : 'PLANNER';
  const living = found[other];
  if (living === undefined) return undefined;
  const spec = options.clis[role];
  options.log?.(`the ${role} pane is gone from the session (closed or killed); starting the ${role} CLI again in a new pane (the ${other} in pane ${living} keeps its context)`);
  const panes = await restorePane(options.run, { role: other, paneId: living }, role, { command: spec.command, env: spec.env, cwd: options.projectDir });
  // Started with this run's command, project and environment: prepare() primes it without starting it once more.
  await writePaneOptions(options.run, panes[role], { '@poli_command': spec.command, '@poli_project': options.projectDir, '@poli_env': envFingerprint(spec.env) });
  return { panes, role };
}

export type { PaneLiveness };
