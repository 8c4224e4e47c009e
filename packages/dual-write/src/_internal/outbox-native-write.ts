import { nativeHandle, statementKind, type ExecResult, type SqliteTransactionSync } from '@switchyard/core';
import type { MirrorOp } from '../mirror/mirror-op';
import type { Mirror } from '../mirror/mirror-types';
import { isOutboxMirror, type OutboxMirror } from '../mirror/outbox-mirror';
import type { RowRef } from '../row-ref';
import { writeTable } from './column-types';
import { capturedImages } from '../mirror/outbox-captured';
import { dedupeRefs, imagesOf, refOf, type RowImage } from './row-images';
import type { SinkParts, SinkWrite } from './secondary-sink';
import type { TableCatalog } from './table-catalog';
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
  const transactionSync = nativeHandle(w.primary, 'better-sqlite3')?.transactionSync;
  if (!transactionSync || !isOutboxMirror(mirror)) return undefined;
  const plans = capturePlans(parts.catalog, w);
  if (!plans) return undefined;
  return writeWithEntry(parts, mirror, w, transactionSync, plans);
}

async function writeWithEntry(
  parts: SinkParts,
  mirror: OutboxMirror,
  w: SinkWrite,
  transactionSync: SqliteTransactionSync,
  plans: readonly CapturePlan[],
): Promise<NativeOutboxResult> {
  const tables = new Map(plans.map((p) => [p.table.name, p.table]));
  await mirror.ensureTable();
  const outcome = await transactionSync((execute) => {
    const results: ExecResult[] = [];
    const images: RowImage[] = [];
    const refs: RowRef[] = [];
    for (const plan of plans) {
      const { app, images: rows } = splitCaptured(plan, execute(plan.statement.sql, plan.statement.params));
      for (const image of imagesOf(plan.table, rows, plan.parsed.verb === 'delete')) {
        images.push(image);
        refs.push(refOf(image));
      }
      results.push(app);
    }
    const captured = capturedImages(images, (name) => tables.get(name)!);
    const { statement, op } = mirror.entry([], dedupeRefs(refs), captured);
    execute(statement.sql, statement.params);
    return { results, op };
  });
  parts.metrics.replicatedByRow += plans.length;
  return outcome;
}

/** Every statement's capture plan, as the replicator would make it, or `undefined` when one has none now. */
function capturePlans(catalog: TableCatalog, w: SinkWrite): CapturePlan[] | undefined {
  const plans: CapturePlan[] = [];
  for (const statement of w.own) {
    if (statementKind(statement.sql) !== 'write') return undefined;
    // No row locks here: the primary's transaction orders writes to a row, and the outbox's sequence their entries.
    const plan = planCapture(statement, catalog.peek(w.primary, writeTable(statement.sql) ?? ''), w.primary.dialect, undefined, false);
    if (typeof plan === 'string') return undefined;
    plans.push(plan);
  }
  return plans;
}
