/**
 * One-line progress output while a task runs: elapsed time, round, whose turn, and what happened.
 * Pure formatting; the caller decides where lines go.
 */
import type { DialogueMessage } from '../dialogue/machine.ts';
import type { Role } from '../protocol/types.ts';

/** `[1:05]` — minutes and seconds since the task started. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `[${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}]`;
}

/**
 * `[0:04] r1 EXECUTER working · plan sent to EXECUTER (round 1)`; `held`: the CLI cannot work now (a usage limit, a
 * login), `[0:04] r1 EXECUTER waiting · …`.
 */
export function formatProgress(elapsedMs: number, round: number, waitingFor: Role | null, text: string, held = false): string {
  const who = waitingFor ? `${waitingFor} ${held ? 'waiting' : 'working'}` : 'done';
  return `${formatElapsed(elapsedMs)} r${round} ${who} · ${text}`;
}

/** `in 1:05`, `in 2h 05m`: how long until a time, for waits. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 3600) return `in ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return `in ${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * `[0:02] r0 PLANNER → EXECUTER plan: 1. Create hello.txt containing Hello`; with a `note`,
 * `[0:02] r0 PLANNER → EXECUTER plan (rejected by you, not forwarded): …`.
 */
export function formatMessage(elapsedMs: number, round: number, message: DialogueMessage, note?: string): string {
  const what = note ? `${message.type} (${note})` : message.type;
  return `${formatElapsed(elapsedMs)} r${round} ${message.from} → ${message.to} ${what}: ${summarizeBody(message.body)}`;
}

/** The first line of a body that says something (skips blank lines and bare tags like `<PLAN>`). */
export function summarizeBody(body: string, max = 100): string {
  const lines = body.split('\n').map((l) => l.trim());
  const line = lines.find((l) => l !== '' && !/^<\/?[A-Z_]+>$/.test(l)) ?? lines.find((l) => l !== '') ?? '(empty)';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
