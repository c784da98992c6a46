/** Entry point: hands the real process to the app and exits with its code. */
import { runApp } from './cli/app.ts';
import { runtimeDir } from './host.ts';

// A reader that closes stdout's pipe (`poli … | head -1`, quitting `less`) is reported to the app as the
// pseudo-signal SIGPIPE: a running task ends interrupted and is cleaned up (src/terminal/interrupts.ts). With nobody
// listening (`poli watch | head`) poli ends quietly, as any Unix tool does. Writes after the first EPIPE fail as
// "stream destroyed": the same event.
const pipeClosed = new Set<() => void>();
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  if (pipeClosed.size === 0) process.exit(0);
  for (const handler of [...pipeClosed]) handler();
});

const code = await runApp({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  pid: process.pid,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  onSignal(signal, handler) {
    if (signal === 'SIGPIPE') {
      pipeClosed.add(handler);
      return () => pipeClosed.delete(handler);
    }
    process.on(signal, handler);
    return () => process.off(signal, handler);
  },
  now: () => Date.now(),
  runtimeDir: runtimeDir(process.env, process.getuid?.() ?? 0),
});
// process.exit drops what a pipe has not taken yet (`poli --state --json | jq` of a task over 64 KB came out cut):
// wait until both streams have flushed everything written before them.
// (A stream whose reader went away is skipped: writing to it again would report EPIPE as if it were new.)
await Promise.all(
  [process.stdout, process.stderr].filter((stream) => !stream.destroyed).map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))),
);
process.exit(code);
