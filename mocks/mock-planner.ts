/** Mock PLANNER CLI: a Claude-Code-like TUI that answers poli's task and review blocks. See mocks/lib. */
import { runMock } from './lib/run-mock.ts';
import { traceBlocks } from './lib/trace.ts';

traceBlocks(process.stdout, process.env.MOCK_TRACE_FILE, 'PLANNER');

runMock('PLANNER', 'mock-planner', {
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  pid: process.pid,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
});
