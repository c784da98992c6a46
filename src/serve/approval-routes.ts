/**
 * Approvals from the dashboard (issue 21): the messages that wait for the person (`--approve`), and their decision.
 * The files under `<state dir>/approvals/` (src/human/approval-files.ts) are shared with the poli that asks, so the
 * first answer — terminal or web — wins.
 */
import type { FastifyInstance } from 'fastify';
import { decide, parseDecision } from '../human/approval-files.ts';
import type { ServeContext } from './context.ts';
import { HttpError } from './http-errors.ts';
import { APPROVAL_PARAMS, DECISION_BODY } from './schemas.ts';

export function registerApprovalRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post<{ Params: { task: string; id: string }; Body: unknown }>(
    '/api/approvals/:task/:id',
    { schema: { params: APPROVAL_PARAMS, body: DECISION_BODY } },
    async (request) => {
      const { task, id } = request.params;
      // An edit without its body, a reject without a reason: InvalidDecisionError, a 400.
      const decision = parseDecision(request.body);
      const outcome = await decide(ctx.stateDir, task, id, decision, { by: 'web', clock: { now: ctx.now }, pid: ctx.pid });
      if (outcome === 'already-decided') throw new HttpError(409, 'already-decided', `${id} of ${task} was decided already (at poli's terminal or in another window)`);
      if (outcome === 'not-pending') throw new HttpError(404, 'not-pending', `${id} of ${task} does not wait for an approval (GET /api/approvals lists those that do)`);
      return { decided: true };
    },
  );
}
