import type { DatabaseAdapter, ExecResult, Statement } from '@switchyard/core';
import { dualWriteKind, READ_IN_BATCH, replicatesNothing } from './primary-only';
import { capturedImages, type CapturedRows } from '../mirror/outbox-captured';
import { ddlTable, writeTable } from './column-types';
import type { ReplicatorParts, SecondaryWork, SideStatement, Step, TransactionRecord } from './replication-types';
import type { RowRef } from '../row-ref';
import { imageStatements, imagesOf, refOf, rowName, type RowImage } from './row-images';
import { SecondaryDelivery } from './secondary-delivery';
import { journalUnsent } from './secondary-failure';
import { refillGenerated } from './table-refill';
import { schemaReason } from './generated-on-alter';
import { translatedReason } from './translated-definitions';
import { readOnce } from './translated-forms';
import { replayedForms, WRITTEN_AFTER_DEFINITION } from './pinned-insert-keys';
import { storedAlready, storedImages } from './stored-images';
import { captureForMirror, type MirrorHandOff } from './mirror-capture';
import { runSteps } from './write-errors';
import { planCapture, splitCaptured } from './write-capture';
import { missingTableReason } from './view-writes';
import { sharedNameReason } from './shared-table-names';
import { readAfterCommit, settleUnsure, unsureOfSteps, unsureOfTransaction } from './primary-unsure';
import { addDependents } from './cascade-rows';
import { appResult, movedNothing } from './key-move-rows';
import { settleContended } from './contended-rows';
import { claimsOf } from './write-claims';
import { HeldRows } from './row-locks';
import { pairsOrWhyNot } from './table-pairs';
import { settleTransaction } from './transaction-settle';
import { definesTables, mirrorTables, primaryTables } from './mirror-pairs';

export type { ReplicatorParts, Step, TransactionRecord } from './replication-types';

/** The table a `CREATE TABLE` or `ALTER TABLE` makes or changes the columns of (an index changes none). */
const columnsChanged = (sql: string) => (/^\s*(?:create|alter)\s+(?:(?:temp|temporary)\s+)?table\b/i.test(sql) ? ddlTable(sql) : undefined);

/**
 * The tables whose columns a write of several statements changes: every write of it to one
 * is replayed (see WRITTEN_AFTER_DEFINITION), one before the change too, whose captured row
 * would be read at the end of the batch with the columns it had before.
 */
function definedTables(primaryForm: readonly Statement[], secondaryForm: readonly SideStatement[]): Set<string> {
  const defined = new Set<string>();
  if (primaryForm.length < 2) return defined;
  for (const [i, statement] of primaryForm.entries()) {
    if (secondaryForm[i]?.idle || dualWriteKind(statement.sql) !== 'schema') continue;
    const named = columnsChanged(statement.sql);
    if (named) defined.add(named.toLowerCase());
  }
  return defined;
}

/**
 * The synchronous dual-write path: each write runs on the primary with its rows captured
 * (`RETURNING`), under in-process locks on the rows it names (or its table), and the
 * rows as the primary left them are applied to the secondary by key.
 */
export class Replicator {
  readonly #p: ReplicatorParts;
  readonly #delivery: SecondaryDelivery;

  constructor(parts: ReplicatorParts) {
    this.#p = parts;
    this.#delivery = new SecondaryDelivery(parts);
  }

  /** How each statement replicates: its primary form captured, or its secondary form replayed. */
  async steps(
    primary: DatabaseAdapter,
    primaryForm: readonly Statement[],
    secondaryForm: readonly SideStatement[],
    via: DatabaseAdapter = primary,
  ): Promise<Step[]> {
    const steps: Step[] = [];
    // A primary with transactions runs such a batch as one (see `writesInTransaction`).
    const defined = primary.capabilities.transactions ? new Set<string>() : definedTables(primaryForm, secondaryForm);
    for (const [i, statement] of primaryForm.entries()) {
      const kind = dualWriteKind(statement.sql);
      const secondary: SideStatement = secondaryForm[i] ?? statement;
      const { idle } = secondary;
      const named = kind === 'write' && defined.size > 0 ? writeTable(statement.sql) : undefined;
      if (named && !idle && defined.has(named.toLowerCase())) {
        steps.push({ kind: 'replay', primary: statement, secondary, reason: WRITTEN_AFTER_DEFINITION });
        continue;
      }
      // A change to text is judged by the old types, which only a read before it runs can see.
      if (kind === 'schema' && !idle) await this.#p.catalog.readTextConversions(primary, [statement.sql, secondary.sql], via);
      let reason = idle ?? (secondary.translation ? translatedReason(secondary.translation) : kind === 'read' ? READ_IN_BATCH : undefined);
      if (kind === 'schema') reason ??= schemaReason(statement.sql, this.#p.options.mirror, this.#p.catalog.textIsFixed);
      if (!reason) {
        const name = writeTable(statement.sql) ?? '';
        // Known tables are looked up without a turn of the event loop: this runs on every write.
        const table = this.#p.catalog.peek(primary, name) ?? (await this.#p.catalog.table(primary, name, via));
        const shared = this.#p.catalog.sharedName(primary, name);
        const plan = shared ? sharedNameReason(name, shared) : planCapture(statement, table, primary.dialect);
        if (typeof plan !== 'string') {
          steps.push({ kind: 'capture', plan });
          continue;
        }
        reason = table || !name ? plan : await missingTableReason(primary, name, via);
      }
      steps.push({ kind: 'replay', primary: statement, secondary, reason });
    }
    return steps;
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
    const claims = claimsOf(steps);
    const release = await locks.acquire(claims);
    const later: (() => void)[] = [];
    let held: HeldRows | undefined;
    let tablesAfter: ReturnType<typeof readOnce> | undefined;
    const work: SecondaryWork = { label, statements: [], images: [], replays: [], claims };
    try {
      const started = metrics.now();
      // A capture the app repeats skips the primary's planning, as the app's own text would under a driver that prepares.
      const first = steps[0]!;
      if (kind === 'execute' && first.kind === 'capture' && first.plan.repeated) primary.keepPrepared?.(first.plan.statement.sql);
      // A lost connection may have lost the reply, not the write: what it names is settled later.
      const raw = await runSteps(kind, primary, steps).catch(async (error: unknown) => {
        await settleUnsure(this.#p, primary, secondary, unsureOfSteps(steps, label), error);
        throw error;
      });
      metrics.recordPrimary(started);
      metrics.totalWrites++;
      const results: ExecResult[] = [];
      // Under verifyWrites the secondary's upserts return its rows, so only the primary is read again.
      const returning = this.#delivery.returns(
        secondary,
        steps.map((s) => (s.kind === 'capture' && s.plan.parsed.verb !== 'delete' ? s.plan.table.name : undefined)),
      );
      work.returning = returning;
      const captured = steps.flatMap((s) => (s.kind === 'capture' ? [s.plan.table.name] : []));
      const pairs = this.#p.settler.pairsNow(primary, secondary, captured) ?? (await pairsOrWhyNot(this.#p, primary, secondary, captured));
      for (const [i, step] of steps.entries()) {
        if (step.kind === 'replay') {
          results.push(appResult(step, raw[i]!, work));
          if (replicatesNothing(step) || movedNothing(step, raw[i]!)) continue;
          const forms = await replayedForms(this.#p, (tablesAfter ??= readOnce(primary)), step, raw[i]!, secondary.dialect);
          work.statements.push(...forms);
          work.replays.push(...forms);
          work.replayedRows = (work.replayedRows ?? 0) + raw[i]!.rowsAffected;
          continue;
        }
        const { app, images: rows } = splitCaptured(step.plan, raw[i]!);
        results.push(app);
        let images = imagesOf(step.plan.table, rows, step.plan.parsed.verb === 'delete');
        if (!storedAlready(this.#p.catalog, primary, images))
          images = await readAfterCommit(this.#p, primary, secondary, images, label, (found) => this.#stored(primary, found));
        if (step.plan.newRowsOnly && images.length > 0) {
          // New rows were not locked before they existed: lock them now, and if another
          // write got to one first, take the rows as they are now rather than as inserted.
          const taken = await this.#p.locks.acquireRows(
            images.map((img) => rowName(img.table, img.key)),
            (held ??= new HeldRows(claims)),
          );
          later.push(taken.release);
          if (taken.waited)
            images = await readAfterCommit(this.#p, primary, secondary, images, label, (mine) =>
              this.#p.settler.current(primary, mine.map(refOf)),
            );
        }
        work.images.push(...images);
        if (step.plan.parsed.deletesExisting) (work.replaced ??= []).push(...images.map((i) => ({ ...i, row: null })));
        if (!(pairs instanceof Error)) work.statements.push(...imageStatements(images, pairs, primary.dialect, secondary, returning));
      }
      if (!(pairs instanceof Error)) work.pairs = pairs;
      if (!(pairs instanceof Error) && (work.images.some((i) => i.row === null) || work.replaced))
        await addDependents(this.#p, primary, secondary, work, pairs);
      metrics.replicatedByRow += steps.filter((s) => s.kind === 'capture').length;
      metrics.replicatedByStatement += work.replays.length;
      // A table the secondary lacks may be waiting for its CREATE in the journal: then the write waits too.
      // A side's table definitions could not be read: journaled, and the side that failed blamed.
      if (pairs instanceof Error) {
        const waits = this.#p.book.statementWaits(
          secondary,
          work.images.map((i) => i.table),
        );
        await journalUnsent(this.#p, primary, secondary, work, pairs, waits || this.#p.circuit.isOpen(secondary));
      } else await this.#delivery.toSecondary(primary, secondary, work);
      return results;
    } finally {
      for (const r of later) r();
      work.held?.release();
      release();
      await settleContended(this.#p, primary, secondary, work);
    }
  }

  /** A transaction the primary failed by losing its connection may have committed: see {@link settleUnsure}. */
  transactionUnsure(primary: DatabaseAdapter, secondary: DatabaseAdapter, record: TransactionRecord, label: string, error: unknown) {
    return settleUnsure(this.#p, primary, secondary, unsureOfTransaction(record.refs, record.replays, label), error);
  }

  /** See {@link refillGenerated}: the primary's rows of tables whose new column each side generated, to the secondary. */
  refillGenerated(primary: DatabaseAdapter, secondary: DatabaseAdapter, statements: readonly Statement[], label: string): Promise<void> {
    return refillGenerated(this.#p, this.#delivery, primary, secondary, statements, label);
  }

  /** Remembers a statement shape replicated as text, with why, for metadata and a one-time event. */
  noteReplay(sql: string, reason: string): void {
    this.#p.noteReplay(sql, reason);
  }

  /** See {@link captureForMirror}: a write for a mirror that sends after the commit, on a primary without transactions. */
  writeForMirror(
    kind: 'execute' | 'batch',
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    steps: Step[],
    handOff: MirrorHandOff,
  ): Promise<ExecResult[]> {
    return captureForMirror(this.#p, claimsOf(steps), kind, primary, secondary, steps, handOff);
  }

  /** Marks a transaction's rows as committing on the primary (see `CommittingRows`); returns the release. */
  markCommitting(refs: readonly RowRef[]): () => void {
    return this.#delivery.committing.mark(refs);
  }

  /**
   * After a primary transaction committed: settles the rows it wrote from the primary's
   * current state and replays the statements it could not capture, first (see `settleTransaction`).
   */
  afterTransaction(primary: DatabaseAdapter, secondary: DatabaseAdapter, recorded: TransactionRecord, label: string): Promise<void> {
    return settleTransaction(this.#p, this.#delivery, primary, secondary, recorded, label);
  }

  /**
   * What the secondary must run for writes recorded inside a primary transaction that is
   * still open: the statements it could not capture, then the captured rows by key, and
   * the rows it deleted. For an asynchronous mirror, whose entry commits with the transaction.
   * When the secondary's tables cannot be read in time, the captured rows instead (see `mirrorTables`).
   */
  async recordedWork(
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    record: TransactionRecord,
    tx: DatabaseAdapter,
  ): Promise<{ statements: Statement[]; deleted: RowRef[]; captured?: CapturedRows[] }> {
    const images = await this.#stored(primary, record.images, tx);
    const names = images.map((i) => i.table);
    const tables = await mirrorTables(this.#p, primary, secondary, names, tx, definesTables(record.replays));
    this.#count(record);
    const deleted = images.filter((i) => i.row === null).map(refOf);
    // The secondary did not say what its tables are: the rows go with the primary's columns.
    if (!('pairs' in tables)) return { statements: [...record.replays], deleted, captured: capturedImages(images, tables.sources) };
    return { statements: [...record.replays, ...imageStatements(images, tables.pairs, primary.dialect, secondary)], deleted };
  }

  /**
   * The same writes for an outbox, whose drain builds the secondary's statements when it
   * applies them (after any schema change before them): the replayed statements, and the
   * captured rows with the primary's columns.
   */
  async recordedRows(
    primary: DatabaseAdapter,
    record: TransactionRecord,
    tx: DatabaseAdapter,
  ): Promise<{ replays: Statement[]; captured: CapturedRows[] }> {
    const images = await this.#stored(primary, record.images, tx);
    const tables = await primaryTables(
      this.#p.catalog,
      primary,
      images.map((i) => i.table),
      tx,
    );
    this.#count(record);
    return { replays: record.replays, captured: capturedImages(images, (name) => tables.get(name)!) };
  }

  /** See {@link storedImages}; not needed where `afterTransaction` reads the rows after the commit. */
  #stored(primary: DatabaseAdapter, images: RowImage[], via?: DatabaseAdapter): Promise<RowImage[]> {
    return storedImages(this.#p.catalog, this.#p.settler, primary, images, via);
  }

  #count(record: TransactionRecord): void {
    this.#p.metrics.replicatedByRow += record.captured;
    this.#p.metrics.replicatedByStatement += record.replays.length;
  }
}
