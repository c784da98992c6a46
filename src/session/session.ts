/**
 * poli's tmux session: starts (or reuses) the server with a PLANNER and an EXECUTER pane,
 * waits for both CLIs to be ready, primes them with their role files, and exposes the panes
 * to the dialogue as channels. A pane whose CLI died can be restarted and primed again.
 */
import { DialogWatch } from './cli-dialogs.ts';
import { waitUntilReady, type PrimerTurn } from './cli-ready.ts';
import { paneChannel, PANE_ROWS, usageLedgerFor } from './pane-channel.ts';
import { UsageFeed } from './usage-feed.ts';
import { findRolePanes, missingRole, restorePane } from './pane-repair.ts';
import { KeptLimits, limitSincePrimer, type PrimingLimitHandler } from './priming-limits.ts';
import { changedVariables, envFingerprint } from './session-env.ts';
import { SESSION_NAME, type SessionOptions } from './session-options.ts';
import type { DialogueChannels, PaneChannel } from '../reading/channel.ts';
import { PaneDiedError } from '../errors.ts';
import type { CliSpec } from './cli-spec.ts';
import type { Role } from '../protocol/types.ts';
import { readPaneOptions, writePaneOptions } from '../tmux/pane-options.ts';
import { PaneReader, type PaneMark } from '../tmux/reader.ts';
import { sendMessage } from '../tmux/send.ts';
import { TmuxServer, describeExit } from '../tmux/server.ts';
import { PaneWatch } from '../reading/pane-watch.ts';
import type { LimitScreen } from '../profiles/limit-screens.ts';
import type { PaneLiveness } from '../tmux/types.ts';

export { SESSION_NAME, type SessionOptions } from './session-options.ts';
export { CliNotReadyError } from './cli-ready.ts';
export { DEFAULT_FILE_THRESHOLD } from './pane-channel.ts';

const ROLES: readonly Role[] = ['PLANNER', 'EXECUTER'];
const PANE_COLUMNS = 250;

export class PoliSession {
  readonly channels: DialogueChannels;
  readonly server: TmuxServer;
  /** The token usage both CLIs record (issue 22), read for the whole session and handed to the running task. */
  readonly usage: UsageFeed;
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
    this.usage = new UsageFeed(options.debug);
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
        // A named session shares the server with other pairs: its window bears its name (the task's, `T7`) too.
        ...(options.session === undefined ? {} : { window: options.session }),
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
    // A named session shares its server with other polis' sessions: only it goes, and the server once it is empty.
    await this.server.killSessionOrServer(this.options.session);
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

  /** The pane as the dialogue sees it (pane-channel.ts), reading through this session's reader and watch. */
  private channel(role: Role): PaneChannel {
    const { projectDir, clock, debug, wrapChannel } = this.options;
    const spec = this.options.clis[role];
    // Made before the CLI is primed, so the primer's usage counts; kept while the role's CLI stays of one kind.
    this.usage.ledgerFor(role, spec.profile.name, spec.profile.transcript, () => usageLedgerFor(spec, projectDir, role));
    return paneChannel({
      role,
      paneId: this.paneIds[role],
      spec: this.options.clis[role],
      projectDir,
      clock,
      reader: () => this.readers[role],
      dialogs: () => this.dialogs[role],
      watch: () => this.watch(role),
      currentWatch: () => this.watches[role],
      submit: (text, onPasted, mayBeInBox) => this.submitToPane(role, text, onPasted, mayBeInBox === true),
      readUsage: () => this.usage.poll(),
      ...(debug ? { debug } : {}),
      ...(wrapChannel ? { wrapChannel } : {}),
    });
  }

  /** Waits until the role's CLI is ready (cli-ready.ts): its prompt shown, or its primer answered. */
  private waitUntilReady(role: Role, what: string, answering?: PrimerTurn): Promise<PaneLiveness | undefined> {
    const { clock, readyTimeoutMs, pollMs, socket } = this.options;
    const pane = { role, paneId: this.paneIds[role], profile: this.options.clis[role].profile, reader: this.readers[role], dialogs: this.dialogs[role] };
    return waitUntilReady({ ...pane, server: this.server, clock, readyTimeoutMs, pollMs, socket }, what, answering);
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
