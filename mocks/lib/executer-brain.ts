/**
 * The mock EXECUTER's logic: for a `plan`/`continue`/`revision`, one `status` block per step, the step
 * really performed in the working directory, then a `result` listing what was done — or an `error` at the
 * first step that failed.
 */
import type { Block, BlockHeader } from '../../src/protocol/types.ts';
import { ActionError, parseAction, performAction } from './actions.ts';
import type { Brain, Outbox } from './agent.ts';
import { extractPlanSteps, splitTaskIntoSteps, type PlanStep } from './steps.ts';

const WORK_TYPES: readonly string[] = ['plan', 'continue', 'revision', 'task'];

export function createExecuterBrain(workDir: string): Brain {
  return {
    role: 'EXECUTER',
    greeting: 'Ready. I am the EXECUTER.',
    async answer(block: Block, outbox: Outbox): Promise<void> {
      const { type, id } = block.header;
      if (!WORK_TYPES.includes(type)) {
        return outbox.say(`Ignoring a ${type} block (${id}): the EXECUTER works on plan, continue and revision blocks.`);
      }
      const header = (t: BlockHeader['type']): BlockHeader => ({ to: 'PLANNER', type: t, id });
      const steps: PlanStep[] =
        type === 'task'
          ? splitTaskIntoSteps(block.body).map((text, i) => ({ number: i + 1, text }))
          : extractPlanSteps(block.body);
      const done: string[] = [];
      for (const [i, step] of steps.entries()) {
        if (i > 0) await outbox.think();
        await outbox.send(header('status'), `Working on step ${step.number}: ${step.text}`);
        try {
          done.push(await performAction(workDir, parseAction(step.text)));
        } catch (error) {
          if (!(error instanceof ActionError)) throw error;
          const failure = `Step ${step.number} failed: ${error.message}`;
          return outbox.send(header('error'), [...done, failure].join('\n'));
        }
      }
      await outbox.think();
      await outbox.send(header('result'), done.length > 0 ? done.join('\n') : 'Nothing to do: the plan had no steps.');
    },
  };
}
