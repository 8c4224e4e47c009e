import { ConstraintError, SwitchyardError, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { JournalEntry, ReplayResult, WriteJournal } from '../journal-types';
import type { RowRef } from '../row-ref';
import { ANY_TABLE, tablesOf } from './journal-tables';
import { strandedSessions } from './stranded-writes';
import { toError } from './to-error';
import { isOutage } from './write-errors';
import { settleRowGroup } from './journal-row-groups';

/** What a journal entry must hold for one side: rows to settle, or statements to replay. */
export interface JournalPayload {
  label: string;
  rows?: RowRef[];
  statements?: Statement[];
}

/** Settles rows on a side from the primary's current state. */
export type Resync = (target: DatabaseAdapter, rows: RowRef[]) => Promise<void>;

/** The rows a statement entry the side refused would change there, to settle instead (see `refusedStatementRows`); `undefined`: none can be told. */
export type RowsInstead = (target: DatabaseAdapter, entry: JournalEntry) => Promise<RowRef[] | undefined>;

const ROW_GROUP = 500;

/**
 * The dual-write adapter's view of its journal. Row-image entries are settled from the
 * primary's current rows, so they never block anything and their order does not
 * matter. Statement entries keep statement order per table: while one waits, later
 * statements for its table (every table, for a schema change) wait behind it.
 */
export class JournalBook {
  readonly journal: WriteJournal;
  readonly #pending = new Map<string, number>();
  /** Statement entries waiting, by side and table. */
  readonly #statementTables = new Map<string, Map<string, number>>();
  /** Row entries waiting, by side and table. */
  readonly #rowTables = new Map<string, Map<string, number>>();
  readonly #ages = new Map<number, Date>();
  /** The entries counted, by id: each is counted once, however often it is seen. */
  readonly #known = new Map<number, JournalEntry>();
  #ready: Promise<void> | undefined;
  /** `ready()` has resolved: a write need not wait for it. */
  isReady = false;
  /** Set by `close()`: an entry appended now also names the sessions still running statements. */
  stopping = false;

  constructor(journal: WriteJournal) {
    this.journal = journal;
  }

  /** Counts what a durable journal already holds, once, before the first write. */
  ready(): Promise<void> {
    this.#ready ??= this.journal.entries().then(
      (entries) => {
        for (const e of entries) this.#track(e, 1);
        this.isReady = true;
      },
      (error) => {
        this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }

  pendingFor(side: DatabaseAdapter): number {
    return this.#pending.get(side.name) ?? 0;
  }

  depth(): number {
    let depth = 0;
    for (const n of this.#pending.values()) depth += n;
    return depth;
  }

  /** When the oldest waiting entry was written, or `null`. */
  oldest(): Date | null {
    let oldest: Date | null = null;
    for (const at of this.#ages.values()) if (!oldest || at < oldest) oldest = at;
    return oldest;
  }

  /** Whether a statement entry for one of these tables waits for the side. */
  statementWaits(side: DatabaseAdapter, tables: readonly string[]): boolean {
    return waitsIn(this.#statementTables.get(side.name), tables);
  }

  /** Whether a row entry for one of these tables waits for the side. */
  rowsWait(side: DatabaseAdapter, tables: readonly string[]): boolean {
    return tables.length > 0 && waitsIn(this.#rowTables.get(side.name), tables);
  }

  async append(side: DatabaseAdapter, payload: JournalPayload, error: Error, deferred: boolean): Promise<JournalEntry> {
    const statements = payload.statements?.map((s) => ({ sql: s.sql, params: [...(s.params ?? [])] }));
    const single = !payload.rows && statements?.length === 1;
    const fence = [...(side.abandonedSessions?.({ inFlight: this.stopping }) ?? []), ...strandedSessions(error)];
    const entry = await this.journal.append({
      ...(fence.length > 0 ? { fence } : {}),
      target: side.name,
      sql: single ? statements![0]!.sql : payload.label,
      params: single ? statements![0]!.params : [],
      ...(payload.rows ? { rows: payload.rows } : !single && statements ? { statements } : {}),
      error: error.message,
      at: new Date(),
      // A deferred write was never tried.
      attempts: deferred ? 0 : 1,
    });
    this.#track(entry, 1);
    return entry;
  }

  /** Removes an entry without applying it (after the user settled it by other means). */
  async discard(entry: JournalEntry): Promise<void> {
    await this.journal.remove(entry.id);
    this.#track(entry, -1);
  }

  /**
   * Applies entries oldest first on the side `resolve` names: consecutive row entries
   * together, through `resync`; statement entries one by one. A statement entry the side
   * refuses by a constraint is settled by the rows `rowsInstead` names, when it names
   * them; otherwise a failing statement entry holds back later entries for its table.
   * Everything else goes on, until a side stops answering (a lost connection, a timeout):
   * the rest then waits for the next replay. `touched` gets the tables (lower case, `*`
   * for any) of the entries applied.
   */
  async replay(
    resolve: (target: string) => DatabaseAdapter | undefined,
    names: readonly string[],
    resync: Resync,
    rowsInstead?: RowsInstead,
    touched?: Set<string>,
    fence?: (entries: readonly JournalEntry[]) => Promise<Error | undefined>,
  ): Promise<ReplayResult> {
    const entries = await this.refresh();
    // Sessions the entries name are ended before any is applied (see `JournalEntry.fence`).
    const unfenced = await fence?.(entries);
    if (unfenced) return { applied: 0, remaining: entries.length, error: unfenced };
    const blocked = new Set<string>();
    let applied = 0;
    let error: Error | undefined;
    const isBlocked = (target: string, tables: string[]) =>
      blocked.has(`${target}\u0000${ANY_TABLE}`) || tables.some((t) => blocked.has(`${target}\u0000${t}`));
    let group: JournalEntry[] = [];
    // Set when a side stopped answering: what is left waits for the next replay, rather
    // than being tried entry by entry against a side that is away, each try a timeout.
    let outage = false;
    const flushRows = async () => {
      const rows = group;
      group = [];
      if (rows.length === 0) return;
      const target = resolve(rows[0]!.target)!;
      const settled = await settleRowGroup(rows, {
        settle: (some) =>
          resync(
            target,
            some.flatMap((e) => e.rows!),
          ),
        done: async (some) => {
          for (const e of some) {
            await this.#done(e);
            for (const t of tablesOf(e)) touched?.add(t);
          }
        },
        failed: (e, failure) => this.journal.recordAttempt(e.id, failure.message).catch(() => {}),
      });
      applied += settled.applied;
      error ??= settled.error;
      outage ||= settled.outage;
    };
    for (const entry of entries) {
      if (outage) break;
      const target = resolve(entry.target);
      if (!target) {
        error ??= new SwitchyardError(
          'SECONDARY_WRITE_FAILED',
          `Journal entry ${entry.id} is for "${entry.target}", which names neither adapter (${names.join(', ')}). ` +
            'Create the dual-write adapter with adapters carrying the names the journal was written with.',
        );
        continue;
      }
      const tables = tablesOf(entry);
      if (isBlocked(entry.target, tables)) continue;
      if (entry.rows) {
        if (group.length > 0 && (group[0]!.target !== entry.target || group.length >= ROW_GROUP)) await flushRows();
        group.push(entry);
        continue;
      }
      await flushRows();
      try {
        if (entry.statements) await target.batch(entry.statements);
        else await target.execute(entry.sql, entry.params);
      } catch (e) {
        const failure = toError(e);
        if (failure instanceof ConstraintError && (await this.#settledInstead(target, entry, resync, rowsInstead))) {
          for (const t of tables) touched?.add(t);
          applied++;
          continue;
        }
        error ??= failure;
        for (const t of tables) blocked.add(`${entry.target}\u0000${t}`);
        await this.journal.recordAttempt(entry.id, failure.message).catch(() => {});
        outage = isOutage(failure);
        continue;
      }
      await this.#done(entry);
      for (const t of tables) touched?.add(t);
      applied++;
    }
    if (!outage) await flushRows();
    const result: ReplayResult = { applied, remaining: entries.length - applied };
    if (error) result.error = error;
    return result;
  }

  /**
   * The journal's entries as it holds them now, with the counts made to match: an entry
   * counted here but gone from a durable journal was removed by another instance's replay,
   * or by one of ours whose reply was lost (it would otherwise be counted for good, and
   * `switchPrimary()` refused); one there but not counted was written by another instance,
   * or by an append whose reply was lost.
   */
  async refresh(): Promise<JournalEntry[]> {
    // Counted before the read began, so committed before it: absent from it means removed.
    const counted = [...this.#known.values()];
    const entries = await this.journal.entries();
    const present = new Set(entries.map((e) => e.id));
    for (const e of counted) if (!present.has(e.id)) this.#track(e, -1);
    for (const e of entries) this.#track(e, 1);
    return entries;
  }

  /**
   * Settles from the primary the rows a statement entry the side refused would change,
   * and removes the entry; false (the entry stays, and holds back its tables) when they
   * cannot be told or the settle fails too.
   */
  async #settledInstead(
    target: DatabaseAdapter,
    entry: JournalEntry,
    resync: Resync,
    rowsInstead: RowsInstead | undefined,
  ): Promise<boolean> {
    if (!rowsInstead) return false;
    try {
      const rows = await rowsInstead(target, entry);
      if (!rows) return false;
      if (rows.length > 0) await resync(target, rows);
    } catch {
      return false;
    }
    await this.#done(entry);
    return true;
  }

  async #done(entry: JournalEntry): Promise<void> {
    await this.journal.remove(entry.id);
    this.#track(entry, -1);
  }

  #track(entry: JournalEntry, by: 1 | -1): void {
    const counted = this.#known.has(entry.id);
    if (by > 0 ? counted : !counted) return;
    if (by > 0) this.#known.set(entry.id, entry);
    else this.#known.delete(entry.id);
    this.#pending.set(entry.target, Math.max(0, (this.#pending.get(entry.target) ?? 0) + by));
    if (by > 0) this.#ages.set(entry.id, entry.at);
    else this.#ages.delete(entry.id);
    const byTable = entry.rows ? this.#rowTables : this.#statementTables;
    let waiting = byTable.get(entry.target);
    if (!waiting) byTable.set(entry.target, (waiting = new Map()));
    for (const table of tablesOf(entry)) {
      const n = (waiting.get(table) ?? 0) + by;
      if (n > 0) waiting.set(table, n);
      else waiting.delete(table);
    }
  }
}

/** Whether `waiting` (entries by table) holds one for any of `tables`, or one for every table. */
function waitsIn(waiting: Map<string, number> | undefined, tables: readonly string[]): boolean {
  if (!waiting || waiting.size === 0) return false;
  return waiting.has(ANY_TABLE) || tables.some((t) => waiting.has(t.toLowerCase()));
}
