import { describe, expect, it } from 'vitest';
import { extractPlanSteps, formatPlan, splitTaskIntoSteps } from './steps.ts';

describe('splitTaskIntoSteps', () => {
  it.each([
    ['Create hello.txt containing Hello', ['Create hello.txt containing Hello']],
    ['Create a.txt containing A. Then append B to a.txt.', ['Create a.txt containing A', 'Append B to a.txt']],
    ['mkdir src then create src/x.ts containing x; verify it', ['Mkdir src', 'Create src/x.ts containing x', 'Verify it']],
    ['1. first\n2. second\n- third', ['First', 'Second', 'Third']],
    ['Create q.txt containing "one. two; three"', ['Create q.txt containing "one. two; three"']],
    ['  \n ', []],
  ])('%j', (task, steps) => {
    expect(splitTaskIntoSteps(task)).toEqual(steps);
  });
});

describe('formatPlan and extractPlanSteps', () => {
  it('round-trips numbered steps', () => {
    const body = formatPlan(['Create a.txt containing A', 'Verify'], 3);
    expect(body).toBe('<PLAN>\n3. Create a.txt containing A\n4. Verify\n</PLAN>');
    expect(extractPlanSteps(`Continue: step 3 — go\n${body}`)).toEqual([
      { number: 3, text: 'Create a.txt containing A' },
      { number: 4, text: 'Verify' },
    ]);
  });

  it('takes the text lines as steps when nothing is numbered', () => {
    expect(extractPlanSteps('Continue: verify the previous result')).toEqual([
      { number: 1, text: 'verify the previous result' },
    ]);
  });
});
