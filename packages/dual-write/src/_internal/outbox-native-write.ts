import { nativeHandle, statementKind, type ExecResult, type SqliteTransactionSync } from '@switchyard/core';
import type { MirrorOp } from '../mirror/mirror-op';
import type { Mirror } from '../mirror/mirror-types';
import { isOutboxMirror, type OutboxMirror } from '../mirror/outbox-mirror';
import type { RowRef } from '../row-ref';
import { writeTable } from './column-types';
import { addCaptured, capturedImages, type CapturedRows } from '../mirror/outbox-captured';
import { capturedArrays, returnsTableOrder } from './captured-arrays';
import { dedupeRefs, imagesOf, refOf } from './row-images';
import type { SinkParts, SinkWrite } from './secondary-sink';
import type { TableCatalog } from './table-catalog';
import { SESSION_STATE, sessionRestored } from './sqlite-session-state';
import { planCapture, splitCaptured, type CapturePlan } from './write-capture';

/** A write committed with its outbox entry: the write's own results, and the entry's operation. */
export interface NativeOutboxResult {
  results: ExecResult[];
  op: MirrorOp;
}

/**
 * A write to a better-sqlite3 primary through an outbox in it, as one transaction that
 * never yields (the adapter's `transactionSync`): each statement runs with its rows
 * captured, and the entry holding those rows is inserted after them, with no promise
 * between the statements. It needs nothing it would wait for: the capture plans and the
 * primary's table definitions come from what the general path has already read. The entry
 * is the one the general path writes (rows, not statements), so drains cannot tell them apart.
 *
 * Returns `undefined` at once, having run nothing, when the write needs the general path: a
 * primary without `transactionSync`, a queue mirror, a statement replayed rather than
 * captured (a read, a schema change, a table without a key), or a table not yet read.
 */
export function nativeOutboxWrite(parts: SinkParts, mirror: Mirror, w: SinkWrite): Promise<NativeOutboxResult> | undefined {
  const native = nativeHandle(w.primary, 'better-sqlite3');
  const transactionSync = native?.transactionSync;
  if (!transactionSync || !isOutboxMirror(mirror)) return undefined;
  const plans = capturePlans(parts.catalog, w);
  if (!plans) return undefined;
  const asArrays = plans.map((plan) => returnsTableOrder(native.database, plan));
  // Once the outbox table is known to exist, the write runs within this call: nothing before it yields.
  if (tablesReady.has(mirror)) return writeWithEntry(parts, mirror, transactionSync, plans, asArrays);
  return mirror.ensureTable().then(() => {
    tablesReady.add(mirror);
    return writeWithEntry(parts, mirror, transactionSync, plans, asArrays);
  });
}

/** Outboxes whose table `ensureTable()` has made. */
const tablesReady = new WeakSet<OutboxMirror>();

function writeWithEntry(
  parts: SinkParts,
  mirror: OutboxMirror,
  transactionSync: SqliteTransactionSync,
  plans: readonly CapturePlan[],
  asArrays: readonly boolean[],
): Promise<NativeOutboxResult> {
  return transactionSync((execute, executeRaw) => {
    const results: ExecResult[] = [];
    const refs: RowRef[] = [];
    const captured: CapturedRows[] = [];
    const replaced: RowRef[] = [];
    for (const [i, plan] of plans.entries()) {
      const { sql, params } = plan.statement;
      const from = refs.length;
      if (asArrays[i]) {
        results.push(capturedArrays(plan, executeRaw(sql, params).rows, refs, captured));
      } else {
        const { app, images } = splitCaptured(plan, execute(sql, params));
        const own = imagesOf(plan.table, images, plan.parsed.verb === 'delete');
        for (const image of own) refs.push(refOf(image));
        for (const group of capturedImages(own, () => plan.table)) addCaptured(captured, group);
        results.push(app);
      }
      if (plan.parsed.deletesExisting) replaced.push(...refs.slice(from));
    }
    const [[rowid, changed]] = executeRaw(SESSION_STATE.sql, SESSION_STATE.params).rows as [[number | bigint, number]];
    const { statement, op } = mirror.entry([], dedupeRefs(refs), captured, undefined, replaced);
    execute(statement.sql, statement.params);
    // The app reads its own write's last_insert_rowid() and changes(), not the entry's.
    for (const s of sessionRestored(rowid, changed)) execute(s.sql, s.params);
    // Counted here, inside: the transaction commits right after, unless COMMIT itself fails.
    parts.metrics.replicatedByRow += plans.length;
    return { results, op };
  });
}

/** Every statement's capture plan, as the replicator would make it, or `undefined` when one has none now. */
function capturePlans(catalog: TableCatalog, w: SinkWrite): CapturePlan[] | undefined {
  const plans: CapturePlan[] = [];
  for (const statement of w.own) {
    if (statementKind(statement.sql) !== 'write') return undefined;
    // No row locks here: the primary's transaction orders writes to a row, and the outbox's sequence their entries.
    const plan = planCapture(statement, catalog.peek(w.primary, writeTable(statement.sql) ?? ''), w.primary.dialect, undefined, false);
    // Rows an AFTER trigger may change (or a table not yet asked about) take the general path, which reads them again.
    if (typeof plan === 'string' || catalog.primaryRowsStored(w.primary, plan.table.name) !== true) return undefined;
    plans.push(plan);
  }
  return plans;
}
