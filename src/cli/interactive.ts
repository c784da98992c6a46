/**
 * Interactive mode: a `poli> ` prompt that takes task after task in the same tmux session
 * (the CLIs keep their context), until :quit or end of input.
 */
import { renderTaskTable } from './state-view.ts';
import type { ControlCommand } from '../human/control.ts';
import { executeTask } from '../session/tasks.ts';
import type { Workspace } from '../session/workspace.ts';

export const INTERACTIVE_HELP = `Type a task and press Enter; the PLANNER plans it and the EXECUTER carries it out.
Commands: :state (list tasks)  :help (this text)  :quit or Ctrl+D (leave; the CLIs keep running)
While a task runs, Ctrl+C stops it (status interrupted); at the prompt, Ctrl+C clears the line.`;

/** The help, true to --kill-on-exit: leaving then stops the CLIs. */
function interactiveHelp(killOnExit: boolean): string {
  return killOnExit ? INTERACTIVE_HELP.replace('the CLIs keep running', 'the CLIs are stopped: --kill-on-exit') : INTERACTIVE_HELP;
}

/** Runs the prompt loop; returns 0, or 1 when the last task did not complete. */
export async function runInteractive(ws: Workspace): Promise<number> {
  ws.say(`poli: interactive mode on socket "${ws.settings.socket}", project ${ws.settings.projectDir}.`);
  const help = interactiveHelp(ws.settings.killOnExit);
  ws.say(help.split('\n')[1] ?? '');
  let lastCode = 0;
  let current: AbortController | null = null;
  const interrupt = () => current?.abort('interrupted by Ctrl+C (SIGINT)');
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
  const offInt = ws.io.onSignal('SIGINT', interrupt);
  const offTerm = ws.io.onSignal('SIGTERM', () => {
    quitting = true;
    current?.abort('terminated (SIGTERM)');
    ws.input.close();
  });
  try {
    while (!quitting) {
      const raw = await ws.input.question('poli> ');
      if (raw === null) break;
      const line = raw.trim();
      if (line === ':quit' || line === ':q' || line === ':exit') break;
      if (line === ':help') ws.say(help);
      else if (line === ':state') {
        const tasks = await ws.store.list();
        ws.io.stdout.write(tasks.length > 0 ? renderTaskTable(tasks, ws.clock.now()) : 'No tasks yet: type one at the prompt and press Enter.\n');
      }
      else if (line.startsWith(':')) ws.say(`unknown command ${line}. ${help.split('\n')[1] ?? ''}`);
      else if (line !== '') {
        // At once: a Ctrl+C from here on stops this task rather than clearing an empty prompt.
        current = new AbortController();
        await collect();
        const forTask = carried;
        carried = [];
        try {
          const record = await executeTask(ws, { task: line }, current.signal, forTask);
          lastCode = record.status === 'completed' ? 0 : 1;
        } finally {
          current = null;
        }
      }
    }
    await collect();
    const notes = carried.filter((c) => c.kind === 'say');
    if (notes.length > 0) {
      ws.logger.warn(`${notes.length} note(s) from poli say were not delivered: no task ran after them`, { event: 'say' });
      for (const note of notes) ws.events.emit({ event: 'say', role: note.to, summary: note.text, delivered: false, reason: 'no task ran after it' });
    }
  } finally {
    offInt();
    offTerm();
  }
  ws.say('');
  return lastCode;
}
