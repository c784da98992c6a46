/**
 * The mock PLANNER's logic: a `task` becomes a `plan` for the EXECUTER; each `review` (or forwarded
 * `result`/`error`) becomes `continue` (or `revision` after an error) until `rounds` executer rounds are
 * done, then `complete` to the ORCHESTRATOR. Later rounds append a line to the task's file, so they can be
 * checked on disk.
 */
import { basename } from 'node:path';
import type { Block, BlockHeader } from '../../src/protocol/types.ts';
import { actionPath, parseAction } from './actions.ts';
import type { Brain, Outbox } from './agent.ts';
import { formatPlan, splitTaskIntoSteps } from './steps.ts';

interface TaskState {
  task: string;
  steps: string[];
  file: string | undefined;
  reviews: number;
}

const MAX_SUMMARY_LINES = 10;

export function createPlannerBrain(rounds: number): Brain {
  // One task at a time, like a real CLI's conversation: poli issues a fresh id for every message
  // (task, then each review), so the rounds are counted for the latest task, not per id.
  let current: TaskState = { task: '', steps: [], file: undefined, reviews: 0 };

  return {
    role: 'PLANNER',
    greeting: 'Ready. I am the PLANNER.',
    async answer(block: Block, outbox: Outbox): Promise<void> {
      const { type, id } = block.header;
      const to = (target: BlockHeader['to'], t: BlockHeader['type']): BlockHeader => ({ to: target, type: t, id });
      if (type === 'task') {
        const steps = splitTaskIntoSteps(block.body);
        current = { task: block.body, steps, file: findFile(steps), reviews: 0 };
        return outbox.send(to('EXECUTER', 'plan'), formatPlan(steps.length > 0 ? steps : ['Report that the task was empty']));
      }
      if (type === 'review' || type === 'result' || type === 'error') {
        const state = current;
        const done = state.reviews;
        state.reviews++;
        if (done >= rounds - 1) return outbox.send(to('ORCHESTRATOR', 'complete'), formatSummary(state, block.body));
        if (type === 'error' || isErrorReview(block)) {
          return outbox.send(to('EXECUTER', 'revision'), formatRevision(state, block.body));
        }
        return outbox.send(to('EXECUTER', 'continue'), formatContinue(state, done));
      }
      if (type === 'status') return outbox.say(`Noted: ${firstLine(block.body)}`);
      outbox.say(`Ignoring a ${type} block (${id}): the PLANNER answers task and review blocks.`);
    },
  };
}

/** Whether a review reports a failure: an error block quoted in it, or a line starting with error/failed. */
export function isErrorReview(block: Block): boolean {
  const { header, body } = block;
  return (
    header.status === 'error' ||
    header.result === 'error' ||
    /"type"\s*:\s*"error"/.test(body) ||
    /^\s*(error|failed|failure)\b/im.test(body) ||
    /^\s*step \d+ failed\b/im.test(body)
  );
}

/** The `continue` body for review number `done` + 1: append a line to the task's file, or verify. */
export function formatContinueBody(steps: readonly string[], file: string | undefined, done: number): string {
  const step = steps.length + done + 1;
  const round = done + 2;
  if (file === undefined) {
    return `Continue: step ${step} — verify the previous result\n${formatPlan(['Verify the previous result'], step)}`;
  }
  return `Continue: step ${step} — append a line to ${file}\n${formatPlan([`Append round ${round} to ${file}`], step)}`;
}

function formatContinue(state: TaskState, done: number): string {
  return formatContinueBody(state.steps, state.file, done);
}

/** Retries the task's steps, with any path that escaped the working directory replaced by its base name. */
function formatRevision(state: TaskState, review: string): string {
  const steps = state.steps.map((step) => {
    const path = actionPath(parseAction(step));
    if (path === undefined || !(path.startsWith('/') || path.split(/[\\/]/).includes('..'))) return step;
    return step.replace(path, basename(path));
  });
  const reason = firstLine(review).slice(0, 120);
  return `Revision: the previous attempt failed (${reason}).\n${formatPlan(steps.length > 0 ? steps : ['Verify the previous result'])}`;
}

function formatSummary(state: TaskState, review: string): string {
  const report = plainLines(review).slice(0, MAX_SUMMARY_LINES);
  const rounds = `${state.reviews} round${state.reviews === 1 ? '' : 's'}`;
  const task = firstLine(state.task);
  return [`Task complete after ${rounds}${task === '' ? '' : `: ${task}`}`, 'Last report:', ...report].join('\n');
}

function findFile(steps: readonly string[]): string | undefined {
  for (const step of steps) {
    const path = actionPath(parseAction(step));
    if (path !== undefined && parseAction(step).kind !== 'mkdir') return path;
  }
  for (const step of steps) {
    const match = /(?:^|\s)([\w-][\w./-]*\.[A-Za-z0-9]{1,8})(?=[\s,;:)]|$)/.exec(step);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

/** Body lines without block tags (a quoted block must not open a block inside ours). */
function plainLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '' && !line.includes('POLI:MSG'));
}

function firstLine(text: string): string {
  return plainLines(text)[0]?.trim() ?? '';
}
