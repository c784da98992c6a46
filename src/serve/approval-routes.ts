/**
 * Approvals from the dashboard (issue 21): the messages that wait for the person (`--approve`), and their decision.
 * The files under `<state dir>/approvals/` (src/human/approval-files.ts) are shared with the poli that asks, so the
 * first answer — terminal or web — wins.
 */
import type { FastifyInstance } from 'fastify';
import { decide, type ApprovalDecision } from '../human/approval-files.ts';
import type { ServeContext } from './context.ts';
import { HttpError } from './http-errors.ts';
import { APPROVAL_PARAMS, DECISION_BODY } from './schemas.ts';

interface DecisionBody {
  action: 'approve' | 'edit' | 'reject';
  body?: string;
  reason?: string;
}

export function registerApprovalRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post<{ Params: { task: string; id: string }; Body: DecisionBody }>(
    '/api/approvals/:task/:id',
    { schema: { params: APPROVAL_PARAMS, body: DECISION_BODY } },
    async (request) => {
      const { task, id } = request.params;
      const outcome = await decide(ctx.stateDir, task, id, toDecision(request.body, ctx.now()));
      if (outcome === 'already-decided') throw new HttpError(409, 'already-decided', `${id} of ${task} was decided already (at poli's terminal or in another window)`);
      if (outcome === 'not-pending') throw new HttpError(404, 'not-pending', `${id} of ${task} does not wait for an approval (GET /api/approvals lists those that do)`);
      return { decided: true };
    },
  );
}

/** The decision as the approval files keep it; an edit needs its body, and only an edit or a reject carries text. */
export function toDecision(body: DecisionBody, now: number): ApprovalDecision {
  const at = new Date(now).toISOString();
  switch (body.action) {
    case 'approve':
      return { action: 'approve', by: 'web', at };
    case 'edit':
      if (body.body === undefined || body.body.trim() === '') throw new HttpError(400, 'bad-request', 'an edit needs the message as it should go: {"action": "edit", "body": "…"}');
      return { action: 'edit', body: body.body, by: 'web', at };
    case 'reject':
      return { action: 'reject', ...(body.reason !== undefined && body.reason.trim() !== '' ? { reason: body.reason } : {}), by: 'web', at };
  }
}
