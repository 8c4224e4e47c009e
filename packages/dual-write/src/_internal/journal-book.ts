import { SwitchyardError, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { JournalEntry, ReplayResult, WriteJournal } from '../journal-types';
import { toError } from './to-error';

/**
 * The dual-write adapter's view of its journal: the entries waiting per target side
 * (counted once from a durable journal, then kept in step), appending failed writes
 * and replaying them in order. Callers hold the write queue.
 */
export class JournalBook {
  readonly journal: WriteJournal;
  readonly #pending = new Map<string, number>();
  #ready: Promise<void> | undefined;

  constructor(journal: WriteJournal) {
    this.journal = journal;
  }

  /** Counts what a durable journal already holds, once, before the first write. */
  ready(): Promise<void> {
    this.#ready ??= this.journal.entries().then(
      (entries) => {
        for (const e of entries) this.#bump(e.target, 1);
      },
      (error) => {
        this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }

  /** Entries waiting for a side. */
  pendingFor(side: DatabaseAdapter): number {
    return this.#pending.get(side.name) ?? 0;
  }

  /** Entries waiting for any side. */
  depth(): number {
    let depth = 0;
    for (const n of this.#pending.values()) depth += n;
    return depth;
  }

  /** Stores a write the side did not apply: one statement, or an atomic group. */
  async append(side: DatabaseAdapter, kind: 'single' | 'group', statements: Statement[], error: Error, deferred: boolean): Promise<JournalEntry> {
    const copy = statements.map((s) => ({ sql: s.sql, params: [...(s.params ?? [])] }));
    const entry = await this.journal.append({
      target: side.name,
      sql: kind === 'single' ? copy[0]!.sql : copy.map((s) => s.sql).join(';\n'),
      params: kind === 'single' ? copy[0]!.params : [],
      ...(kind === 'group' ? { statements: copy } : {}),
      error: error.message,
      at: new Date(),
      // A deferred write was never tried.
      attempts: deferred ? 0 : 1,
    });
    this.#bump(side.name, 1);
    return entry;
  }

  /**
   * Reapplies entries oldest first on the side `resolve` names, removes each that
   * succeeds, and stops at the first that fails again so order is kept.
   */
  async replay(resolve: (target: string) => DatabaseAdapter | undefined, names: readonly string[]): Promise<ReplayResult> {
    const entries = await this.journal.entries();
    let applied = 0;
    let error: Error | undefined;
    for (const entry of entries) {
      const target = resolve(entry.target);
      try {
        if (!target) {
          throw new SwitchyardError(
            'SECONDARY_WRITE_FAILED',
            `Journal entry ${entry.id} is for "${entry.target}", which names neither adapter (${names.join(', ')}). ` +
              'Create the dual-write adapter with adapters carrying the names the journal was written with.',
          );
        }
        if (entry.statements) await target.batch(entry.statements);
        else await target.execute(entry.sql, entry.params);
      } catch (e) {
        error = toError(e);
        // The attempt count is bookkeeping: failing to store it must not hide the replay error.
        await this.journal.recordAttempt(entry.id, error.message).catch(() => {});
        break;
      }
      await this.journal.remove(entry.id);
      this.#bump(entry.target, -1);
      applied++;
    }
    const result: ReplayResult = { applied, remaining: entries.length - applied };
    if (error) result.error = error;
    return result;
  }

  #bump(target: string, by: number): void {
    this.#pending.set(target, Math.max(0, (this.#pending.get(target) ?? 0) + by));
  }
}
