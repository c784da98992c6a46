/** Turning task text into plan steps and plan bodies back into steps. Pure. */

/** One numbered step of a plan. */
export interface PlanStep {
  number: number;
  text: string;
}

/**
 * Splits a task into steps: on sentence ends, `;`, ` then ` and line breaks, never inside double quotes.
 * Existing numbering or bullets and a leading "then"/"and then" are dropped, as is a sentence's final period.
 * `Create hello.txt containing Hello` gives the single step `Create hello.txt containing Hello`.
 */
export function splitTaskIntoSteps(task: string): string[] {
  const steps = splitOutsideQuotes(task)
    .map((part) =>
      part
        .trim()
        .replace(/^(\d+[.)]|[-*•])\s+/, '')
        .replace(/^(and\s+)?then\s+/i, '')
        .replace(/[.,]$/, '')
        .trim(),
    )
    .filter((part) => part !== '');
  return steps.map((step) => step.charAt(0).toUpperCase() + step.slice(1));
}

/** `<PLAN>` + numbered steps + `</PLAN>`, numbering from `first`. */
export function formatPlan(steps: readonly string[], first = 1): string {
  return ['<PLAN>', ...steps.map((step, i) => `${first + i}. ${step}`), '</PLAN>'].join('\n');
}

/**
 * Reads the steps of a plan/continue/revision body: its numbered lines, or when there are none, its other
 * text lines (a `Continue:`/`Revision:` label removed), numbered from 1.
 */
export function extractPlanSteps(body: string): PlanStep[] {
  const lines = body.split('\n');
  const numbered: PlanStep[] = [];
  for (const line of lines) {
    const match = /^\s*(\d+)[.)]\s+(.+?)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) numbered.push({ number: Number(match[1]), text: match[2] });
  }
  if (numbered.length > 0) return numbered;
  return lines
    .map((line) => line.replace(/<\/?PLAN>/gi, '').replace(/^\s*(continue|revision)\s*:\s*/i, '').trim())
    .filter((line) => line !== '')
    .map((text, i) => ({ number: i + 1, text }));
}

function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '"') quoted = !quoted;
    if (!quoted) {
      if (ch === '\n' || ch === ';') {
        parts.push(current);
        current = '';
        continue;
      }
      // A sentence ends at . ! ? before a blank, unless it is a list number like `1. `.
      if (/[.!?]/.test(ch) && /\s/.test(text[i + 1] ?? '') && !/^\s*\d+$/.test(current)) {
        parts.push(current + ch);
        current = '';
        continue;
      }
      const then = /^,?\s+then\s+/i.exec(text.slice(i));
      if (then !== null && (ch === ' ' || ch === ',')) {
        parts.push(current);
        current = '';
        i += then[0].length - 1;
        continue;
      }
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}
