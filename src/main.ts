/** Entry point: hands the real process to the app and exits with its code. */
import { runApp } from './cli/app.ts';
import { runtimeDir } from './host.ts';

// `poli watch | head`: a reader that closes the pipe ends poli quietly, as with any Unix tool.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
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
    process.on(signal, handler);
    return () => process.off(signal, handler);
  },
  now: () => Date.now(),
  runtimeDir: runtimeDir(process.env, process.getuid?.() ?? 0),
});
// process.exit drops what a pipe has not taken yet (`poli --state --json | jq` of a task over 64 KB came out cut):
// wait until both streams have flushed everything written before them.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
process.exit(code);
