/** Mock EXECUTER CLI: a Claude-Code-like TUI that performs simple plan steps in its working directory. */
import { runMock } from './lib/run-mock.ts';
import { traceBlocks } from './lib/trace.ts';

traceBlocks(process.stdout, process.env.MOCK_TRACE_FILE, 'EXECUTER');

runMock('EXECUTER', 'mock-executer', {
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  pid: process.pid,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
});
