/**
 * What the dialogue tells while a task runs, beyond its messages: progress lines and events for reminders, waits,
 * retries, pauses and stops, and the CLIs it restarts or switches to their fallback.
 */
import { resumeContext } from '../dialogue/resume.ts';
import type { RunTaskOptions } from '../dialogue/run-task.ts';
import type { Role } from '../protocol/types.ts';
import { formatProgress } from '../terminal/progress.ts';
import { describeExit } from '../tmux/server.ts';
import type { RunningTask } from './task-start.ts';

/** The dialogue's onProgress for a running task: the live line, a progress line, the log and the event stream. */
export function progressReporter(task: RunningTask): NonNullable<RunTaskOptions['onProgress']> {
  const { ws, id: taskId, display, paneOf } = task;
  const emit = ws.events.emit;
  return (p) => {
    display.begun = true;
    display.waitingFor = p.waitingFor;
    display.show();
    const text = p.text.replace('tmux -L <socket>', `tmux -L ${ws.settings.socket}`);
    // "result sent to PLANNER for review" follows the result's line at once and says nothing more.
    if (!text.endsWith(' sent to PLANNER for review')) {
      ws.progress(formatProgress(task.elapsedMs(), p.round, p.waitingFor, text, p.kind === 'limit' && p.wait !== undefined));
    }
    const role = p.waitingFor ?? 'PLANNER';
    if (p.kind === 'reminder') emit({ event: 'reminder', task: taskId, round: p.round, role, pane: paneOf(role), id: p.id ?? '' });
    else if (p.kind === 'limit') {
      const wait = p.wait;
      const role = wait?.role ?? p.waitingFor ?? 'EXECUTER';
      const until = wait?.until === null || wait?.until === undefined ? null : new Date(wait.until).toISOString();
      // The progress line above already shows it on the terminal: the log gets it, the terminal once.
      ws.logger.warn(text, { event: 'waiting', task: taskId, round: p.round, role, fileOnly: true });
      const event = emit({ event: 'waiting', task: taskId, round: p.round, role, pane: paneOf(role), reason: text, for: wait?.kind ?? 'over', ...(wait ? { until } : {}) });
      // A wait that begins needs a person to know (a login) or to be told (a limit); its end is only shown.
      if (wait) ws.notify(event);
    } else if (p.kind === 'retrying') ws.logger.warn(text, { event: 'retrying', task: taskId, round: p.round, role, fileOnly: true });
    else if (p.kind === 'waiting') {
      ws.logger.warn(text, { event: 'waiting', task: taskId, round: p.round, role, fileOnly: true });
      ws.notify(emit({ event: 'waiting', task: taskId, round: p.round, role, pane: paneOf(role), reason: text }));
    } else if (p.kind === 'pause' || p.kind === 'resume') {
      display.pausedNow = p.kind === 'pause';
      void display.hold(display.pausedNow ? 'paused' : undefined);
      emit({ event: p.kind, task: taskId, round: p.round });
    } else if (p.kind === 'stop') emit({ event: 'stop', task: taskId, round: p.round, reason: p.text });
    else if (p.kind === 'budget' && p.budget) {
      const { level, spent, limit, scope } = p.budget;
      ws.logger.warn(text, { event: 'budget', task: taskId, round: p.round, fileOnly: true });
      emit({ event: 'budget', task: taskId, round: p.round, level, spent, limit, scope, reason: text.replace(/^(budget|waiting): /, '') });
      // A budget reached holds the task for a person: told like a wait for a login.
      if (level === 'reached') {
        const role = p.waitingFor ?? 'PLANNER';
        ws.notify(emit({ event: 'waiting', task: taskId, round: p.round, role, pane: paneOf(role), reason: text.replace(/^waiting: /, ''), for: 'budget', until: null }));
      }
    }
  };
}

/**
 * The dialogue's answers when a CLI cannot go on: a pane whose CLI died is restarted (up to --restarts times), a CLI
 * at its usage limit is switched to its fallback (--on-limit switch; each role once, `switched` shared with priming).
 */
export function cliRecovery(task: RunningTask, switched: Set<Role>): Required<Pick<RunTaskOptions, 'switchCli' | 'onPaneDied' | 'onIgnored'>> {
  const { ws, id: taskId, display, paneOf } = task;
  const { settings } = ws;
  const restarts: Record<Role, number> = { PLANNER: 0, EXECUTER: 0 };
  return {
    onIgnored: (role, reason, expected) =>
      ws.logger.warn(`${role}: ${reason}`, { event: 'ignored', task: taskId, round: display.round, role, ...(expected ? { fileOnly: true } : {}) }),
    switchCli: async (role, screen) => {
      const fallback = ws.fallbacks[role];
      if (!fallback || switched.has(role)) return null;
      switched.add(role);
      const reason = `the ${role} CLI hit its usage limit (${screen.line}); switching its pane to the fallback ${fallback.profile.name} (${fallback.command})`;
      ws.logger.warn(reason, { event: 'restart', task: taskId, round: display.round, role });
      ws.events.emit({ event: 'restart', task: taskId, round: display.round, role, pane: paneOf(role), reason });
      await ws.session.switchCli(role, fallback);
      const record = (await ws.store.get(taskId)) ?? display.latest;
      const intro = `[poli: the ${role} CLI hit its usage limit, so this pane now runs ${fallback.profile.name}, which has none of the dialogue's history. The message above is the pending one; the task and the dialogue so far:]`;
      return { program: fallback.profile.name, context: resumeContext(record, 40, intro) };
    },
    onPaneDied: async (role, info) => {
      const how = describeExit(info);
      if (restarts[role] >= settings.restarts) return false;
      restarts[role] += 1;
      const reason = `the ${role} CLI ${how}; restarting it (${restarts[role]} of ${settings.restarts})`;
      ws.logger.warn(reason, { event: 'restart', task: taskId, round: display.round, role });
      ws.events.emit({ event: 'restart', task: taskId, round: display.round, role, pane: paneOf(role), reason });
      await ws.session.restart(role);
      return true;
    },
  };
}
