/**
 * The token usage both panes' CLIs record, as the session reads it (issue 22): one usage ledger per role for as long
 * as the session lives (a CLI started again keeps writing in the same folder; a switched CLI gets a ledger of its
 * own kind), read at each mark, at each turn's end and at a task's end. The calls read go to the running task's
 * sink; read while no task runs (the primers, before the first task), they wait for the next one.
 */
import type { Role } from '../protocol/types.ts';
import type { UsageLedger } from '../reading/usage-ledger.ts';
import type { AttributedCall } from '../usage/types.ts';

/** Takes the calls read (a task's usage recorder). */
export type UsageSink = (calls: AttributedCall[]) => Promise<void>;

export class UsageFeed {
  private readonly ledgers: Partial<Record<Role, { ledger: UsageLedger; key: unknown }>> = {};
  /** Roles whose CLI records no usage poli can read, with the CLI's name. */
  private readonly unread: Partial<Record<Role, string>> = {};
  private pending: AttributedCall[] = [];
  private sink: UsageSink | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly debug?: (message: string) => void) {}

  /**
   * The ledger of `role`'s CLI, made (and started) by `make` unless the role already has one for the same `key`
   * (the CLI's transcript source): a restarted CLI keeps the ledger, a switched one gets a new one.
   */
  ledgerFor(role: Role, cli: string, key: unknown, make: () => UsageLedger | undefined): void {
    if (this.ledgers[role]?.key === key && this.unread[role] === undefined) return;
    const ledger = make();
    if (!ledger) {
      delete this.ledgers[role];
      this.unread[role] = cli;
      return;
    }
    delete this.unread[role];
    this.ledgers[role] = { ledger, key };
    ledger.start().catch((error: unknown) => this.debug?.(`usage ledger of the ${role} did not start: ${String(error)}`));
  }

  /** What is unknown for lack of a ledger, in words: "EXECUTER (aider) records no usage". */
  notes(): string[] {
    return Object.entries(this.unread).map(([role, cli]) => `${role} (${cli}) records no usage poli can read`);
  }

  /** The running task takes the calls from now on (and those read before it); returns how to let go. */
  attach(sink: UsageSink): () => void {
    this.sink = sink;
    return () => {
      if (this.sink === sink) this.sink = undefined;
    };
  }

  /**
   * Reads both ledgers and hands what is new to the task. Never throws: usage is an account of the work, and a
   * transcript poli cannot read must not stop it (the cause goes to the debug log).
   */
  poll(): Promise<void> {
    const step = async () => {
      for (const [role, entry] of Object.entries(this.ledgers)) {
        const calls = await entry.ledger.read().catch((error: unknown) => {
          this.debug?.(`usage of the ${role} not read: ${String(error)}`);
          return [];
        });
        this.pending.push(...calls);
      }
      if (!this.sink || this.pending.length === 0) return;
      const calls = this.pending.splice(0);
      await this.sink(calls).catch((error: unknown) => this.debug?.(`usage not recorded: ${String(error)}`));
    };
    this.queue = this.queue.then(step, step);
    return this.queue;
  }
}
