/**
 * What a running task shows while it runs: the live line at the bottom of the terminal and the status bar of poli's
 * tmux server, refreshed on every step and every few seconds, and the hold (paused, waiting for the person) that
 * `poli status` reads from the state.
 */
import type { LiveStatus } from '../terminal/live-progress.ts';
import { STATUS_INTERVAL_SECONDS, renderStatusLine } from '../terminal/status-line.ts';
import { taskHead } from '../terminal/task-text.ts';
import type { Role } from '../protocol/types.ts';
import type { TaskRecord } from '../state/types.ts';
import type { Workspace } from './workspace-api.ts';

/** The running task's view: the latest record and what the dialogue last reported. */
export interface TaskView {
  latest: TaskRecord;
  round: number;
  waitingFor: Role | null;
  /** Until the dialogue reports its first step, the live line says `starting` (waitingFor null reads `done`). */
  begun: boolean;
  lastSummary: string;
  askingYou: boolean;
  pausedNow: boolean;
}

/** The live line for a task's view (pure). `started`: when the task started, on the display's clock. */
export function liveStatus(view: TaskView, started: number): LiveStatus {
  const { latest, round, waitingFor, lastSummary, askingYou, pausedNow, begun } = view;
  const wait = latest.status === 'waiting' ? latest.waiting : undefined;
  const held = wait ? { role: wait.role, reason: wait.reason, until: wait.until === null ? null : Date.parse(wait.until) } : undefined;
  return { round, waitingFor, startedAt: started, last: lastSummary, waitingForYou: askingYou, paused: pausedNow, ...(held ? { held } : {}), ...(begun ? {} : { starting: true }) };
}

/** The running task's view, shown on the live line and the status bar; `stop()` when the task ends. */
export class TaskDisplay implements TaskView {
  latest: TaskRecord;
  round: number;
  waitingFor: Role | null = null;
  begun = false;
  lastSummary: string;
  askingYou = false;
  pausedNow = false;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly ws: Workspace,
    created: TaskRecord,
    private readonly started: number,
  ) {
    this.latest = created;
    this.round = created.rounds;
    this.lastSummary = taskHead(created.task);
    this.timer = setInterval(() => this.show(), STATUS_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  /** Redraws the status bar and the live line. */
  show(): void {
    const { ws, latest } = this;
    void ws.setStatus(this.askingYou ? `poli ${latest.id} r${this.round} waiting for you` : renderStatusLine(latest, ws.clock.now(), this.waitingFor));
    ws.live.update(liveStatus(this, this.started));
  }

  /** Records the hold in the state (`poli status` reads it there): paused, or waiting for the person's answer. */
  async hold(kind: 'paused' | 'you' | undefined): Promise<void> {
    const { ws } = this;
    const taskId = this.latest.id;
    this.latest = await ws.store
      .update(taskId, { held: kind ? { kind, since: new Date(ws.clock.now()).toISOString() } : undefined })
      .catch((error: unknown) => {
        ws.logger.warn(`could not record in the state that task ${taskId} is ${kind ?? 'no longer held'}: ${String(error)}`);
        return this.latest;
      });
    this.show();
  }

  /** The task ended: no more refreshes, the live line goes. */
  stop(): void {
    clearInterval(this.timer);
    this.ws.live.stop();
  }
}
