import { ConstraintError, TransientError, type DatabaseAdapter, type Row } from '@switchyard/core';
import type { JournalEntry } from '../journal-types';
import type { RowRef } from '../row-ref';
import { statementTables } from './journal-tables';
import type { ReplicatorParts, SecondaryWork } from './replication-types';
import { refOf } from './row-images';
import { isForeignKeyError } from './row-settle';
import { isUniqueViolation } from './unique-displace';
import { journalFailure, journalToSettle, journalUnsent, workRefs } from './secondary-failure';
import { failedReading } from './failed-side';
import { SecondaryWriteError } from '../secondary-write-error';
import { toError } from './to-error';
import { rowsReturned } from './returned-rows';
import { isOutage } from './write-errors';
import type { Returned } from './secondary-applier';
import { addUpdatedDependents } from './update-cascade-rows';
import { updateRelatives } from './update-actions';
import { addMovedDependents } from './key-move-rows';
import { RelatedFlights } from './related-flights';
import { recheckParents } from './parent-recheck';
import { timedOut } from './time-allowance';
import { CommittingRows } from './committing-rows';

/**
 * Delivery of one write's work to the secondary for the synchronous path: journaled,
 * applied, settled on a constraint refusal, and verified.
 */
export class SecondaryDelivery {
  readonly #p: ReplicatorParts;
  readonly #flights = new RelatedFlights();
  /** Rows this process's transactions committed on the primary and have yet to settle. */
  readonly committing = new CommittingRows();

  constructor(parts: ReplicatorParts) {
    this.#p = parts;
  }

  /**
   * Sends one write's work to the secondary: journaled at once when the side's circuit
   * is open or a statement for one of its tables waits in the journal; otherwise applied
   * (grouped with concurrent writes), with missing parents copied first and a
   * constraint refusal settled from the primary; verified under `verifyWrites`.
   */
  async toSecondary(primary: DatabaseAdapter, secondary: DatabaseAdapter, work: SecondaryWork): Promise<void> {
    const { book, circuit, settler, metrics, options, events } = this.#p;
    if (work.statements.length === 0) return;
    const tables = [...new Set([...work.images.map((i) => i.table), ...statementTables(work.replays).filter((t) => t !== '*')])];
    const waitsBehind = (what: string) =>
      journalFailure(
        this.#p,
        primary,
        secondary,
        work,
        new SecondaryWriteError(`${secondary.name} has ${what} waiting in the journal; this write waits behind it.`, {
          primary: primary.name,
          secondary: secondary.name,
        }),
        true,
      );
    if (book.statementWaits(secondary, tables))
      return waitsBehind(tables.length > 0 ? `an earlier statement for ${tables.join(', ')}` : 'an earlier statement');
    const relatives = this.#p.catalog.derivedNow(primary, updateRelatives);
    const related = [...new Set(tables.flatMap((t) => [...(relatives?.get(t.toLowerCase()) ?? [])]))];
    if (book.rowsWait(secondary, related)) {
      // A parent's journaled rename may not be on the secondary yet: a row written under the
      // new value now would reference a value the replay never sees renamed there. A child's
      // journaled row is not there for a rename's lookup to find and move. Journaled, the
      // write is settled in order with them, from the primary's current rows.
      this.#p.replaySoon();
      return waitsBehind(`rows of ${related.join(', ')}, tied to ${tables.join(', ')} by foreign key actions,`);
    }
    if (circuit.isOpen(secondary)) return journalFailure(this.#p, primary, secondary, work, circuit.notAnswering(secondary), true);
    // Asked only of a secondary that answers: an ask it does not answer would hold a connection.
    this.#p.triggers.note(secondary, tables);
    const started = metrics.now();
    let returned: Returned[];
    // Only writes that foreign key actions tie to other tables are tracked in flight.
    const flight = related.length > 0 ? this.#flights.begin(secondary.name, tables, related, workRefs(work)) : undefined;
    try {
      returned = await this.#apply(primary, secondary, work);
    } catch (error) {
      this.#flights.end(secondary.name, flight);
      metrics.recordSecondary(started);
      const failure = toError(error);
      if (isOutage(failure)) {
        if (timedOut(failure)) metrics.secondaryTimeouts++;
        circuit.open(secondary, failure.message);
      } else if (
        failure instanceof ConstraintError &&
        options.takePrimaryOnConflict &&
        work.images.length > 0 &&
        work.replays.length === 0
      ) {
        // Settled from the primary's current rows, read under lock so another instance's write lands after.
        try {
          await settler.resync(primary, secondary, work.images.map(refOf), true);
          metrics.secondaryConflictsResolved++;
          metrics.successfulDualWrites++;
          events.emit({
            type: 'secondary-conflict',
            at: new Date(),
            target: secondary.name,
            sql: work.label,
            error: failure,
            rows: work.images.map(refOf),
          });
          return;
        } catch {
          // The journal keeps the original error.
        }
      }
      // Related writes sent meanwhile may have landed: their rows are settled with this write's.
      const rows = flight && flight.overlapped.length > 0 ? [...workRefs(work), ...flight.overlapped] : undefined;
      return journalFailure(this.#p, primary, secondary, work, failure, false, rows);
    }
    this.#flights.end(secondary.name, flight);
    metrics.recordSecondary(started);
    metrics.successfulDualWrites++;
    if (options.verifyWrites && work.images.length > 0) {
      const known = work.returning && work.pairs ? rowsReturned(work.images, returned, work.pairs) : undefined;
      await this.verify(primary, secondary, work.images.map(refOf), work.label, known);
    }
  }

  /** Compares the rows on both sides; a difference is counted, reported, and settled from the primary. */
  async verify(
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    refs: RowRef[],
    label: string,
    known?: ReadonlyMap<string, Row | null>,
  ): Promise<void> {
    const { settler, metrics, events } = this.#p;
    let differing: { ref: RowRef; reason: string }[];
    try {
      differing = await settler.differences(primary, secondary, refs, known);
    } catch (error) {
      // Nothing was compared while the primary does not answer: its rows are settled once it does.
      if (failedReading(error, primary)) return void (await journalToSettle(this.#p, primary, secondary, label, refs, toError(error)));
      differing = refs.map((ref) => ({ ref, reason: `could not compare: ${toError(error).message}` }));
    }
    // A row a transaction of this process committed since is the primary ahead, not a divergence: its settle follows.
    differing = differing.filter((d) => !this.committing.has(d.ref));
    if (differing.length === 0) return;
    let diverged = differing;
    try {
      // Compared again under the primary's row locks, and settled: a row the secondary holds as the
      // primary does by then (another instance's write to it landed meanwhile) was the primary ahead.
      diverged = await settler.settleDiffering(
        primary,
        secondary,
        differing.map((d) => d.ref),
      );
      metrics.divergencesSettled += diverged.length;
    } catch (error) {
      await journalUnsent(
        this.#p,
        primary,
        secondary,
        { label, statements: [], images: [], replays: [] },
        toError(error),
        false,
        differing.map((d) => d.ref),
      );
    }
    metrics.verificationFailures += diverged.length;
    for (const d of diverged) {
      events.emit({
        type: 'verification-failed',
        at: new Date(),
        sql: label,
        reason: `${d.ref.table} ${JSON.stringify(d.ref.key)}: ${d.reason}`,
        primary: { rowsAffected: 1 },
        secondary: { rowsAffected: 1 },
      });
    }
  }

  async #apply(primary: DatabaseAdapter, secondary: DatabaseAdapter, work: SecondaryWork): Promise<Returned[]> {
    const { applier, settler } = this.#p;
    const onLate = async (landed: boolean): Promise<void> => {
      // A write abandoned by its timeout: its rows may now be older than what later writes
      // left. They were journaled when it timed out, but that entry may have been replayed
      // before it landed: its rows are journaled again, and the replay settles them from the
      // primary. A failure seen here does not mean it did not land: the connection may have
      // been given up on our side only, so its rows are journaled again all the same, and the
      // replay first fences the secondary's abandoned sessions (`fenceAbandoned`).
      if (landed && work.replays.length > 0) void this.#forgetLanded(work);
      if (work.images.length === 0) return this.#p.replaySoon();
      const late = new TransientError(
        landed
          ? `A write to ${secondary.name} landed after its secondaryTimeoutMs; its rows are settled from ${primary.name}.`
          : `A write to ${secondary.name} abandoned after its secondaryTimeoutMs ended without a reply; its rows are settled from ${primary.name}.`,
      );
      await journalToSettle(this.#p, primary, secondary, work.label, workRefs(work), late);
    };
    recheckParents(this.#p, primary, work);
    const updated = await addUpdatedDependents(this.#p, primary, secondary, work);
    const added = (await addMovedDependents(this.#p, primary, secondary, work)) || updated;
    // Writes of row images alone may share multi-row statements with concurrent ones (not
    // with rows an ON UPDATE action changed, which must follow their parent's).
    const rows =
      !added && work.pairs && work.replays.length === 0
        ? { images: work.images, pairs: work.pairs, from: primary.dialect, returning: work.returning === true }
        : undefined;
    try {
      return await applier.apply(secondary, work.statements, onLate, rows, work.replayedRows);
    } catch (error) {
      if (work.images.length === 0) throw error;
      if (isForeignKeyError(error)) {
        // The backfill has not reached a parent yet: copy it from the primary, then try again.
        if ((await settler.copyParents(primary, secondary, work.images)) === 0) throw error;
      } else if (isUniqueViolation(error) && this.#p.options.takePrimaryOnConflict) {
        // A row the primary's REPLACE deleted, or one whose unique value moved: settled first.
        const blockers = await settler.settleBlockers(primary, secondary, work.images);
        if (blockers.length === 0) throw error;
        this.#p.metrics.secondaryConflictsResolved++;
        const at = new Date();
        this.#p.events.emit({
          type: 'secondary-conflict',
          at,
          target: secondary.name,
          sql: work.label,
          error: toError(error),
          rows: blockers,
        });
      } else throw error;
      return await applier.apply(secondary, work.statements, onLate, rows, work.replayedRows);
    }
  }

  /**
   * Whether the secondary's upserts return its rows for `verifyWrites`: every statement
   * upserts row images (`undefined`: one does not), and on Postgres the catalog said no
   * table has anything that changes rows after a statement. Never waits on the side.
   */
  returns(secondary: DatabaseAdapter, tables: readonly (string | undefined)[]): boolean {
    if (!this.#p.options.verifyWrites || tables.includes(undefined)) return false;
    if (secondary.dialect !== 'postgres') return true;
    let all = true;
    // Every table is asked, so each one's answer is on its way for the next write.
    for (const table of new Set(tables)) if (!this.#p.catalog.returnsStoredRows(secondary, table!)) all = false;
    return all;
  }

  /** A statement journaled after its timeout that landed after all must not run twice. */
  async #forgetLanded(work: SecondaryWork): Promise<void> {
    const entries = await this.#p.book.journal.entries().catch(() => [] as JournalEntry[]);
    const sql = work.replays.length === 1 ? work.replays[0]!.sql : undefined;
    const match = entries.find(
      (e) => !e.rows && (sql ? e.sql === sql && e.params.length === (work.replays[0]!.params ?? []).length : e.sql === work.label),
    );
    if (match) await this.#p.book.discard(match).catch(() => {});
  }
}
