import type { DatabaseAdapter, ExecResult } from '@switchyard/core';
import type { DualWriteMetrics } from '../dual-write-metrics';
import { assertMirrorFits, asyncSwitchError, commitMirrored, recordInTransaction, writeThroughMirror } from '../mirror/mirror-writes';
import type { MirrorOp } from '../mirror/mirror-op';
import type { Mirror } from '../mirror/mirror-types';
import { isOutboxMirror } from '../mirror/outbox-mirror';
import { nativeOutboxWrite, type NativeOutboxResult } from './outbox-native-write';
import { postgresOutboxWrite } from './outbox-postgres-write';
import { recordGeneratedRows } from './outbox-refill';
import { batchOutboxWrite, UNLOCATED } from './outbox-batch-write';
import { RecordingTransaction } from './recording-transaction';
import type { TransactionRecord } from './replicator';
import { dedupeRefs, imagesOf, refOf, rowName } from './row-images';
import { currentRowsOf } from './row-resync';
import { definesTables } from './mirror-pairs';
import { finishRecord } from './transaction-finish';
import { runsOutsideTransactions, writeThenEntry } from './outside-transactions';
import type { TableCatalog } from './table-catalog';
import { updatedRows } from './update-cascade-rows';
import { movedKeys, unkeyedMoves, withKeyMoves } from './key-move-rows';
import type { SecondarySink, SinkParts, SinkTransaction, SinkWrite } from './secondary-sink';

/**
 * The asynchronous secondary (`secondaryWrites: 'async'`): each write returns once the
 * primary has it, and the mirror (an outbox in the primary, or a queue) carries it to the
 * secondary later. On a primary with transactions the write's rows are captured and its
 * mirror entry, holding those rows, commits with it; on one without (D1) the entry
 * carries the statements, in the same atomic batch.
 */
export class MirrorSink implements SecondarySink {
  readonly #parts: SinkParts;
  readonly #mirror: Mirror;

  constructor(parts: SinkParts, mirror: Mirror, primary: DatabaseAdapter) {
    assertMirrorFits(mirror, primary);
    this.#parts = parts;
    this.#mirror = mirror;
  }

  /**
   * An outbox in a better-sqlite3 primary: the write and its entry in one synchronous
   * transaction, begun within this call. `undefined` for any other write.
   */
  writeNow<T>(w: SinkWrite, settled: () => void, pick: (results: ExecResult[]) => T): Promise<T> | undefined {
    const { metrics } = this.#parts;
    const started = metrics.now();
    // An outbox's entry committed with the write: there is nothing to hand the mirror after.
    return nativeOutboxWrite(this.#parts, this.#mirror, w)?.then(
      (done) => {
        settled();
        metrics.recordPrimary(started);
        metrics.totalWrites++;
        return pick(done.results);
      },
      (error: unknown) => {
        settled();
        throw error;
      },
    );
  }

  write(w: SinkWrite): Promise<ExecResult[]> {
    return (
      this.writeNow(
        w,
        () => {},
        (results) => results,
      ) ?? this.#write(w)
    );
  }

  async #write(w: SinkWrite): Promise<ExecResult[]> {
    const { metrics, options } = this.#parts;
    const started = metrics.now();
    if (w.kind === 'execute' && w.primary.dialect === 'postgres' && runsOutsideTransactions(w.own[0]!.sql))
      return writeThenEntry(this.#parts, this.#mirror, w);
    if (w.primary.capabilities.transactions) {
      // One statement on Postgres; else the general path.
      const done = await postgresOutboxWrite(this.#parts, this.#mirror, w);
      return done ? this.#committed(done, started) : this.#recordedWrite(w);
    }
    if (!isOutboxMirror(this.#mirror)) return this.#queuedRows(w, started);
    const done = await batchOutboxWrite(this.#parts, this.#mirror, w);
    if (done) return this.#committed(done, started);
    // An entry that would pass D1's parameter limit: the write's statements, its key moves named without keys.
    for (const s of w.forSecondary) this.#parts.replicator.noteReplay(s.sql, UNLOCATED);
    const moves = unkeyedMoves(await this.#parts.replicator.steps(w.primary, w.own, w.forSecondary), w.forSecondary);
    const { kind, own, forSecondary } = w;
    const results = await writeThroughMirror(this.#mirror, w.primary, kind, own, forSecondary, options.continueOnSecondaryFailure, moves);
    metrics.recordPrimary(started);
    metrics.totalWrites++;
    metrics.replicatedByStatement += w.forSecondary.length;
    return results;
  }

  /**
   * A write on a primary without transactions (D1) to a queue, which sends after the
   * commit: its rows are captured, and the message carries them as upserts and deletes by key.
   */
  async #queuedRows(w: SinkWrite, started: number): Promise<ExecResult[]> {
    const { replicator, metrics, options } = this.#parts;
    const steps = await withKeyMoves(this.#parts.catalog, w.primary, await replicator.steps(w.primary, w.own, w.forSecondary));
    const kind = w.kind === 'execute' && steps.length === 1 ? 'execute' : 'batch';
    return replicator.writeForMirror(kind, w.primary, w.secondary, steps, async (statements, rows, deleted, moves, images, captured) => {
      metrics.recordPrimary(started);
      metrics.totalWrites++;
      // Definitions go in a message of their own, first: the consumer builds the rows after them for the tables they make.
      const alone = definesTables(statements) && !!captured?.length;
      if (alone) {
        const definitions = await this.#mirror.prepare(statements, [], [], undefined, moves);
        await commitMirrored(this.#mirror, definitions.op, options.continueOnSecondaryFailure);
      }
      const prepared = await this.#mirror.prepare(alone ? [] : statements, [], rows, captured, alone ? undefined : moves);
      if (deleted.length > 0) prepared.op.deleted = deleted;
      const updated = updatedRows(this.#parts.catalog, w.primary, images);
      if (updated.length > 0) prepared.op.updated = updated;
      await commitMirrored(this.#mirror, prepared.op, options.continueOnSecondaryFailure);
    });
  }

  /** A write committed with its entry: counted, and the entry handed to the mirror. */
  async #committed(write: NativeOutboxResult | Promise<NativeOutboxResult>, started: number): Promise<ExecResult[]> {
    const { metrics, options } = this.#parts;
    const done = await write;
    metrics.recordPrimary(started);
    metrics.totalWrites++;
    await commitMirrored(this.#mirror, done.op, options.continueOnSecondaryFailure);
    return done.results;
  }

  async openTransaction(primary: DatabaseAdapter, secondary: DatabaseAdapter, record: TransactionRecord): Promise<SinkTransaction> {
    const { replicator, metrics, options } = this.#parts;
    const mirror = this.#mirror;
    const mirrored: MirrorOp[] = [];
    const keep = (op: MirrorOp | undefined) => void (op && mirrored.push(op));
    // The outbox table is created outside the transaction, which SQLite would otherwise wait on.
    await (mirror as { ensureTable?: () => Promise<void> }).ensureTable?.();
    return {
      // The mirror's entries, holding the rows as the transaction left them, commit with it.
      beforeCommit: async (tx) => {
        if (record.statements.length === 0) return;
        await rowsAtCommit(this.#parts.catalog, primary, tx, record);
        const refs = dedupeRefs(record.refs);
        // Definitions go in an entry of their own, first: the rows after them are built for the tables they make.
        const alone = definesTables(record.replays) && (record.images.length > 0 || !!record.replaced?.length);
        if (isOutboxMirror(mirror)) {
          // Rows, not statements: the drain builds those for the secondary's tables as they are then.
          const { replays, captured } = await replicator.recordedRows(primary, record, tx);
          const moves = movedKeys(this.#parts.catalog, primary, record.moves, replays);
          if (alone) keep(await recordInTransaction(mirror, tx, replays, [], undefined, moves));
          keep(await recordInTransaction(mirror, tx, alone ? [] : replays, refs, captured, alone ? undefined : moves, record.replaced));
          // Rows a schema change filled with generated values follow it, read under its lock.
          keep(await recordGeneratedRows(mirror, tx, primary, this.#parts.catalog, record.untranslated ?? replays));
          keep(await recordInTransaction(mirror, tx, record.afterRows ?? []));
        } else {
          // After definitions the rows go with the primary's columns (see `mirrorTables`): the statements are the replays alone.
          const work = await replicator.recordedWork(primary, secondary, record, tx);
          const moves = movedKeys(this.#parts.catalog, primary, record.moves, work.statements);
          if (alone) keep(await recordInTransaction(mirror, tx, work.statements, [], undefined, moves));
          const op = await recordInTransaction(mirror, tx, alone ? [] : work.statements, refs, work.captured, alone ? undefined : moves);
          const deleted = [...work.deleted, ...(record.replaced ?? [])];
          if (op && deleted.length > 0) op.deleted = deleted;
          const updated = updatedRows(this.#parts.catalog, primary, record.images);
          if (op && updated.length > 0) op.updated = updated;
          keep(op);
          keep(await recordInTransaction(mirror, tx, record.afterRows ?? []));
        }
      },
      afterCommit: async () => {
        metrics.totalWrites++;
        for (const op of mirrored) await commitMirrored(mirror, op, options.continueOnSecondaryFailure);
      },
    };
  }

  switchRefusal(primary: DatabaseAdapter, secondary: DatabaseAdapter): Error {
    return asyncSwitchError(primary.name, secondary.name);
  }

  mirrorMetrics(): DualWriteMetrics['mirror'] {
    return this.#mirror.getMetrics();
  }

  resetMetrics(): void {
    this.#mirror.resetMetrics();
  }

  /** A write on a primary with transactions: its rows captured, its entry committed with them. */
  async #recordedWrite(w: SinkWrite): Promise<ExecResult[]> {
    const { replicator, metrics } = this.#parts;
    const { primary, secondary } = w;
    const record: TransactionRecord = { refs: [], images: [], replays: [], statements: [], captured: 0 };
    const started = metrics.now();
    const transaction = await this.openTransaction(primary, secondary, record);
    const results = await primary.transaction(async (tx) => {
      // A definition is translated here, in the transaction, from what it made: the entry or message holds Postgres's words.
      const { catalog, options } = this.#parts;
      const context = { replicator, catalog, primary, secondary, record, translateSchema: options.translateSchema };
      const recorder = new RecordingTransaction(tx, context);
      const out: ExecResult[] = [];
      for (const [i, s] of w.own.entries()) out.push(await recorder.executeAs(s, w.forSecondary[i] ?? s));
      await finishRecord(context, tx);
      await transaction.beforeCommit(tx);
      return out;
    });
    metrics.recordPrimary(started);
    await transaction.afterCommit(w.label);
    return results;
  }
}

/**
 * A recorded write that replays statements (an update that moved keys, say) applies them
 * on the secondary before its rows: each row it wrote is read again inside its transaction,
 * as the transaction leaves it, and so is each row a key move left (a row written and
 * then moved holds what was written under its new key).
 */
async function rowsAtCommit(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  tx: DatabaseAdapter,
  record: TransactionRecord,
): Promise<void> {
  if (record.replays.length === 0) return;
  const moved = (record.moves ?? []).flatMap((m) => {
    const table = catalog.peek(primary, m.table);
    return table ? imagesOf(table, m.rows, false).map(refOf) : [];
  });
  if (moved.length + record.images.length === 0) return;
  const refs = dedupeRefs([...record.images.map(refOf), ...moved]);
  const last = new Map(record.images.map((i) => [rowName(i.table, i.key), i.row]));
  const current = await currentRowsOf(primary, (t) => catalog.table(primary, t, tx), refs, { via: tx });
  // A row gone though its last write left it was moved, or removed by a foreign key action:
  // the replayed statement, or the lookups of the deletes that caused it, take it away.
  // As a delete of its own it would bring a delete's foreign key actions to rows it never had.
  record.images = current.filter((i) => i.row !== null || last.get(rowName(i.table, i.key)) === null);
  record.refs.push(...moved);
}
