/**
 * Interactive mode: a `poli> ` prompt that takes task after task in the same tmux session
 * (the CLIs keep their context), until :quit or end of input.
 */
import { renderTaskTable } from './state-view.ts';
import { PoliError } from '../errors.ts';
import { interruptReason } from '../terminal/interrupts.ts';
import { confirmTypeAhead } from './type-ahead.ts';
import { PromptQueue } from './prompt-queue.ts';
import type { ControlCommand } from '../human/control.ts';
import { executeTask } from '../session/tasks.ts';
import type { Workspace } from '../session/workspace.ts';

export const INTERACTIVE_HELP = `Type a task and press Enter; the PLANNER plans it and the EXECUTER carries it out.
Commands: :state (list tasks)  :help (this text)  :quit or Ctrl+D (leave; the CLIs keep running)
Many at once: :parallel N (each task you type then runs in its own git worktree, merged back when done)  :queue (list them)
While a task runs, Ctrl+C stops it (status interrupted); at the prompt, Ctrl+C clears the line.`;

/** The help, true to --kill-on-exit: leaving then stops the CLIs. */
function interactiveHelp(killOnExit: boolean): string {
  return killOnExit ? INTERACTIVE_HELP.replace('the CLIs keep running', 'the CLIs are stopped: --kill-on-exit') : INTERACTIVE_HELP;
}

/** Runs the prompt loop; returns 0, or 1 when the last task did not complete. */
export async function runInteractive(ws: Workspace, budget?: number): Promise<number> {
  ws.say(`poli: interactive mode on socket "${ws.settings.socket}", project ${ws.settings.projectDir}.`);
  const help = interactiveHelp(ws.settings.killOnExit);
  ws.say(help.split('\n')[1] ?? '');
  let lastCode = 0;
  let current: AbortController | null = null;
  // A Ctrl+C typed into the editor of an approval edit reaches poli too (one process group): it is the editor's.
  const interrupt = () => {
    if (!ws.input.terminalReleased) current?.abort('interrupted by Ctrl+C (SIGINT)');
  };
  ws.input.onInterrupt(() => {
    if (current) interrupt();
    else ws.say('(the line was cleared; type :quit or press Ctrl+D to leave)');
  });
  // poli say/pause sent while the prompt waited: kept for the next task.
  let carried: ControlCommand[] = [];
  const collect = async (): Promise<void> => {
    for (const command of await ws.control.poll()) {
      if (command.kind === 'stop') ws.logger.warn('ignored "poli stop": no task was running (the prompt was waiting)', { event: 'stop' });
      else carried.push(command);
    }
  };
  let quitting = false;
  const queue = new PromptQueue(ws);
  const offInt = ws.io.onSignal('SIGINT', interrupt);
  // SIGTERM, a hung-up terminal and a closed stdout end the running task and leave (src/terminal/interrupts.ts).
  const offLeave = (['SIGTERM', 'SIGHUP', 'SIGPIPE'] as const).map((signal) =>
    ws.io.onSignal(signal, () => {
      quitting = true;
      current?.abort(interruptReason(signal));
      ws.input.close();
    }),
  );
  try {
    while (!quitting) {
      // Text typed while the last task ran starts nothing unseen: it is shown and confirmed first.
      const raw = (await confirmTypeAhead(ws.input, (l) => ws.say(l))) ?? (await ws.input.question('poli> '));
      if (raw === null) break;
      const line = raw.trim();
      if (line === ':quit' || line === ':q' || line === ':exit') break;
      if (line === ':help') ws.say(help);
      else if (line === ':state') {
        const tasks = await ws.store.list();
        ws.io.stdout.write(tasks.length > 0 ? renderTaskTable(tasks, ws.clock.now()) : 'No tasks yet: type one at the prompt and press Enter.\n');
      }
      else if (line.startsWith(':parallel')) queue.set(line.slice(':parallel'.length));
      else if (line === ':queue') await queue.show().catch((error: unknown) => ws.error(`poli: ${String(error)}`));
      else if (line.startsWith(':')) ws.say(`unknown command ${line}. ${help.split('\n')[1] ?? ''}`);
      else if (line !== '' && queue.on) await queue.add(line).catch((error: unknown) => ws.error(`poli: could not queue the task: ${error instanceof Error ? error.message : String(error)}`));
      else if (line !== '') {
        // At once: a Ctrl+C from here on stops this task rather than clearing an empty prompt.
        current = new AbortController();
        await collect();
        const forTask = carried;
        carried = [];
        try {
          // The session's server or a pane may have been killed while the prompt waited, or by the last task.
          if (!(await startSessionAgain(ws))) {
            lastCode = 1;
            carried = forTask;
            continue;
          }
          const record = await executeTask(ws, { task: line, ...(budget === undefined ? {} : { budget }) }, current.signal, forTask);
          lastCode = record.status === 'completed' ? 0 : 1;
        } finally {
          current = null;
        }
      }
    }
    await queue.close();
    await collect();
    const notes = carried.filter((c) => c.kind === 'say');
    if (notes.length > 0) {
      ws.logger.warn(`${notes.length} note(s) from poli say were not delivered: no task ran after them`, { event: 'say' });
      for (const note of notes) ws.events.emit({ event: 'say', role: note.to, summary: note.text, delivered: false, reason: 'no task ran after it' });
    }
  } finally {
    offInt();
    offLeave.forEach((off) => off());
  }
  ws.say('');
  return lastCode;
}

/** Starts the tmux session again when it (or a pane) is gone; false when that failed (said at the terminal). */
async function startSessionAgain(ws: Workspace): Promise<boolean> {
  try {
    await ws.ensureSession();
    return true;
  } catch (error) {
    if (!(error instanceof PoliError)) throw error;
    ws.error(`poli: could not start the tmux session again, so the task was not started: ${error.message}`);
    return false;
  }
}
