/**
 * A CLI whose program exited: the session's handler restarts and primes it (or not), and the pending message is typed
 * again into the restarted CLI under the same id; a CLI that is not restarted fails the task with its last lines.
 */
import type { Role } from '../protocol/types.ts';
import { describeExit } from '../tmux/server.ts';
import type { DialogueCore } from './core.ts';

/**
 * Checks both panes; re-sends the pending message to a restarted CLI. True when it did (the loop starts over);
 * a pane that died and was not restarted fails the task.
 */
export async function watchRestarts(d: DialogueCore): Promise<boolean> {
  const restarted = await checkLiveness(d);
  if (d.state.status !== 'running') return false;
  const turn = d.turn;
  if (!restarted || !turn || !d.state.pending || !restarted.includes(turn.role)) return false;
  await d.apply({ kind: 'resend' });
  d.turn = await d.startTurn(turn.role, turn.id, turn.text, turn.sentType);
  await d.channels[turn.role].submit(turn.text);
  d.notice('progress', `re-sent message ${turn.id} to the restarted ${turn.role}`, turn.id);
  return true;
}

/** Returns the roles whose CLI was restarted, or null when both are alive (or one died for good: the task failed). */
export async function checkLiveness(d: DialogueCore): Promise<Role[] | null> {
  const panes = await d.channels.liveness();
  const restarted: Role[] = [];
  for (const role of ['PLANNER', 'EXECUTER'] as const) {
    const info = panes.find((p) => p.paneId === d.channels[role].paneId);
    if (!info || !info.dead) continue;
    const ok = d.options.onPaneDied ? await d.options.onPaneDied(role, info) : false;
    if (!ok) {
      const lines = await d.channels[role].lastLines(15).catch(() => '(screen unavailable)');
      await d.apply({
        kind: 'fail',
        reason: `the ${role} CLI in pane ${info.paneId} ${describeExit(info)}. Last lines of its screen:\n${lines}`,
      });
      return null;
    }
    restarted.push(role);
  }
  return restarted.length > 0 ? restarted : null;
}
