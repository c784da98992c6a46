/**
 * Composition of one mock CLI: options, the role's logic, fault injection and the TUI. The entry points pass
 * the real process in; nothing below them touches `process`.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { replyByCommand, replyByTool } from './reply-via.ts';
import { dirname, resolve } from 'node:path';
import type { Role } from '../../src/protocol/types.ts';
import { createAgent, type AgentEffects, type Brain } from './agent.ts';
import { createExecuterBrain } from './executer-brain.ts';
import { formatMockUsage, MockOptionsError, parseMockOptions, type MockOptions } from './options.ts';
import { createPlannerBrain } from './planner-brain.ts';
import { recordingSession, SessionRecorder } from './session-db.ts';
import { Tui, type TuiInput, type TuiOutput } from './tui.ts';
import { recordingUsage, UsageTranscript } from './usage-transcript.ts';

/** Exit code of `--stderr-exit-at-start`, as a shell gives for a missing command. */
export const COMMAND_NOT_FOUND_EXIT_CODE = 127;
const BAD_USAGE_EXIT_CODE = 2;

export interface MockProcess {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Names the mock's usage transcript (--usage-dir); absent in tests that run the mock in-process. */
  pid?: number;
  stdin: TuiInput;
  stdout: TuiOutput;
  stderr: { write(chunk: string): boolean };
  exit(code: number): void;
}

/** Starts the mock CLI for `role`; returns once the TUI is running (or after exiting for bad usage). */
export function runMock(role: Role, command: string, proc: MockProcess): void {
  let options;
  try {
    options = parseMockOptions(proc.argv, proc.env, {}, role);
  } catch (error) {
    if (!(error instanceof MockOptionsError)) throw error;
    proc.stderr.write(`${command}: ${error.message}\n${formatMockUsage(command)}`);
    return proc.exit(BAD_USAGE_EXIT_CODE);
  }
  if (options.help) {
    proc.stderr.write(formatMockUsage(command));
    return proc.exit(0);
  }
  if (options.stderrExitAtStart) {
    proc.stderr.write(`bash: ${command}: command not found\n`);
    return proc.exit(COMMAND_NOT_FOUND_EXIT_CODE);
  }
  const workDir = resolve(proc.cwd, options.workDir ?? '.');
  const brain: Brain = role === 'PLANNER' ? createPlannerBrain(options.rounds) : createExecuterBrain(workDir);
  // --session-db: a CLI started (again) writes a new session, as opencode does.
  const sessions = options.sessionDb === undefined ? undefined : new SessionRecorder(resolve(proc.cwd, options.sessionDb), proc.cwd);
  sessions?.start();
  const usage = options.usageDir === undefined ? undefined : new UsageTranscript(role, resolve(proc.cwd, options.usageDir), proc.cwd, proc.pid ?? 0);
  const tui = new Tui({
    input: proc.stdin,
    output: proc.stdout,
    title: `Mock ${role} (poli test CLI)`,
    subtitle: `cwd: ${workDir}`,
    swallowEnterAfterPaste: options.swallowFirstEnter,
    draw: options.draw,
    animateMs: options.animateMs,
    bottomRows: options.bottomRows,
    submitOnPaste: options.submitOnPaste,
    enters: options.enters,
    echoCharMs: options.echoCharMs,
    enterNewlineFirst: options.enterNewlineFirst,
    inputBox: options.inputBox,
    redrawHalfOnSubmit: options.redrawHalfOnSubmit,
    busyAfterReplyMs: options.busyAfterReplyMs,
    inputLagMs: options.inputLagMs,
    onSubmit: recordingUsage(recordingSession(createAgent(brain, options, createFileEffects(proc.cwd, workDir, options)), sessions), usage),
    onExit: (code) => proc.exit(code),
  });
  tui.start();
}

/**
 * Fault-injection files (crash, record, sent), resolved against the mock's cwd; reply and message files against its
 * working directory. Synchronous, so a crash is on disk before the exit and a piece is whole when the line shows.
 */
function createFileEffects(
  cwd: string,
  workDir: string,
  options: Pick<MockOptions, 'crashFile' | 'recordFile' | 'sentFile'>,
): AgentEffects {
  const crashPath = options.crashFile === undefined ? undefined : resolve(cwd, options.crashFile);
  const recordPath = options.recordFile === undefined ? undefined : resolve(cwd, options.recordFile);
  const sentPath = options.sentFile === undefined ? undefined : resolve(cwd, options.sentFile);
  return {
    countCrashes() {
      if (crashPath === undefined) return 0;
      try {
        return readFileSync(crashPath, 'utf8').split('\n').filter((line) => line.trim() !== '').length;
      } catch {
        return 0;
      }
    },
    noteCrash(line) {
      if (crashPath !== undefined) appendFileSync(crashPath, `${line}\n`);
    },
    record(entry) {
      if (recordPath !== undefined) appendFileSync(recordPath, `${JSON.stringify(entry)}\n`);
    },
    recordSent(entry) {
      if (sentPath !== undefined) appendFileSync(sentPath, `${JSON.stringify(entry)}\n`);
    },
    appendFile(path, text) {
      const target = resolve(workDir, path);
      mkdirSync(dirname(target), { recursive: true });
      appendFileSync(target, text);
    },
    readFile(path) {
      try {
        return readFileSync(resolve(workDir, path), 'utf8');
      } catch {
        return undefined;
      }
    },
    deliver: (via, header, body) => (via === 'tool' ? replyByTool(process.env, header, body) : replyByCommand(process.env, header, body)),
  };
}
