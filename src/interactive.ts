/**
 * Interactive mode: a `poli> ` prompt that takes task after task in the same tmux session
 * (the CLIs keep their context), until :quit or end of input.
 */
import { renderTaskTable } from './cli/state-view.ts';
import { executeTask } from './tasks.ts';
import type { Workspace } from './workspace.ts';

export const INTERACTIVE_HELP = `Type a task and press Enter; the PLANNER plans it and the EXECUTER carries it out.
Commands: :state (list tasks)  :help (this text)  :quit or Ctrl+D (leave; the CLIs keep running)
While a task runs, Ctrl+C stops it (status interrupted); at the prompt, Ctrl+C clears the line.`;

/** Runs the prompt loop; returns 0, or 1 when the last task did not complete. */
export async function runInteractive(ws: Workspace): Promise<number> {
  ws.say(`poli: interactive mode on socket "${ws.settings.socket}", project ${ws.settings.projectDir}.`);
  ws.say(INTERACTIVE_HELP.split('\n')[1] ?? '');
  let lastCode = 0;
  let current: AbortController | null = null;
  const interrupt = () => current?.abort('interrupted by Ctrl+C (SIGINT)');
  ws.input.onInterrupt(() => {
    if (current) interrupt();
    else ws.say('\n(type :quit or press Ctrl+D to leave)');
  });
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
      if (line === ':help') ws.say(INTERACTIVE_HELP);
      else if (line === ':state') ws.io.stdout.write(renderTaskTable(await ws.store.list(), ws.clock.now()));
      else if (line.startsWith(':')) ws.say(`unknown command ${line}. ${INTERACTIVE_HELP.split('\n')[1] ?? ''}`);
      else if (line !== '') {
        // Commands sent while no task ran must not act on this one.
        await ws.control.poll();
        current = new AbortController();
        try {
          const record = await executeTask(ws, { task: line }, current.signal);
          lastCode = record.status === 'completed' ? 0 : 1;
        } finally {
          current = null;
        }
      }
    }
  } finally {
    offInt();
    offTerm();
  }
  ws.say('');
  return lastCode;
}
