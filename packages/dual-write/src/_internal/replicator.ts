import {
  ConstraintError,
  TransientError,
  statementKind,
  type DatabaseAdapter,
  type ExecResult,
  type Row,
  type Statement,
} from '@switchyard/core';
import type { JournalEntry } from '../journal-types';
import type { RowRef } from '../mirror/row-ref';
import { writeTable } from './column-types';
import { statementTables } from './journal-book';
import type { ReplicatorParts, SecondaryWork, Step, TransactionRecord } from './replication-types';
import type { LockClaims } from './row-locks';
import { dedupeRefs, imageStatements, imagesOf, refOf, rowName } from './row-images';
import { isForeignKeyError } from './row-settle';
import { journalFailure } from './secondary-failure';
import { SecondaryWriteError } from '../secondary-write-error';
import { toError } from './to-error';
import { rowsReturned } from './returned-rows';
import { asWritten, isOutage } from './write-errors';
import type { Returned } from './secondary-applier';
import { planCapture, splitCaptured } from './write-capture';

export type { ReplicatorParts, SecondaryWork, Step, TransactionRecord } from './replication-types';

/**
 * The synchronous dual-write path: each write runs on the primary with its rows captured
 * (`RETURNING`), under in-process locks on the rows it names (or its table), and the
 * rows as the primary left them are applied to the secondary by key.
 */
export class Replicator {
  readonly #p: ReplicatorParts;

  constructor(parts: ReplicatorParts) {
    this.#p = parts;
  }

  /** How each statement replicates: its primary form captured, or its secondary form replayed. */
  async steps(
    primary: DatabaseAdapter,
    primaryForm: readonly Statement[],
    secondaryForm: readonly Statement[],
    via: DatabaseAdapter = primary,
  ): Promise<Step[]> {
    const steps: Step[] = [];
    for (const [i, statement] of primaryForm.entries()) {
      const kind = statementKind(statement.sql);
      let reason = kind === 'schema' ? 'a schema change' : kind === 'read' ? 'a read inside a batch' : undefined;
      if (!reason) {
        const plan = planCapture(statement, await this.#p.catalog.table(primary, writeTable(statement.sql) ?? '', via), primary.dialect);
        if (typeof plan !== 'string') {
          steps.push({ kind: 'capture', plan });
          continue;
        }
        reason = plan;
      }
      steps.push({ kind: 'replay', primary: statement, secondary: secondaryForm[i] ?? statement, reason });
    }
    return steps;
  }

  /** Locks a write holds: its named rows, or its tables whole. */
  claims(steps: readonly Step[]): LockClaims {
    const claims: LockClaims = { sharedTables: [], exclusiveTables: [], rows: [] };
    for (const step of steps) {
      if (step.kind === 'replay') {
        const tables = statementTables([step.primary]);
        if (step.reason === 'a read inside a batch') continue;
        claims.exclusiveTables.push(...tables.filter((t) => t !== '*'));
        continue;
      }
      const { plan } = step;
      if (plan.named) {
        claims.sharedTables.push(plan.table.name);
        claims.rows.push(...plan.named.map((r) => rowName(r.table, r.key)));
      } else if (plan.newRowsOnly) claims.sharedTables.push(plan.table.name);
      else claims.exclusiveTables.push(plan.table.name);
    }
    return claims;
  }

  /** Runs a write on the primary and then the secondary; returns the primary's results as the app expects them. */
  async write(
    kind: 'execute' | 'batch',
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    steps: Step[],
    label: string,
  ): Promise<ExecResult[]> {
    const { metrics, locks } = this.#p;
    const release = await locks.acquire(this.claims(steps));
    const later: (() => void)[] = [];
    try {
      const run = steps.map((s) => (s.kind === 'capture' ? s.plan.statement : s.primary));
      const started = metrics.now();
      let raw: ExecResult[];
      try {
        raw = kind === 'execute' ? [await primary.execute(run[0]!.sql, run[0]!.params ?? [])] : await primary.batch(run);
      } catch (error) {
        throw asWritten(error, steps);
      }
      metrics.recordPrimary(started);
      metrics.totalWrites++;
      const results: ExecResult[] = [];
      // Under verifyWrites the secondary's upserts return its rows, so only the primary is read again.
      const returning =
        this.#p.options.verifyWrites &&
        (await this.#returns(
          secondary,
          steps.map((s) => (s.kind === 'capture' ? s.plan.table.name : undefined)),
        ));
      const work: SecondaryWork = { label, statements: [], images: [], replays: [], returning };
      const pairs = await this.#p.settler
        .pairs(
          primary,
          secondary,
          steps.flatMap((s) => (s.kind === 'capture' ? [s.plan.table.name] : [])),
        )
        .catch((e: unknown) => e as Error);
      for (const [i, step] of steps.entries()) {
        if (step.kind === 'replay') {
          results.push(raw[i]!);
          if (step.reason === 'a read inside a batch') continue;
          this.#p.noteReplay(step.secondary.sql, step.reason);
          work.statements.push(step.secondary);
          work.replays.push(step.secondary);
          continue;
        }
        const { app, images: rows } = splitCaptured(step.plan, raw[i]!);
        results.push(app);
        let images = imagesOf(step.plan.table, rows, step.plan.parsed.verb === 'delete');
        if (step.plan.newRowsOnly && images.length > 0) {
          // New rows were not locked before they existed: lock them now, and if another
          // write got to one first, take the rows as they are now rather than as inserted.
          const taken = await this.#p.locks.acquireRows(images.map((img) => rowName(img.table, img.key)));
          later.push(taken.release);
          if (taken.waited) images = await this.#p.settler.current(primary, images.map(refOf));
        }
        work.images.push(...images);
        if (!(pairs instanceof Error)) work.statements.push(...imageStatements(images, pairs, primary.dialect, secondary, returning));
      }
      if (!(pairs instanceof Error)) work.pairs = pairs;
      metrics.replicatedByRow += steps.filter((s) => s.kind === 'capture').length;
      metrics.replicatedByStatement += work.replays.length;
      // A table the secondary lacks may be waiting for its CREATE in the journal: then the write waits too.
      if (pairs instanceof Error) {
        // The secondary's schema could not be read because it is not answering: the circuit's probe replays the entry once it does.
        if (isOutage(pairs)) this.#p.circuit.open(secondary, pairs.message);
        await journalFailure(
          this.#p,
          primary,
          secondary,
          work,
          pairs,
          this.#p.book.statementWaits(
            secondary,
            work.images.map((i) => i.table),
          ),
        );
      } else await this.toSecondary(primary, secondary, work);
      return results;
    } finally {
      for (const r of later) r();
      release();
    }
  }

  /**
   * After a primary transaction committed: settles the rows it wrote from the primary's
   * current state (read under the rows' locks, so a concurrent write's newer image is
   * never overwritten) and replays the statements it could not capture, first.
   */
  async afterTransaction(primary: DatabaseAdapter, secondary: DatabaseAdapter, recorded: TransactionRecord, label: string): Promise<void> {
    const refs = dedupeRefs(recorded.refs);
    const claims: LockClaims = {
      sharedTables: refs.map((r) => r.table),
      exclusiveTables: statementTables(recorded.replays).filter((t) => t !== '*'),
      rows: refs.map((r) => rowName(r.table, r.key)),
    };
    const release = await this.#p.locks.acquire(claims);
    try {
      this.#p.metrics.totalWrites++;
      this.#p.metrics.replicatedByRow += recorded.captured;
      this.#p.metrics.replicatedByStatement += recorded.replays.length;
      const returning =
        this.#p.options.verifyWrites &&
        recorded.replays.length === 0 &&
        (await this.#returns(
          secondary,
          refs.map((r) => r.table),
        ));
      const work: SecondaryWork = { label, statements: [...recorded.replays], images: [], replays: [...recorded.replays], returning };
      try {
        work.images = await this.#p.settler.current(primary, refs);
        const pairs = await this.#p.settler.pairs(
          primary,
          secondary,
          work.images.map((i) => i.table),
        );
        work.statements.push(...imageStatements(work.images, pairs, primary.dialect, secondary, returning));
        work.pairs = pairs;
      } catch (error) {
        if (isOutage(toError(error))) this.#p.circuit.open(secondary, toError(error).message);
        return await journalFailure(this.#p, primary, secondary, { ...work, images: [] }, toError(error), false, refs);
      }
      await this.toSecondary(primary, secondary, work);
    } finally {
      release();
    }
  }

  /**
   * What the secondary must run for writes recorded inside a primary transaction that is
   * still open: the statements it could not capture, then the captured rows by key. For an
   * asynchronous mirror, whose entry commits with the transaction.
   */
  async recordedWork(
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    record: TransactionRecord,
    tx: DatabaseAdapter,
  ): Promise<Statement[]> {
    const pairs = await this.#p.settler.pairs(
      primary,
      secondary,
      record.images.map((i) => i.table),
      tx,
    );
    this.#p.metrics.replicatedByRow += record.captured;
    this.#p.metrics.replicatedByStatement += record.replays.length;
    for (const r of record.replays) this.#p.noteReplay(r.sql, 'not a captured write');
    return [...record.replays, ...imageStatements(record.images, pairs, primary.dialect, secondary)];
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
    if (book.statementWaits(secondary, tables)) {
      return journalFailure(
        this.#p,
        primary,
        secondary,
        work,
        new SecondaryWriteError(
          `${secondary.name} has an earlier statement for ${tables.join(', ')} waiting in the journal; this write waits behind it.`,
          { primary: primary.name, secondary: secondary.name },
        ),
        true,
      );
    }
    if (circuit.isOpen(secondary)) {
      const status = circuit.status(secondary);
      return journalFailure(
        this.#p,
        primary,
        secondary,
        work,
        new TransientError(
          `${secondary.name} is not answering (${status.reason ?? 'circuit open'}); the write is journaled until it does.`,
        ),
        true,
      );
    }
    const started = metrics.now();
    let returned: Returned[];
    try {
      returned = await this.#apply(primary, secondary, work);
    } catch (error) {
      metrics.recordSecondary(started);
      const failure = toError(error);
      if (isOutage(failure)) {
        if (/secondaryTimeoutMs/.test(failure.message)) metrics.secondaryTimeouts++;
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
      return journalFailure(this.#p, primary, secondary, work, failure, false);
    }
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
      differing = refs.map((ref) => ({ ref, reason: `could not compare: ${toError(error).message}` }));
    }
    if (differing.length === 0) return;
    metrics.verificationFailures += differing.length;
    for (const d of differing) {
      events.emit({
        type: 'verification-failed',
        at: new Date(),
        sql: label,
        reason: `${d.ref.table} ${JSON.stringify(d.ref.key)}: ${d.reason}`,
        primary: { rowsAffected: 1 },
        secondary: { rowsAffected: 1 },
      });
    }
    try {
      await settler.resync(
        primary,
        secondary,
        differing.map((d) => d.ref),
        true,
      );
      metrics.divergencesSettled += differing.length;
    } catch (error) {
      await journalFailure(
        this.#p,
        primary,
        secondary,
        { label, statements: [], images: [], replays: [] },
        toError(error),
        false,
        differing.map((d) => d.ref),
      );
    }
  }

  async #apply(primary: DatabaseAdapter, secondary: DatabaseAdapter, work: SecondaryWork): Promise<Returned[]> {
    const { applier, settler } = this.#p;
    const onLate = (landed: boolean) => {
      // A write abandoned by its timeout: its rows may now be older than what later writes
      // left. They were journaled when it timed out, but that entry may have been replayed
      // before it landed: its rows are journaled again, and the replay settles them from the primary.
      if (landed && work.replays.length > 0) void this.#forgetLanded(work);
      if (!landed || work.images.length === 0) return this.#p.replaySoon();
      const late = new TransientError(
        `A write to ${secondary.name} landed after its secondaryTimeoutMs; its rows are settled from ${primary.name}.`,
      );
      void this.#p.book
        .append(secondary, { label: work.label, rows: dedupeRefs(work.images.map(refOf)) }, late, true)
        .catch(() => {})
        .then(() => this.#p.replaySoon());
    };
    // Writes of row images alone may share multi-row statements with concurrent ones.
    const rows =
      work.pairs && work.replays.length === 0
        ? { images: work.images, pairs: work.pairs, from: primary.dialect, returning: work.returning === true }
        : undefined;
    try {
      return await applier.apply(secondary, work.statements, onLate, rows);
    } catch (error) {
      if (!isForeignKeyError(error) || work.images.length === 0) throw error;
      // The backfill has not reached a parent yet: copy it from the primary, then try again.
      if ((await settler.copyParents(primary, secondary, work.images)) === 0) throw error;
      return await applier.apply(secondary, work.statements, onLate, rows);
    }
  }

  /** The secondary's upserts may return its rows as stored: every write is by image, and the side says so. */
  async #returns(secondary: DatabaseAdapter, tables: readonly (string | undefined)[]): Promise<boolean> {
    for (const table of new Set(tables))
      if (table === undefined || !(await this.#p.catalog.returnsStoredRows(secondary, table))) return false;
    return true;
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
