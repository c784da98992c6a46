/** `--notify CMD`: the command run for each event a person should know of. */
import { spawn } from 'node:child_process';
import type { PoliEvent } from '../records/events.ts';

/** Runs --notify's command per event; `settle` waits for those still running. */
export interface Notifier {
  run(event: PoliEvent): void;
  settle(): Promise<void>;
}

/** `--notify CMD`: runs CMD through sh with the event as JSON on stdin; never blocks the dialogue. */
export function createNotifier(
  command: string | undefined,
  cwd: string,
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): Notifier {
  const running = new Set<Promise<void>>();
  let warned = false;
  return {
    run(event) {
      if (!command) return;
      const done = new Promise<void>((resolve) => {
        const child = spawn('sh', ['-c', command], { cwd, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        child.stdin?.on('error', () => undefined);
        child.on('error', (error) => {
          if (!warned) warn(`--notify ${JSON.stringify(command)} could not start: ${error.message}`);
          warned = true;
          resolve();
        });
        child.on('close', (code) => {
          if (code !== 0 && !warned) {
            warned = true;
            warn(`--notify ${JSON.stringify(command)} exited with status ${code}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`);
          }
          resolve();
        });
        child.stdin?.end(`${JSON.stringify(event)}\n`);
      });
      running.add(done);
      void done.then(() => running.delete(done));
    },
    /** Waits (a few seconds at most) for the commands still running, so the last event is not cut off at exit. */
    async settle() {
      if (running.size === 0) return;
      await Promise.race([Promise.all(running), new Promise((resolve) => setTimeout(resolve, NOTIFY_SETTLE_MS).unref())]);
    },
  };
}

const NOTIFY_SETTLE_MS = 5_000;
