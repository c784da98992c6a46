/**
 * Composition of one mock CLI: options, the role's logic, fault injection and the TUI. The entry points pass
 * the real process in; nothing below them touches `process`.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Role } from '../../src/protocol/types.ts';
import { createAgent, type AgentEffects, type Brain } from './agent.ts';
import { createExecuterBrain } from './executer-brain.ts';
import { formatMockUsage, MockOptionsError, parseMockOptions } from './options.ts';
import { createPlannerBrain } from './planner-brain.ts';
import { Tui, type TuiInput, type TuiOutput } from './tui.ts';

/** Exit code of `--stderr-exit-at-start`, as a shell gives for a missing command. */
export const COMMAND_NOT_FOUND_EXIT_CODE = 127;
const BAD_USAGE_EXIT_CODE = 2;

export interface MockProcess {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
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
    onSubmit: createAgent(brain, options, createFileEffects(proc.cwd, options.crashFile, options.recordFile)),
    onExit: (code) => proc.exit(code),
  });
  tui.start();
}

/** Fault-injection files, resolved against the mock's cwd; synchronous so a crash is on disk before the exit. */
function createFileEffects(cwd: string, crashFile: string | undefined, recordFile: string | undefined): AgentEffects {
  const crashPath = crashFile === undefined ? undefined : resolve(cwd, crashFile);
  const recordPath = recordFile === undefined ? undefined : resolve(cwd, recordFile);
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
  };
}
